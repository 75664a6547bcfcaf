import type { Job } from 'bullmq';

/**
 * Since when a job's keyed Slack post may already exist — `SlackPoster.post`'s `reconcileSinceMs`
 * — or undefined when it cannot: a first run posts without looking. A run after a failed attempt
 * (`attemptsMade`: a 5xx or a reset may have hidden a post that went through) or after a run that
 * was cut short (a stalled job starts again without a failure being counted; `attemptsStarted`
 * says it started before) looks for its own message first, from when the job was created.
 */
export function reconcileSinceFor(job: Pick<Job, 'timestamp' | 'attemptsMade' | 'attemptsStarted'>): number | undefined {
  return job.attemptsMade > 0 || job.attemptsStarted > 1 ? job.timestamp : undefined;
}
