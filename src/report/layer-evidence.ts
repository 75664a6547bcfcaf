import * as z from 'zod';
import type { LayerName } from './layer-names.js';

/**
 * What each layer of the ladder found (report.ts puts them together): zod schemas, because a
 * report is stored in Redis and sent between processes, and a type of the same name for each, so
 * no caller writes `z.infer<typeof …>`.
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
   * per name, src/openclaw/advertised-features.ts); `truncated` when the Gateway sent more than is kept.
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
  pairing: z.object({ status: z.enum(['approved', 'pending', 'not-used']), requestId: z.string().optional() }).optional(),
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

const base = {
  status: LayerStatusSchema,
  /** Milliseconds from the start of the check to the start of this layer (for the waterfall). */
  startMs: z.number().nonnegative(),
  durationMs: z.number().nonnegative(),
  /** One line, values resolved: `100.101.102.103:18789 refused`. Never a secret. */
  summary: z.string(),
};

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

export type BotNodeEvidence = z.infer<typeof BotNodeEvidence>;
export type DnsEvidence = z.infer<typeof DnsEvidence>;
export type PeerEvidence = z.infer<typeof PeerEvidence>;
export type PingEvidence = z.infer<typeof PingEvidence>;
export type PathEvidence = z.infer<typeof PathEvidence>;
export type TcpEvidence = z.infer<typeof TcpEvidence>;
export type HttpEndpointEvidence = z.infer<typeof HttpEndpointEvidence>;
export type HttpEvidence = z.infer<typeof HttpEvidence>;
export type UpgradeEvidence = z.infer<typeof UpgradeEvidence>;
export type CloseEvidence = z.infer<typeof CloseEvidence>;
export type GatewayErrorEvidence = z.infer<typeof GatewayErrorEvidence>;
export type HandshakeEvidence = z.infer<typeof HandshakeEvidence>;
export type RpcEvidence = z.infer<typeof RpcEvidence>;
export type HealthEvidence = z.infer<typeof HealthEvidence>;
export type StatusEvidence = z.infer<typeof StatusEvidence>;
export type ChannelsEvidence = z.infer<typeof ChannelsEvidence>;
