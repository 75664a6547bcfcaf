import * as z from '../../zod-mini.js';

/**
 * The success fingerprint of one gateway: what identifies the build and the deployment that
 * answered a check — so that after an upgrade, a failure can say what changed since the last
 * good check ("version 2026.9.2 → 2026.9.6 · methods +4 −1"). Built from the report alone (PURE,
 * build.ts); each section is present only when its layer answered, so a failing check yields a
 * partial fingerprint and the diff compares only what both sides know. No secrets: the token
 * appears nowhere, the unit's token only as its 12-hex fingerprint (as in the report). zod's mini
 * API: `clawops check` validates the good fingerprints it keeps on every run (src/zod-mini.ts).
 */
const text = (max: number) => z.string().check(z.maxLength(max));
const hex = (length: number) => z.string().check(z.regex(new RegExp(`^[0-9a-f]{${length}}$`)));
const list = <T extends z.core.SomeType>(item: T, max: number) => z.array(item).check(z.maxLength(max));

export const NamedSetSchema = z.object({
  /** 16 hex of SHA-256 over the sorted names: equal sets, equal hashes. */
  hash: hex(16),
  count: z.number().check(z.int(), z.nonnegative()),
  names: list(text(200), 2_000),
  truncated: z.optional(z.boolean()),
});
export type NamedSet = z.infer<typeof NamedSetSchema>;

export const FingerprintSchema = z.object({
  schema: z.literal(1),
  gateway: text(100),
  /** The URL checked (without credentials): a fingerprint of another URL is another gateway. */
  url: text(2_000),
  /** When the check started (ms since the epoch). */
  at: z.number().check(z.int()),
  state: z.enum(['healthy', 'degraded', 'unhealthy']),
  /** 16 hex over the identifying sections (everything but gateway, url, at, state). */
  hash: hex(16),
  build: z.optional(
    z.object({
      version: z.optional(text(200)),
      buildId: z.optional(text(200)),
      protocol: z.optional(z.number()),
      /** `status` → `runtimeVersion`. */
      runtimeVersion: z.optional(text(200)),
      /** `/healthz` → `version`. */
      healthVersion: z.optional(text(200)),
    }),
  ),
  auth: z.optional(z.object({ method: z.optional(text(100)), role: z.optional(text(100)), scopes: list(text(200), 100) })),
  methods: z.optional(NamedSetSchema),
  events: z.optional(NamedSetSchema),
  /** `channel/account` → `running·connected` etc., from channels.status. */
  channels: z.optional(z.record(text(300), text(200))),
  host: z.optional(
    z.object({
      listeners: z.optional(z.object({ port: z.number(), bind: text(50), bound: list(text(200), 100) })),
      unit: z.optional(
        z.object({
          name: text(300),
          activeState: z.optional(text(100)),
          fragmentPath: z.optional(text(1_000)),
          dropIns: list(text(1_000), 50),
          port: z.optional(z.number()),
          tokenSource: z.optional(text(200)),
          tokenFingerprint: z.optional(hex(12)),
        }),
      ),
      /** Serve routes to the Gateway: `host:443/ → http://127.0.0.1:18789` (+ ` funnel`). */
      serve: z.optional(list(text(1_000), 50)),
      installedVersion: z.optional(text(200)),
    }),
  ),
});
export type Fingerprint = z.infer<typeof FingerprintSchema>;

/** A good fingerprint as the store keeps it: one entry per distinct hash, with when it was seen. */
export const GoodFingerprintSchema = z.object({
  fingerprint: FingerprintSchema,
  firstSeenAt: z.number().check(z.int()),
  lastSeenAt: z.number().check(z.int()),
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
