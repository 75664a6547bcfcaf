import * as z from 'zod';
import { EnvNameSchema, GatewayUrlSchema } from '../fields.js';

/**
 * `metrics:` in clawops.yaml — the blackbox-style `/probe` endpoint (src/features/metrics/). Where
 * the endpoint listens is the environment's (`CLAWOPS_METRICS_ADDR`), like the health endpoints; what
 * it may probe is the file's. `/probe?gateway=NAME` checks configured gateways only; `target=URL`
 * is refused unless the URL is listed here, with the variable holding its token: a scrape config
 * names a URL, never a token.
 */
export const ProbeTargetSchema = z
  .object({
    /** ws:// or wss://, no credentials, no query (the same rules as a gateway's url). */
    url: GatewayUrlSchema.check(
      z.refine((url: string) => !url.includes('?') && !url.includes('#'), {
        error: 'expected a URL without a query or fragment: it is matched exactly',
      }),
    ),
    /** The variable holding its token (default `defaults.tokenEnv`). */
    tokenEnv: z.optional(EnvNameSchema),
  })
  .strict();
export type ProbeTarget = z.infer<typeof ProbeTargetSchema>;

export const MetricsConfigSchema = z
  .object({
    probe: z
      .object({
        /** `/probe` checks running at once (one per gateway or target: the same one asked twice shares); more answer 503. */
        maxConcurrent: z.number().int().min(1).max(64).default(4),
        /** URLs `target=` may name; empty (default): `target=` is refused. */
        targets: z.array(ProbeTargetSchema).max(100).default([]),
      })
      .strict()
      .prefault({}),
    /** How long /metrics reuses what it read from Redis (queue depths, alert and offboarding state). */
    cacheSeconds: z.number().int().min(1).max(300).default(5),
  })
  .strict();
export type MetricsConfig = z.infer<typeof MetricsConfigSchema>;
