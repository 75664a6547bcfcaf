import { z } from 'zod';
import { LAYER_ORDER } from './layer-names.js';
import { LayerResultSchema } from './layer-evidence.js';

/**
 * The evidence a report carries beside its layers: the Gateway's own settings, public exposure,
 * the tailnet policy, and the host agent's view. Schemas, with a type of the same name for each.
 */
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
  tokenFingerprint: z
    .string()
    .regex(/^[0-9a-f]{12}$/)
    .optional(),
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
 * The tailnet policy read for THIS node (src/policy/policy-reach.ts), attached only when it can
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
export const Fingerprint = z.string().regex(/^[0-9a-f]{12}$/);
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
  findings: z
    .array(z.object({ id: z.string(), symptom: z.string().optional(), severity: z.enum(['critical', 'warning', 'info']), summary: z.string() }))
    .default([]),
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
    .array(
      z.object({
        id: z.string(),
        severity: z.enum(['error', 'warning', 'info']),
        message: z.string(),
        path: z.string().optional(),
        fixHint: z.string().optional(),
      }),
    )
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

export type GatewayConfigEvidence = z.infer<typeof GatewayConfigEvidence>;
export type ExposureEvidence = z.infer<typeof ExposureEvidence>;
export type TailnetPolicyEvidence = z.infer<typeof TailnetPolicyEvidence>;
export type HostListenersEvidence = z.infer<typeof HostListenersEvidence>;
export type HostLoopbackEvidence = z.infer<typeof HostLoopbackEvidence>;
export type HostUnitEvidence = z.infer<typeof HostUnitEvidence>;
export type HostVersionEvidence = z.infer<typeof HostVersionEvidence>;
export type HostDoctorEvidence = z.infer<typeof HostDoctorEvidence>;
export type HostServeRoute = z.infer<typeof HostServeRoute>;
export type HostServeEvidence = z.infer<typeof HostServeEvidence>;
export type HostFirewallEvidence = z.infer<typeof HostFirewallEvidence>;
export type HostEvidence = z.infer<typeof HostEvidence>;
