import type { MinimalJob } from 'bullmq';

/**
 * How long a check's answer keeps trying to reach Slack: a bounded window sized to real Slack
 * incidents (minutes; `queue.postRetryWindowMs`, default 15 min), not a fixed number of quick
 * attempts (6 attempts were over in 31 s). Backoff doubles from 1 s up to 15 s between attempts,
 * and a 429's Retry-After is always waited out in full. The window runs from the job's creation:
 * past it, the job fails, and the stale-placeholder sweeper tries once more later.
 */
export const POST_BACKOFF_TYPE = 'slack-window';
export const DEFAULT_POST_RETRY_WINDOW_MS = 15 * 60_000;
const FIRST_DELAY_MS = 1_000;
export const MAX_POST_DELAY_MS = 15_000;

/** Job options for a post that retries within the window (the worker supplies the strategy). */
export function windowedRetryOptions() {
  // Attempts are bounded by the window (the strategy returns -1 past it), not by a count.
  return { attempts: 100_000, backoff: { type: POST_BACKOFF_TYPE } };
}

/** BullMQ's `settings.backoffStrategy` for workers whose jobs use `windowedRetryOptions`. */
export function windowedBackoff(windowMs: number, now: () => number = Date.now) {
  return (attemptsMade: number, type: string | undefined, error: Error | undefined, job: MinimalJob | undefined): number => {
    if (type !== POST_BACKOFF_TYPE) return 0;
    const exponential = Math.min(MAX_POST_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1));
    // Up to 20 % earlier, so that many answers held up by one outage do not return in lockstep
    // (never later: 15 s stays the longest an answer waits once Slack is back).
    const jittered = Math.round(exponential * (0.8 + Math.random() * 0.2));
    const retryAfter = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
    const delay = typeof retryAfter === 'number' && retryAfter > 0 ? Math.max(retryAfter, jittered) : jittered;
    const left = (job?.timestamp ?? now()) + windowMs - now();
    if (left <= 0) return -1;
    if (delay <= left) return delay;
    // One last attempt as the window closes — unless Slack asked us to wait longer than that.
    return typeof retryAfter === 'number' && retryAfter > left ? -1 : left;
  };
}
