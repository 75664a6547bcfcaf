/** Order statistics for the bench: nearest-rank percentiles, no interpolation (every figure is one that was measured). */

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Rounded for display: whole numbers above 100, one decimal below. */
export function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}

export function ratio(value: number, baseline: number): number | undefined {
  return baseline > 0 ? Math.round((value / baseline) * 100) / 100 : undefined;
}

export function spread(values: readonly number[], unit: string): string {
  return `p50 ${round(median(values))} · p90 ${round(percentile(values, 90))} · min ${round(Math.min(...values))} · max ${round(Math.max(...values))} ${unit} · n=${values.length}`;
}
