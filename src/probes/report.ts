import { z } from 'zod';

/**
 * The probe report: plain JSON, the only thing that crosses from the network side (probes) to the
 * pure side (diagnosis, rendering). It is stored in Redis and sent between processes, so it has a
 * zod schema and a version.
 *
 * Layers are listed in ladder order. The first layer that failed decides; a layer that could not be
 * attempted because an earlier one failed is `not-reached`, never `failed`.
 */
export const LAYER_ORDER = [
  'bot-node', // this node's own tailscaled (tailnet layers are `skipped` when not configured)
  'dns',
  'peer', // the gateway's node in our netmap
  'path', // disco / TSMP ping to the peer
  'tcp',
  'http', // /healthz + /readyz, overlapped with the WebSocket layers
  'upgrade',
  'handshake', // connect.challenge → connect → hello-ok
  'health', // `health` RPC (no scope needed)
  'status', // `status` (operator.read)
  'channels', // `channels.status {probe:true}` (operator.read)
] as const;
export type LayerName = (typeof LAYER_ORDER)[number];

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
    })
    .optional(),
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
  error: NetErrorSchema.optional(),
  errno: z.string().optional(),
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
  connId: z.string().optional(),
  authMethod: z.string().optional(),
  role: z.string().optional(),
  scopes: z.array(z.string()).default([]),
  requestedScopes: z.array(z.string()).default([]),
  deviceId: z.string().optional(),
  deviceTokenIssued: z.boolean().optional(),
  tickIntervalMs: z.number().optional(),
  error: GatewayErrorEvidence.optional(),
  close: CloseEvidence.optional(),
  shutdown: z.object({ reason: z.string().optional(), restartExpectedMs: z.number().optional() }).optional(),
  /** Milliseconds from the upgrade to the close when the Gateway closed before hello-ok. */
  closedAfterMs: z.number().optional(),
  /** The frame the Gateway sent that was not protocol (garbage, oversized). */
  protocolViolation: z.string().optional(),
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
  issues: z.array(z.string()).default([]),
});
export type ChannelState = z.infer<typeof ChannelStateSchema>;
export const ChannelsEvidence = RpcEvidence.extend({
  channels: z.array(ChannelStateSchema).default([]),
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

/** Exposure: the gateway port must not answer on the gateway's public address. */
export const ExposureEvidence = z.object({
  address: z.string(),
  port: z.number(),
  tcp: z.enum(['open', 'refused', 'timeout', 'error']),
  httpStatus: z.number().optional(),
  openclaw: z.boolean().optional(),
  durationMs: z.number(),
});

export const ProbeReportSchema = z.object({
  schema: z.literal(1),
  gateway: z.object({
    name: z.string(),
    /** The URL without credentials (a URL never carries the token here). */
    url: z.string(),
    host: z.string(),
    port: z.number(),
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
  exposure: ExposureEvidence.optional(),
  /** Host-side evidence from the agent on the gateway host (another issue fills it). */
  host: z.record(z.string(), z.unknown()).optional(),
  /** Our own client's identity and version, for verdict texts. */
  client: z.object({ version: z.string(), deviceId: z.string().optional() }),
});
export type ProbeReport = z.infer<typeof ProbeReportSchema>;

export function layerOf<L extends LayerName>(report: ProbeReport, name: L): LayerOf<L> | undefined {
  return report.layers.find((layer): layer is LayerOf<L> => layer.layer === name);
}

/** The first layer (in ladder order) that failed, if any. */
export function firstFailedLayer(report: ProbeReport): LayerResult | undefined {
  for (const name of LAYER_ORDER) {
    const layer = layerOf(report, name);
    if (layer?.status === 'failed') return layer;
  }
  return undefined;
}
