/**
 * One measured figure of `npm run bench`. A ratio is always against a baseline measured in the
 * same run on the same machine, never against a number from elsewhere.
 */
export interface BenchRow {
  /** What was measured, e.g. "clawops check (whole process)". */
  name: string;
  value: number;
  unit: 'ms' | 'MB' | '%' | 'count' | 'ops/s';
  baseline?: { name: string; value: number };
  /** value / baseline.value */
  ratio?: number;
  /** The target, as text, e.g. "≤ 1.5× floor". */
  target?: string;
  /** Whether the target was met (absent when there is no target). */
  met?: boolean;
  note?: string;
}

export type BenchSuite = () => Promise<BenchRow[]>;
