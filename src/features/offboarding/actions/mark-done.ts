import { openItems } from '../model.js';
import { auditFor, checklistFor, type ChecklistDeps, type Click } from './context.js';
import { md, mention } from '../../../render/slack-text.js';

/** **Mark done**: closes the checklist (with whatever is still open, said), and stops reminders. */
export async function markDone(deps: ChecklistDeps, click: Click): Promise<void> {
  const offboarding = await checklistFor(deps, click, 'mark-done');
  if (!offboarding) return;
  const audit = auditFor(deps, click, 'mark-done', offboarding);
  let closedNow = false;
  const updated = await deps.store.update(offboarding.id, (current) => {
    if (current.closed) return undefined;
    closedNow = true;
    return { ...current, closed: { by: click.userId, at: deps.now(), openItems: openItems(current).total } };
  });
  if (!closedNow || !updated?.closed) {
    await click.reply(md`This checklist was closed already.`);
    return;
  }
  await deps.queue
    .cancelReminders(updated.id, updated.reminders.sent + 1)
    .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not cancel the pending reminder (it will see the checklist closed)'));
  await deps.messages.refresh(updated);
  const left = updated.closed.openItems;
  await deps.messages.note(updated, md`✅ ${mention(click.userId)} closed this checklist${left ? ` with ${left} item(s) still open` : ''}. No more reminders.`);
  await audit(left ? `closed with ${left} item(s) open` : 'closed: every item done');
}
