import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { RemindJobSchema } from '../src/features/offboarding/offboarding-jobs.js';
import { sendReminder, type ReminderDeps } from '../src/features/offboarding/reminders.js';
import { reconcileSinceFor } from '../src/queue/reconcile-since.js';

/**
 * A reminder, due by the runtime's clock rather than BullMQ's: a job that runs early (promoted,
 * or a clock that differs) goes back to waiting for what is left of its delay.
 */
export function createRemindProcessor(deps: ReminderDeps) {
  return async (job: Job, token?: string): Promise<{ outcome: string }> => {
    const parsed = RemindJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError('invalid remind-offboarding job');
    const early = parsed.data.dueAt - deps.now();
    if (early > 0) {
      await job.moveToDelayed(Date.now() + early, token);
      throw new DelayedError();
    }
    // A run after an earlier one (failed, or cut short) looks for the posts it may have made.
    const since = reconcileSinceFor(job);
    return { outcome: await sendReminder(deps, parsed.data, since !== undefined ? { reconcileSinceMs: since } : {}) };
  };
}
