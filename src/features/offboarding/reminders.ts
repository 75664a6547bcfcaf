import type { OffboardingConfig } from '../../config/sections/offboarding.js';
import type { Logger } from '../../log.js';
import type { RemindJob } from './offboarding-jobs.js';
import { message, section } from '../../render/blocks.js';
import { formatAge, summaryText } from './render/offboarding-summary.js';
import { EMPTY, link, md } from '../../render/slack-text.js';
import type { SlackPoster } from '../../slack/poster.js';
import { isOpen, type SlackLocation } from './model.js';
import type { OffboardingQueue } from './queue.js';
import type { OffboardingStore } from './store.js';
import { checklistPostKeys } from './post-keys.js';

/**
 * A due reminder: said in the checklist's thread while anything is open, and also in the
 * escalation channel once `escalateAfter` reminders went unanswered; then the next one is
 * scheduled. A closed checklist stops the chain. The caller has checked that it is due.
 * Both posts are keyed (checklistPostKeys): with `reconcileSinceMs` (a job that ran before) each is
 * looked for first, so a retry after a lost answer says neither twice.
 */
export interface ReminderDeps {
  config: OffboardingConfig;
  store: OffboardingStore;
  poster: SlackPoster;
  queue: Pick<OffboardingQueue, 'scheduleReminder'>;
  permalink: (location: SlackLocation) => Promise<string | undefined>;
  logger: Logger;
  now: () => number;
}

export type ReminderOutcome = 'sent' | 'escalated' | 'stopped';

export async function sendReminder(deps: ReminderDeps, job: RemindJob, options: { reconcileSinceMs?: number } = {}): Promise<ReminderOutcome> {
  const offboarding = await deps.store.get(job.id);
  if (!offboarding || !isOpen(offboarding) || !offboarding.prompt) return 'stopped';
  // A reminder already sent (a retried job) is not said twice.
  if (offboarding.reminders.sent >= job.n) return 'stopped';
  const now = deps.now();
  const summary = summaryText(offboarding, { now });
  const text = md`⏰ Reminder ${job.n}: this offboarding is still open — ${summary}`;
  const reconcile = options.reconcileSinceMs !== undefined ? { reconcileSinceMs: options.reconcileSinceMs } : {};
  await deps.poster.post({ channel: offboarding.prompt.channel, threadTs: offboarding.prompt.ts }, message(text, [section(text)]), {
    key: checklistPostKeys.reminder(offboarding.id, job.n),
    ...reconcile,
  });
  const escalate = job.n > deps.config.reminders.escalateAfter && deps.config.escalationChannel !== undefined;
  if (escalate) {
    const url = await deps.permalink(offboarding.prompt).catch(() => undefined);
    const line = md`🚨 The offboarding of *${offboarding.subject.login}* is still open after ${job.n - 1} reminder(s) (opened ${formatAge(now - offboarding.openedAt)} ago): ${summary}${url ? md` · ${link(url, 'checklist')}` : EMPTY}`;
    await deps.poster.post({ channel: deps.config.escalationChannel! }, message(line, [section(line)]), {
      key: checklistPostKeys.escalation(offboarding.id, job.n),
      ...reconcile,
    });
  }
  await deps.store.update(offboarding.id, (current) => ({ ...current, reminders: { sent: Math.max(current.reminders.sent, job.n), lastAt: now } }));
  await deps.queue.scheduleReminder(offboarding.id, job.n + 1, now + deps.config.reminders.afterMinutes * 60_000);
  deps.logger.info({ offboarding: offboarding.id, reminder: job.n, escalated: escalate }, 'offboarding reminder sent');
  return escalate ? 'escalated' : 'sent';
}
