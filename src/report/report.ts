import * as z from 'zod';
import { LayerResultSchema } from './layer-evidence.js';
import { Fingerprint, ExposureEvidence, GatewayConfigEvidence, HostEvidence, TailnetPolicyEvidence } from './side-evidence.js';
export { LAYER_ORDER, type LayerName } from './layer-names.js';
export * from './layer-evidence.js';
export * from './side-evidence.js';
// report/ is the one model everything shares: the ladder order (layer-names.ts), the helpers over a
// report (layer-order.ts: no zod, so the check path never builds these schemas), each layer's
// evidence (layer-evidence.ts), the evidence beside the layers (side-evidence.ts), and Node's socket
// errors as kinds (net-error.ts). Everything is re-exported here except the helpers.

/**
 * The probe report: plain JSON, the only thing that crosses from the network side (probes) to the
 * pure side (diagnosis, rendering). It is stored in Redis and sent between processes, so it has a
 * zod schema and a version.
 *
 * Layers are listed in ladder order. The first layer that failed decides; a layer that could not be
 * attempted because an earlier one failed is `not-reached`, never `failed`.
 */
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
  tokenOwners: z
    .array(z.object({ gateway: z.string(), via: z.enum(['config', 'host-unit']), tokenEnv: z.string().optional(), fingerprint: Fingerprint }))
    .optional(),
  /** The tailnet policy for this node and the gateway's port, when TSMP answered and TCP timed out. */
  tailnetPolicy: TailnetPolicyEvidence.optional(),
  /** Our own client's identity and version, for verdict texts. */
  client: z.object({ version: z.string(), deviceId: z.string().optional() }),
});
export type ProbeReport = z.infer<typeof ProbeReportSchema>;
