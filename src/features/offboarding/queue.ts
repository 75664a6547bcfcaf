import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  OFFBOARDING_JOBS,
  OFFBOARDING_QUEUE,
  OpenJobSchema,
  POLL_SCHEDULER_ID,
  RemindJobSchema,
  openJobId,
  remindJobId,
  type OpenJob,
} from './offboarding-jobs.js';

/**
 * The producer side of the offboarding queue. An open job is deduplicated per person (its id is
 * derived from the login); a reminder's id names its offboarding and number, so scheduling it
 * twice schedules it once, and closing a checklist can remove the pending one.
 */
export interface OffboardingQueue {
  enqueueOpen(job: OpenJob): Promise<void>;
  scheduleReminder(id: string, n: number, dueAt: number): Promise<void>;
  /** Removes the pending reminder `n` (and a few after it, in case one raced ahead). */
  cancelReminders(id: string, fromN: number): Promise<void>;
  schedulePoll(intervalMs: number): Promise<void>;
  removePoll(): Promise<void>;
  close(): Promise<void>;
}

export function createOffboardingQueue(deps: { connection: Redis; prefix: string; now: () => number }): OffboardingQueue {
  const queue = new Queue(OFFBOARDING_QUEUE, { connection: deps.connection, prefix: deps.prefix });
  // A Queue emits 'error' when Redis drops; callers hear about it from the failed call.
  queue.on('error', () => undefined);
  return {
    async enqueueOpen(job) {
      const data = OpenJobSchema.parse(job);
      await queue.add(OFFBOARDING_JOBS.open, data, {
        jobId: openJobId(data.subject.login),
        attempts: 5,
        backoff: { type: 'exponential', delay: 2_000 },
        removeOnComplete: true,
        removeOnFail: { age: 24 * 3_600 },
      });
    },
    async scheduleReminder(id, n, dueAt) {
      const data = RemindJobSchema.parse({ id, n, dueAt });
      await queue.add(OFFBOARDING_JOBS.remind, data, {
        jobId: remindJobId(id, n),
        delay: Math.max(0, dueAt - deps.now()),
        attempts: 5,
        backoff: { type: 'exponential', delay: 5_000 },
        removeOnComplete: { age: 7 * 24 * 3_600 },
        removeOnFail: { age: 7 * 24 * 3_600 },
      });
    },
    async cancelReminders(id, fromN) {
      for (let n = fromN; n < fromN + 3; n++) {
        const job = await queue.getJob(remindJobId(id, n));
        if (job && (await job.isDelayed())) await job.remove().catch(() => undefined);
      }
    },
    async schedulePoll(intervalMs) {
      await queue.upsertJobScheduler(
        POLL_SCHEDULER_ID,
        { every: intervalMs },
        { name: OFFBOARDING_JOBS.pollUsers, data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 50 } } },
      );
    },
    async removePoll() {
      await queue.removeJobScheduler(POLL_SCHEDULER_ID);
    },
    async close() {
      await queue.close();
    },
  };
}
