import { z } from 'zod';
import type { CheckResult } from '../../../check/checker.js';
import { LAYER_ORDER, layerOf } from '../../../report/layer-order.js';

/**
 * One check result as history keeps it: small (hundreds of thousands of them live in Redis), with
 * what `/gateway history` and the digest show — state, the decisive verdict, the version and the
 * time each attempted layer took. The full report is kept only for recent failures.
 */
export const CheckSourceSchema = z.enum(['command', 'schedule']);
export type CheckSource = z.infer<typeof CheckSourceSchema>;

export const HistoryEntrySchema = z.object({
  /** When the probe started (ms since the epoch): also what tells one probe from another. */
  at: z.number().int(),
  state: z.enum(['healthy', 'degraded', 'unhealthy']),
  verdict: z.string().optional(),
  failedLayer: z.string().optional(),
  version: z.string().optional(),
  source: CheckSourceSchema,
  durationMs: z.number().nonnegative(),
  /** Milliseconds per layer that ran (skipped and not-reached layers are left out). */
  layers: z.record(z.string(), z.number().nonnegative()),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

export function entryFromResult({ report, diagnosis }: CheckResult, source: CheckSource): HistoryEntry {
  const layers: Record<string, number> = {};
  for (const name of LAYER_ORDER) {
    const layer = layerOf(report, name);
    if (!layer || layer.status === 'skipped' || layer.status === 'not-reached') continue;
    layers[name] = Math.round(layer.durationMs);
  }
  const primary = diagnosis.verdicts[0];
  return {
    at: Date.parse(report.startedAt),
    state: diagnosis.state,
    ...(primary && diagnosis.state !== 'healthy' ? { verdict: primary.id } : {}),
    ...(diagnosis.failedLayer ? { failedLayer: diagnosis.failedLayer } : {}),
    ...(diagnosis.version.running ? { version: diagnosis.version.running } : {}),
    source,
    durationMs: Math.round(report.durationMs),
    layers,
  };
}

/** A check counts as up unless it is unhealthy: degraded (e.g. scope-limited) still serves. */
export function isUp(state: HistoryEntry['state']): boolean {
  return state !== 'unhealthy';
}

/** The handshake time of a check whose handshake completed, for p50/p95. */
export function handshakeMs({ report }: CheckResult): number | undefined {
  const handshake = layerOf(report, 'handshake');
  return handshake && (handshake.status === 'ok' || handshake.status === 'warn') ? handshake.durationMs : undefined;
}
