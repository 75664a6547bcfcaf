/**
 * Handshake times kept as a log-bucketed histogram (the DDSketch idea): bucket `i` holds values in
 * (γ^(i-1), γ^i] with γ = (1+α)/(1-α), so any quantile read back is within α (5 %) of a real
 * sample. Buckets add up across hours and gateways, which is what lets clawops keep a week of
 * p50/p95 per gateway in a few counters per hour instead of every sample. PURE.
 */
export const RELATIVE_ACCURACY = 0.05;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Everything at or under 1 ms shares bucket 0; a handshake is never usefully faster. */
const FLOOR_MS = 1;

export type Buckets = Map<number, number>;

export function bucketOf(ms: number): number {
  if (!Number.isFinite(ms) || ms <= FLOOR_MS) return 0;
  return Math.ceil(Math.log(ms) / LOG_GAMMA);
}

/** The value a bucket stands for: the point whose relative error to both edges is α. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return FLOOR_MS;
  return (2 * GAMMA ** bucket) / (GAMMA + 1);
}

export function addBuckets(into: Buckets, from: Iterable<[number, number]>): Buckets {
  for (const [bucket, count] of from) into.set(bucket, (into.get(bucket) ?? 0) + count);
  return into;
}

export function bucketsOf(samples: number[]): Buckets {
  const buckets: Buckets = new Map();
  for (const sample of samples) addBuckets(buckets, [[bucketOf(sample), 1]]);
  return buckets;
}

/** The q-quantile (0..1) of the counted samples, or undefined when there are none. */
export function quantile(buckets: Buckets, q: number): number | undefined {
  const total = [...buckets.values()].reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  // The rank of the wanted sample among n, as in the nearest-rank method.
  const rank = Math.max(1, Math.ceil(Math.min(1, Math.max(0, q)) * total));
  let seen = 0;
  for (const bucket of [...buckets.keys()].sort((a, b) => a - b)) {
    seen += buckets.get(bucket)!;
    if (seen >= rank) return bucketValue(bucket);
  }
  return undefined;
}
