/**
 * How fast a dead worker's check is taken over, and when a placeholder counts as stale — both
 * derived from the check budget (the longest `budgetMs` of the configured gateways), so that the
 * numbers a person waits through follow the one setting they know.
 *
 * A worker renews its job locks every lockDuration/2; when it dies, its lock lapses within
 * lockDuration and the next stalled-job sweep (every stalledInterval, run by every live worker)
 * puts the job back: a killed worker's check starts again within lockDuration + stalledInterval.
 * With the default 15 s budget that is 10 s + 5 s, and a healthy gateway answers within a second:
 * answered within 20 s of the kill. BullMQ's defaults (30 s + 30 s) made it 65 s.
 *
 * The lock may not be short: a worker whose event loop stalls longer than lockDuration loses its
 * job to another (the answer is still posted once — posting is idempotent — but probed twice).
 */
export interface LockTimings {
  lockDurationMs: number;
  stalledIntervalMs: number;
}

const MIN_LOCK_MS = 5_000;
const MAX_LOCK_MS = 30_000;

export function lockTimingsFor(budgetMs: number): LockTimings {
  const lockDurationMs = Math.min(MAX_LOCK_MS, Math.max(MIN_LOCK_MS, Math.round((budgetMs * 2) / 3)));
  return { lockDurationMs, stalledIntervalMs: Math.ceil(lockDurationMs / 2) };
}

/**
 * A "⏳ Checking…" older than this has no answer coming on its own: one budget for the check, a
 * stalled-job takeover, a second budget for the re-run, and 5 s of slack. The sweeper
 * (jobs/stale-placeholders.ts) then posts the result if one exists, or says plainly that none will come.
 */
export function staleAfterMsFor(budgetMs: number, timings: LockTimings): number {
  return 2 * budgetMs + timings.lockDurationMs + timings.stalledIntervalMs + 5_000;
}
