import type { OffboardingConfig } from '../../../config/sections/offboarding.js';
import type { Logger } from '../../../log.js';
import type { GroupMembership } from '../../../slack/authorize.js';
import type { SlackPoster } from '../../../slack/poster.js';
import type { AuditLog } from '../../../state/audit.js';
import type { AdminApiClient } from '../../../tailscale/admin-api.js';
import { authorizeApprover } from '../approvers.js';
import type { ButtonValue } from '../button-value.js';
import type { ChecklistMessages } from '../checklist-messages.js';
import { isOpen, type Offboarding, type SlackLocation } from '../model.js';
import type { OffboardingQueue } from '../queue.js';
import type { OffboardingStore } from '../store.js';
import { md, mention, plainOf, type SlackText } from '../../../render/slack-text.js';
import { writeAudit } from '../../../state/audit.js';

/**
 * What every checklist button shares: its dependencies, the click, and the preamble — the clicker
 * must be an approver (re-checked on every click, as a typed command would be), the checklist must
 * exist and be open — with the refusal said to the clicker and written to the audit stream.
 */
export interface ChecklistDeps {
  config: OffboardingConfig;
  store: OffboardingStore;
  admin: AdminApiClient | undefined;
  messages: ChecklistMessages;
  queue: Pick<OffboardingQueue, 'cancelReminders'>;
  audit: AuditLog;
  groups: GroupMembership;
  poster: SlackPoster;
  permalink: (location: SlackLocation) => Promise<string | undefined>;
  logger: Logger;
  now: () => number;
}

export interface Click {
  userId: string;
  channelId?: string;
  value: ButtonValue;
  /** Ephemeral, to the clicker: escaped text only. */
  reply: (text: SlackText) => Promise<void>;
}

export type AuditFn = (outcome: string, target?: string) => Promise<void>;

export function auditFor(deps: ChecklistDeps, click: Click, command: string, offboarding?: Offboarding): AuditFn {
  return async (outcome, target) => {
    const entry = {
      at: deps.now(),
      user: click.userId,
      ...(click.channelId ? { channel: click.channelId } : {}),
      command: `offboarding ${command}`,
      target: [offboarding?.subject.login, target].filter(Boolean).join(' · ') || undefined,
      outcome,
    };
    await writeAudit(deps.audit, deps.logger, entry);
    deps.logger.info({ user: click.userId, command: entry.command, offboarding: offboarding?.id, outcome: entry.outcome }, 'offboarding action');
  };
}

/** Authorization and the record; undefined when the click was answered here (refused, stale, closed). */
export async function checklistFor(deps: ChecklistDeps, click: Click, command: string): Promise<Offboarding | undefined> {
  const decision = await authorizeApprover(deps.config.approvers, click.userId, deps.groups);
  const offboarding = click.value.o ? await deps.store.get(click.value.o) : undefined;
  const audit = auditFor(deps, click, command, offboarding);
  if (!decision.allowed) {
    await click.reply(md`🚫 Not allowed: ${decision.reason}.`);
    await audit(`refused: ${plainOf(decision.reason)}`);
    // Refusals are said in the thread too: someone tried, and the approvers should know.
    if (offboarding && isOpen(offboarding))
      await deps.messages.note(offboarding, md`🚫 ${mention(click.userId)} clicked *${command}*: refused (not an offboarding approver). Nothing was done.`);
    return undefined;
  }
  if (!offboarding) {
    await click.reply(md`⚠️ This checklist is out of date or no longer stored.`);
    await audit('failed: no such offboarding');
    return undefined;
  }
  if (!isOpen(offboarding)) {
    await click.reply(md`This checklist was closed by ${mention(offboarding.closed!.by)}; nothing was done.`);
    await audit('refused: checklist closed');
    return undefined;
  }
  return offboarding;
}
