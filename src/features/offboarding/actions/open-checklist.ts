import { authorizeApprover } from '../approvers.js';
import { isOpen, type Offboarding } from '../model.js';
import { auditFor, type ChecklistDeps, type Click } from './context.js';
import { joinText, link, md, plainOf } from '../../../render/slack-text.js';

/**
 * The button under a verdict: shows the checklist (or, for several, each of them) to the clicker
 * only, with the same authorization as the checklist itself. The checklist's own buttons work
 * from there: they act on the stored record and update the channel's message.
 */
const SHOWN_AT_ONCE = 3;

export async function openChecklist(deps: ChecklistDeps, click: Click): Promise<void> {
  const audit = auditFor(deps, click, 'open-checklist');
  const decision = await authorizeApprover(deps.config.approvers, click.userId, deps.groups);
  if (!decision.allowed) {
    await click.reply(md`🚫 Not allowed: ${decision.reason}.`);
    await audit(`refused: ${plainOf(decision.reason)}`);
    return;
  }
  const wanted = click.value.o ? [await deps.store.get(click.value.o)] : await deps.store.listOpen(50);
  const open = wanted.filter((offboarding): offboarding is Offboarding => offboarding !== undefined && isOpen(offboarding));
  if (open.length === 0) {
    await click.reply(md`✅ No offboarding is open any more.`);
    return;
  }
  for (const offboarding of open.slice(0, SHOWN_AT_ONCE)) {
    if (click.channelId) await deps.poster.ephemeral(click.channelId, click.userId, deps.messages.render(offboarding));
  }
  const rest = open.slice(click.channelId ? SHOWN_AT_ONCE : 0);
  if (rest.length) {
    const lines = await Promise.all(
      rest.slice(0, 20).map(async (offboarding) => {
        const url = offboarding.prompt ? await deps.permalink(offboarding.prompt).catch(() => undefined) : undefined;
        return md`• ${offboarding.subject.login}${url ? md` — ${link(url, 'checklist')}` : ''}`;
      }),
    );
    await click.reply(md`${rest.length} more open offboarding(s):\n${joinText(lines, '\n')}${rest.length > 20 ? `\n…and ${rest.length - 20} more` : ''}`);
  }
  await audit(`shown: ${open.length} checklist(s)`);
}
