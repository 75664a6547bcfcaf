import { z } from 'zod';
// The ladder order and the helpers over a report live in layer-order.ts (no zod: the check path uses
// them without building these schemas); re-exported here.
import { LAYER_ORDER, type LayerName } from './layer-order.js';
export { LAYER_ORDER, firstFailedLayer, layerOf, type LayerName } from './layer-order.js';

/**
 * The probe report: plain JSON, the only thing that crosses from the network side (probes) to the
 * pure side (diagnosis, rendering). It is stored in Redis and sent between processes, so it has a
 * zod schema and a version.
 *
 * Layers are listed in ladder order. The first layer that failed decides; a layer that could not be
 * attempted because an earlier one failed is `not-reached`, never `failed`.
 */

export const LayerStatusSchema = z.enum(['ok', 'warn', 'failed', 'skipped', 'not-reached']);
export type LayerStatus = z.infer<typeof LayerStatusSchema>;

/** Network-level failure of a socket, normalised from Node's error codes. */
export const NetErrorSchema = z.enum([
  'refused', // ECONNREFUSED: the host answered, nothing listens
  'timeout', // no answer within the layer's deadline
  'reset', // ECONNRESET / EPIPE
  'unreachable', // EHOSTUNREACH / ENETUNREACH
  'dns', // ENOTFOUND / EAI_AGAIN
  'tls', // TLS handshake failed, or TLS spoken to a plain port (or the reverse)
  'closed', // the peer closed without an answer
  'aborted', // our own budget ran out
  'other',
]);
export type NetError = z.infer<typeof NetErrorSchema>;

const base = {
  status: LayerStatusSchema,
  /** Milliseconds from the start of the check to the start of this layer (for the waterfall). */
  startMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** One line, values resolved: `100.101.102.103:18789 refused`. Never a secret. */
  summary: z.string(),
};

export const BotNodeEvidence = z.object({
  backendState: z.string().optional(),
  loggedIn: z.boolean().optional(),
  healthWarnings: z.array(z.string()).default([]),
  keyExpiry: z.string().optional(),
  keyExpiresInHours: z.number().optional(),
  selfName: z.string().optional(),
  error: z.string().optional(),
});
export const DnsEvidence = z.object({
  host: z.string(),
  literal: z.boolean(),
  addresses: z.array(z.string()).default([]),
  error: z.string().optional(),
  /** Split check for MagicDNS names: answers from the system resolver and from 100.100.100.100. */
  split: z
    .object({
      system: z.array(z.string()),
      magicDns: z.array(z.string()),
      systemError: z.string().optional(),
      magicDnsError: z.string().optional(),
      outsideTailnet: z.array(z.string()).default([]),
      disagree: z.boolean(),
      /**
       * A short name (`gw1`): the name each side answered for — the system resolver after its search
       * domains (`gw1.corp.example`), 100.100.100.100 with the tailnet's MagicDNS suffix.
       */
      systemName: z.string().optional(),
      magicDnsName: z.string().optional(),
      searchDomains: z.array(z.string()).optional(),
    })
    .optional(),
  /** After a MagicDNS name failed: whether MagicDNS is on in the tailnet, and who said so. */
  magicDns: z.object({ enabled: z.boolean().optional(), source: z.string(), error: z.string().optional() }).optional(),
});
export const PeerEvidence = z.object({
  query: z.string(),
  inNetmap: z.boolean(),
  hostName: z.string().optional(),
  dnsName: z.string().optional(),
  tailscaleIPs: z.array(z.string()).default([]),
  online: z.boolean().optional(),
  expired: z.boolean().optional(),
  keyExpiry: z.string().optional(),
  tags: z.array(z.string()).default([]),
  lastSeen: z.string().optional(),
});
export const PingEvidence = z.object({
  ok: z.boolean(),
  latencyMs: z.number().optional(),
  endpoint: z.string().optional(),
  derpRegion: z.string().optional(),
  error: z.string().optional(),
});
export const PathEvidence = z.object({
  ip: z.string(),
  disco: PingEvidence.optional(),
  tsmp: PingEvidence.optional(),
  direct: z.boolean().optional(),
  relayThresholdMs: z.number(),
});
export const TcpEvidence = z.object({
  address: z.string(),
  port: z.number(),
  error: NetErrorSchema.optional(),
  errno: z.string().optional(),
});
export const HttpEndpointEvidence = z.object({
  path: z.string(),
  status: z.number().optional(),
  contentType: z.string().optional(),
  /** The body parsed as the Gateway's health JSON; absent when it was HTML or anything else. */
  json: z.record(z.string(), z.unknown()).optional(),
  /** The first bytes of a non-JSON body, to show what answered instead (`<!doctype html>`). */
  bodyStart: z.string().optional(),
  /** The body is OpenClaw's Control UI: an OpenClaw answered, just not with health JSON. */
  controlUi: z.boolean().optional(),
  /** A body refused unread: too large or too deeply nested to be health JSON. */
  refused: z.string().optional(),
  error: NetErrorSchema.optional(),
  errno: z.string().optional(),
});
export const HttpEvidence = z.object({
  healthz: HttpEndpointEvidence,
  readyz: HttpEndpointEvidence.optional(),
  live: z.boolean().optional(),
  ready: z.boolean().optional(),
  failing: z.array(z.string()).default([]),
  version: z.string().optional(),
});
export const UpgradeEvidence = z.object({
  url: z.string(),
  /** 101 on success; otherwise the HTTP status the server answered the upgrade with. */
  httpStatus: z.number().optional(),
  contentType: z.string().optional(),
  bodyStart: z.string().optional(),
  /** `error.type` of a JSON refusal (`proxy_attribution_required`: the Gateway does not trust its proxy). */
  errorType: z.string().optional(),
  error: NetErrorSchema.optional(),
  errno: z.string().optional(),
  /** A 101 the WebSocket client refused, and why (bad accept key, no Upgrade, an unoffered extension). */
  notWebSocket: z.string().optional(),
});
export const CloseEvidence = z.object({ code: z.number(), reason: z.string() });
export const GatewayErrorEvidence = z.object({
  code: z.string(),
  message: z.string(),
  detailsCode: z.string().optional(),
  missingScope: z.string().optional(),
  requestId: z.string().optional(),
  retryable: z.boolean().optional(),
  retryAfterMs: z.number().optional(),
  expectedProtocol: z.number().optional(),
});
export const HandshakeEvidence = z.object({
  challenge: z.boolean(),
  challengeMs: z.number().optional(),
  protocol: z.number().optional(),
  offeredProtocol: z.object({ min: z.number(), max: z.number() }).optional(),
  serverVersion: z.string().optional(),
  /** hello-ok `server.buildId`: tells two builds of one version apart (the success fingerprint). */
  buildId: z.string().optional(),
  /**
   * hello-ok `features`: the methods and events the Gateway advertises, bounded (count and length
   * per name, src/openclaw/client.ts); `truncated` when the Gateway sent more than is kept.
   */
  features: z.object({ methods: z.array(z.string()).default([]), events: z.array(z.string()).default([]), truncated: z.boolean().optional() }).optional(),
  connId: z.string().optional(),
  authMethod: z.string().optional(),
  role: z.string().optional(),
  scopes: z.array(z.string()).default([]),
  requestedScopes: z.array(z.string()).default([]),
  deviceId: z.string().optional(),
  deviceTokenIssued: z.boolean().optional(),
  tickIntervalMs: z.number().optional(),
  /** hello-ok `snapshot.uptimeMs`: how long the Gateway has run (a degraded event loop right after a start is expected). */
  uptimeMs: z.number().optional(),
  error: GatewayErrorEvidence.optional(),
  close: CloseEvidence.optional(),
  shutdown: z.object({ reason: z.string().optional(), restartExpectedMs: z.number().optional() }).optional(),
  /** Milliseconds from the upgrade to the close when the Gateway closed before hello-ok. */
  closedAfterMs: z.number().optional(),
  /** The frame the Gateway sent that was not protocol (garbage, oversized). */
  protocolViolation: z.string().optional(),
  /** A frame refused unread: too large or too deeply nested (`… nested 2,000,000 deep: refused`). */
  refused: z.string().optional(),
  failure: z.enum(['no-challenge', 'rejected', 'closed', 'timeout', 'protocol-violation', 'aborted']).optional(),
  /**
   * Device pairing as seen by this check: `approved` (device token held or issued), `pending`
   * (the Gateway asked for approval: `requestId`; the check fell back to token-only), `not-used`.
   */
  pairing: z
    .object({ status: z.enum(['approved', 'pending', 'not-used']), requestId: z.string().optional() })
    .optional(),
});
export const RpcEvidence = z.object({
  method: z.string(),
  error: GatewayErrorEvidence.optional(),
  close: CloseEvidence.optional(),
  timedOut: z.boolean().optional(),
  /** The answer broke the protocol (the session was dropped), or was refused unread. */
  protocolViolation: z.string().optional(),
  refused: z.string().optional(),
});
export const HealthEvidence = RpcEvidence.extend({
  ok: z.boolean().optional(),
  gatewayDurationMs: z.number().optional(),
  eventLoopDegraded: z.boolean().optional(),
  eventLoopDelayP99Ms: z.number().optional(),
  modelRuntimeDegraded: z.boolean().optional(),
  pluginErrors: z.array(z.string()).default([]),
});
export const StatusEvidence = RpcEvidence.extend({
  runtimeVersion: z.string().optional(),
});
export const ChannelStateSchema = z.object({
  channel: z.string(),
  account: z.string().optional(),
  configured: z.boolean().optional(),
  running: z.boolean().optional(),
  connected: z.boolean().optional(),
  linked: z.boolean().optional(),
  dmPolicy: z.string().optional(),
  allowFromCount: z.number().optional(),
  groupPolicy: z.string().optional(),
  /** Where the policy came from in the Gateway's config (`channels.telegram.accounts.ops.dmPolicy`). */
  dmPolicyAt: z.string().optional(),
  groupPolicyAt: z.string().optional(),
  issues: z.array(z.string()).default([]),
});
export type ChannelState = z.infer<typeof ChannelStateSchema>;
export const ChannelsEvidence = RpcEvidence.extend({
  channels: z.array(ChannelStateSchema).default([]),
  /** Whether the DM/group policies could be read (`config.get`, operator.read) and why not. */
  policy: z.object({ read: z.boolean(), detail: z.string().optional() }).optional(),
});

export const LayerResultSchema = z.discriminatedUnion('layer', [
  z.object({ layer: z.literal('bot-node'), ...base, evidence: BotNodeEvidence.optional() }),
  z.object({ layer: z.literal('dns'), ...base, evidence: DnsEvidence.optional() }),
  z.object({ layer: z.literal('peer'), ...base, evidence: PeerEvidence.optional() }),
  z.object({ layer: z.literal('path'), ...base, evidence: PathEvidence.optional() }),
  z.object({ layer: z.literal('tcp'), ...base, evidence: TcpEvidence.optional() }),
  z.object({ layer: z.literal('http'), ...base, evidence: HttpEvidence.optional() }),
  z.object({ layer: z.literal('upgrade'), ...base, evidence: UpgradeEvidence.optional() }),
  z.object({ layer: z.literal('handshake'), ...base, evidence: HandshakeEvidence.optional() }),
  z.object({ layer: z.literal('health'), ...base, evidence: HealthEvidence.optional() }),
  z.object({ layer: z.literal('status'), ...base, evidence: StatusEvidence.optional() }),
  z.object({ layer: z.literal('channels'), ...base, evidence: ChannelsEvidence.optional() }),
]);
export type LayerResult = z.infer<typeof LayerResultSchema>;
export type LayerOf<L extends LayerName> = Extract<LayerResult, { layer: L }>;
export type EvidenceOf<L extends LayerName> = NonNullable<LayerOf<L>['evidence']>;

/**
 * The Gateway's own `gateway.*` settings that explain proxy failures: from `config.get` (outside,
 * with operator.read; the Gateway redacts secrets) or openclaw.json (the host agent). The token
 * appears only as its fingerprint.
 */
export const GatewayConfigEvidence = z.object({
  source: z.enum(['config.get', 'file']),
  /** The file read (host agent). */
  path: z.string().optional(),
  available: z.boolean(),
  /** Why not: `unreadable (EACCES)`, `missing`, `invalid JSON5`, `FORBIDDEN`. */
  reason: z.string().optional(),
  bind: z.string().optional(),
  customBindHost: z.string().optional(),
  port: z.number().optional(),
  trustedProxies: z.array(z.string()).optional(),
  tailscaleMode: z.string().optional(),
  authMode: z.string().optional(),
  tokenSource: z.enum(['config', 'secret-ref', 'redacted', 'none']).optional(),
  tokenFingerprint: z.string().regex(/^[0-9a-f]{12}$/).optional(),
});

/** Exposure: the gateway port must not answer on the gateway's public address. */
export const ExposureEvidence = z.object({
  address: z.string(),
  port: z.number(),
  tcp: z.enum(['open', 'refused', 'timeout', 'error']),
  httpStatus: z.number().optional(),
  openclaw: z.boolean().optional(),
  durationMs: z.number(),
});

/**
 * The tailnet policy read for THIS node (src/tailscale/policy-reach.ts), attached only when it can
 * decide something: TSMP/disco answered and TCP to the port timed out (the runbook's first row).
 * `denies` → the ACL; `allows` → not the ACL (so the host firewall); `unavailable` says why not.
 */
export const TailnetPolicyEvidence = z.object({
  status: z.enum(['allows', 'denies', 'unavailable']),
  /** unavailable: what is missing and how to enable it. */
  reason: z.string().optional(),
  /** This node as the policy matched it (`tag:clawops`, or a login and its groups). */
  node: z.array(z.string()).default([]),
  destination: z.string().optional(),
  /** allows: the rule that lets this node reach the port. */
  rule: z.string().optional(),
  /** denies: rules that open the port to other sources. */
  otherRules: z.array(z.string()).default([]),
  suggestedGrant: z.string().optional(),
  suggestedAcl: z.string().optional(),
  preferred: z.enum(['grants', 'acls']).optional(),
  /** The policy's own tests that assert this node's access to the port. */
  tests: z.array(z.object({ expect: z.enum(['accept', 'deny']), text: z.string() })).default([]),
  /** How old the cached policy was, and whether a refresh had failed (then the last good one was used). */
  policyAgeMs: z.number().optional(),
  stale: z.boolean().optional(),
});
export type TailnetPolicyEvidenceData = z.infer<typeof TailnetPolicyEvidence>;

/**
 * Host evidence: what the agent on the gateway host found (src/host/run-host-checks.ts), joined
 * into the report by the worker. It crosses Redis, so it carries fingerprints, never a token: the
 * fingerprint fields only accept the 12-hex form.
 */
const Fingerprint = z.string().regex(/^[0-9a-f]{12}$/);
export const HostListenersEvidence = z.object({
  available: z.boolean(),
  /** Why the kernel tables could not be read (`no-proc`, `unreadable`). */
  reason: z.string().optional(),
  port: z.number(),
  bind: z.enum(['loopback', 'tailnet']),
  listening: z.boolean(),
  bound: z.array(z.string()).default([]),
  allowed: z.array(z.string()).default([]),
  violations: z.array(z.object({ address: z.string(), kind: z.string(), severity: z.enum(['critical', 'warning']), why: z.string() })).default([]),
  /** Who holds each listening socket on the Gateway's ports (/proc/<pid>/fd and cgroup). */
  owners: z
    .array(
      z.object({
        port: z.number(),
        address: z.string(),
        uid: z.number().optional(),
        user: z.string().optional(),
        pid: z.number().optional(),
        process: z.string().optional(),
        unit: z.string().optional(),
        openclaw: z.boolean().optional(),
      }),
    )
    .optional(),
  /** Processes whose fds the agent may not read (another user's): their sockets show a uid only. */
  ownersUnreadable: z.number().optional(),
});
export const HostLoopbackEvidence = z.object({
  url: z.string(),
  /** No layer failed on loopback: the Gateway itself works. */
  ok: z.boolean(),
  failedLayer: z.enum(LAYER_ORDER).optional(),
  serverVersion: z.string().optional(),
  summary: z.string(),
  /** The loopback ladder, layer by layer (the same client and evidence as the view from outside). */
  layers: z.array(LayerResultSchema).default([]),
});
export const HostUnitEvidence = z.object({
  unitName: z.string(),
  /** False: the unit could not be read at all (`reason`: systemctl-missing, systemd-unavailable, timeout). */
  available: z.boolean(),
  reason: z.string().optional(),
  detail: z.string().optional(),
  unitFound: z.boolean().optional(),
  loadState: z.string().optional(),
  activeState: z.string().optional(),
  subState: z.string().optional(),
  fragmentPath: z.string().optional(),
  dropInPaths: z.array(z.string()).default([]),
  tokenSource: z.string().optional(),
  unitTokenFingerprint: Fingerprint.optional(),
  configuredTokenFingerprint: Fingerprint.optional(),
  tokenDrift: z.boolean().default(false),
  unitPort: z.number().optional(),
  portSource: z.string().optional(),
  portDrift: z.boolean().default(false),
  /** Something listens on the unit's port (when the unit sets one). */
  unitPortListening: z.boolean().optional(),
  envComplete: z.boolean().optional(),
  findings: z.array(z.object({ id: z.string(), symptom: z.string().optional(), severity: z.enum(['critical', 'warning', 'info']), summary: z.string() })).default([]),
});
export const HostVersionEvidence = z.object({
  status: z.enum(['match', 'stale-process', 'unknown']),
  running: z.string().optional(),
  installed: z.string().optional(),
  packageJsonPath: z.string().optional(),
  others: z.array(z.object({ packageJsonPath: z.string(), version: z.string() })).default([]),
  summary: z.string(),
});
export const HostDoctorEvidence = z.object({
  ran: z.boolean(),
  reason: z.string().optional(),
  exitCode: z.number().optional(),
  timedOut: z.boolean().optional(),
  durationMs: z.number().optional(),
  findings: z
    .array(z.object({ id: z.string(), severity: z.enum(['error', 'warning', 'info']), message: z.string(), path: z.string().optional(), fixHint: z.string().optional() }))
    .default([]),
  notes: z.array(z.string()).default([]),
});
/**
 * tailscaled's Serve config on the gateway host (LocalAPI `GET /localapi/v0/serve-config`, the
 * ipn.ServeConfig), reduced to its routes and what they point at.
 */
export const HostServeRoute = z.object({
  /** `gw.example-tailnet.ts.net:443` (a Web route) or `tcp:443` (a TCP forward). */
  hostPort: z.string(),
  mount: z.string().optional(),
  /** The proxy target as configured (`http://127.0.0.1:18789`), or a file/text handler's kind. */
  target: z.string(),
  targetHost: z.string().optional(),
  targetPort: z.number().optional(),
  /** The target is the Gateway's port on this host. */
  toGateway: z.boolean(),
  funnel: z.boolean(),
});
export const HostServeEvidence = z.object({
  available: z.boolean(),
  /** Why not: `socket-missing` (no tailscaled here), `http-403`… */
  reason: z.string().optional(),
  gatewayPort: z.number(),
  routes: z.array(HostServeRoute).default([]),
});
/** The host's packet filter for a new TCP connection on tailscale0 (src/host/read-packet-filter.ts). */
export const HostFirewallEvidence = z.object({
  available: z.boolean(),
  /** permission-denied (needs CAP_NET_ADMIN), not-installed, unreadable, timeout. */
  reason: z.string().optional(),
  detail: z.string().optional(),
  /** The program that printed the ruleset (`nft -j list ruleset`). */
  tool: z.string().optional(),
  interface: z.string(),
  ports: z
    .array(
      z.object({
        port: z.number(),
        family: z.enum(['ipv4', 'ipv6']),
        verdict: z.enum(['accept', 'drop', 'reject']),
        chain: z.string().optional(),
        rule: z.string().optional(),
        handle: z.number().optional(),
        byPolicy: z.boolean(),
        conditional: z.array(z.string()).default([]),
      }),
    )
    .default([]),
});
export const HostEvidence = z.object({
  agent: z.object({
    /** `silent`: no answer within `deadlineMs`; `failed`: the agent or the queue said why. */
    status: z.enum(['answered', 'silent', 'failed']),
    deadlineMs: z.number(),
    durationMs: z.number().optional(),
    hostname: z.string().optional(),
    version: z.string().optional(),
    detail: z.string().optional(),
  }),
  listeners: HostListenersEvidence.optional(),
  loopback: HostLoopbackEvidence.optional(),
  unit: HostUnitEvidence.optional(),
  version: HostVersionEvidence.optional(),
  doctor: HostDoctorEvidence.optional(),
  serve: HostServeEvidence.optional(),
  gatewayConfig: GatewayConfigEvidence.optional(),
  firewall: HostFirewallEvidence.optional(),
  /** The fingerprint of the token this clawops node sends, to set beside the unit's. */
  clientTokenFingerprint: Fingerprint.optional(),
});
export type HostEvidenceData = z.infer<typeof HostEvidence>;

export const ProbeReportSchema = z.object({
  schema: z.literal(1),
  gateway: z.object({
    name: z.string(),
    /** The URL without credentials (a URL never carries the token here). */
    url: z.string(),
    host: z.string(),
    port: z.number(),
    /** The Gateway's own port on its host when it differs from the URL's (Serve: 443 → 18789). */
    gatewayPort: z.number().optional(),
    expectedVersion: z.string().optional(),
    lastKnownGoodVersion: z.string().optional(),
    /** The environment variable the token comes from, and whether it was set (never the value). */
    tokenEnv: z.string(),
    tokenPresent: z.boolean(),
    /** Above this, a successful handshake counts as slow. */
    slowHandshakeMs: z.number().optional(),
  }),
  startedAt: z.string(),
  durationMs: z.number(),
  budgetMs: z.number(),
  /** The layers in LAYER_ORDER; every layer is present, with `skipped` where it does not apply. */
  layers: z.array(LayerResultSchema),
  /** The decisive exposure check: the first port found open, else the first probed. */
  exposure: ExposureEvidence.optional(),
  /** Every port probed on the public address (the Gateway's own port and the URL's). */
  exposureChecks: z.array(ExposureEvidence).optional(),
  /** The Gateway's `gateway.*` settings as `config.get` answered them (operator.read only). */
  gatewayConfig: GatewayConfigEvidence.optional(),
  /** Host-side evidence from the agent on the gateway host, when the gateway has one. */
  host: HostEvidence.optional(),
  /**
   * Other gateways whose token this check sent: configured for them in clawops.yaml (`config`), or
   * carried by their systemd unit as their host agent last saw it (`host-unit`). Fingerprints only.
   */
  tokenOwners: z.array(z.object({ gateway: z.string(), via: z.enum(['config', 'host-unit']), tokenEnv: z.string().optional(), fingerprint: Fingerprint })).optional(),
  /** The tailnet policy for this node and the gateway's port, when TSMP answered and TCP timed out. */
  tailnetPolicy: TailnetPolicyEvidence.optional(),
  /** Our own client's identity and version, for verdict texts. */
  client: z.object({ version: z.string(), deviceId: z.string().optional() }),
});
export type ProbeReport = z.infer<typeof ProbeReportSchema>;
