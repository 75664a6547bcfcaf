/** Queue and job names: one place, so producers and workers cannot drift apart. */
export const QUEUES = {
  /** A person (or a button) asked for a check; the worker probes and hands the result to `posts`. */
  checks: 'checks',
  /** Posting results to Slack: retried with backoff, idempotent. */
  posts: 'posts',
  /** Scheduled checks and digests, from job schedulers upserted at boot (jobs/schedules.ts). */
  monitor: 'monitor',
  /** Alert posts and their thread follow-ups: retried with backoff, one job per decision. */
  alerts: 'alerts',
} as const;

export const JOBS = {
  checkRequest: 'check-request',
  postCheckResult: 'post-check-result',
  scheduledCheck: 'scheduled-check',
  digest: 'digest',
  postAlert: 'post-alert',
} as const;

/** BullMQ job ids may not contain ':' (it is the key separator). */
export function postJobId(requestId: string): string {
  return `post-${requestId}`;
}
