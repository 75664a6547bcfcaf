import * as z from 'zod';

/**
 * The success fingerprint of one gateway: what identifies the build and the deployment that
 * answered a check — so that after an upgrade, a failure can say what changed since the last
 * good check ("version 2026.9.2 → 2026.9.6 · methods +4 −1"). Built from the report alone (PURE,
 * build.ts); each section is present only when its layer answered, so a failing check yields a
 * partial fingerprint and the diff compares only what both sides know. No secrets: the token
 * appears nowhere, the unit's token only as its 12-hex fingerprint (as in the report).
 */
export const NamedSetSchema = z.object({
  /** 16 hex of SHA-256 over the sorted names: equal sets, equal hashes. */
  hash: z.string().regex(/^[0-9a-f]{16}$/),
  count: z.number().int().nonnegative(),
  names: z.array(z.string().max(200)).max(2_000),
  truncated: z.boolean().optional(),
});
export type NamedSet = z.infer<typeof NamedSetSchema>;

export const FingerprintSchema = z.object({
  schema: z.literal(1),
  gateway: z.string().max(100),
  /** The URL checked (without credentials): a fingerprint of another URL is another gateway. */
  url: z.string().max(2_000),
  /** When the check started (ms since the epoch). */
  at: z.number().int(),
  state: z.enum(['healthy', 'degraded', 'unhealthy']),
  /** 16 hex over the identifying sections (everything but gateway, url, at, state). */
  hash: z.string().regex(/^[0-9a-f]{16}$/),
  build: z
    .object({
      version: z.string().max(200).optional(),
      buildId: z.string().max(200).optional(),
      protocol: z.number().optional(),
      /** `status` → `runtimeVersion`. */
      runtimeVersion: z.string().max(200).optional(),
      /** `/healthz` → `version`. */
      healthVersion: z.string().max(200).optional(),
    })
    .optional(),
  auth: z.object({ method: z.string().max(100).optional(), role: z.string().max(100).optional(), scopes: z.array(z.string().max(200)).max(100) }).optional(),
  methods: NamedSetSchema.optional(),
  events: NamedSetSchema.optional(),
  /** `channel/account` → `running·connected` etc., from channels.status. */
  channels: z.record(z.string().max(300), z.string().max(200)).optional(),
  host: z
    .object({
      listeners: z.object({ port: z.number(), bind: z.string().max(50), bound: z.array(z.string().max(200)).max(100) }).optional(),
      unit: z
        .object({
          name: z.string().max(300),
          activeState: z.string().max(100).optional(),
          fragmentPath: z.string().max(1_000).optional(),
          dropIns: z.array(z.string().max(1_000)).max(50),
          port: z.number().optional(),
          tokenSource: z.string().max(200).optional(),
          tokenFingerprint: z
            .string()
            .regex(/^[0-9a-f]{12}$/)
            .optional(),
        })
        .optional(),
      /** Serve routes to the Gateway: `host:443/ → http://127.0.0.1:18789` (+ ` funnel`). */
      serve: z.array(z.string().max(1_000)).max(50).optional(),
      installedVersion: z.string().max(200).optional(),
    })
    .optional(),
});
export type Fingerprint = z.infer<typeof FingerprintSchema>;

/** A good fingerprint as the store keeps it: one entry per distinct hash, with when it was seen. */
export const GoodFingerprintSchema = z.object({
  fingerprint: FingerprintSchema,
  firstSeenAt: z.number().int(),
  lastSeenAt: z.number().int(),
});
export type GoodFingerprint = z.infer<typeof GoodFingerprintSchema>;

/** One difference between the last good fingerprint and another one. */
export type FingerprintChange =
  | { kind: 'value'; field: ValueField; from: string; to: string }
  | { kind: 'set'; field: SetField; added: string[]; removed: string[]; from: string[]; to: string[] }
  | { kind: 'map'; field: 'channels'; changed: Array<{ key: string; from: string; to: string }>; added: string[]; removed: string[] };

export type ValueField =
  | 'version'
  | 'build'
  | 'protocol'
  | 'runtime'
  | 'health version'
  | 'auth'
  | 'role'
  | 'bind'
  | 'unit'
  | 'unit state'
  | 'unit file'
  | 'unit port'
  | 'unit token'
  | 'installed';
export type SetField = 'scopes' | 'methods' | 'events' | 'listeners' | 'serve' | 'unit drop-ins';
