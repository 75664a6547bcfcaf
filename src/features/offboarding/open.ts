import type { OffboardingConfig } from '../../config/sections/offboarding.js';
import type { Logger } from '../../log.js';
import type { OpenJob } from './offboarding-jobs.js';
import type { SlackPoster } from '../../slack/poster.js';
import type { AuditLog } from '../../state/audit.js';
import type { AdminApiClient } from '../../tailscale/admin-api.js';
import type { ChecklistMessages } from './checklist-messages.js';
import { gatherFor } from './gather.js';
import { isOpen, openItems, type Offboarding } from './model.js';
import type { OffboardingQueue } from './queue.js';
import type { OffboardingStore } from './store.js';
import { writeAudit } from '../../state/audit.js';
import { checklistPostKeys } from './post-keys.js';

/**
 * Opens one offboarding: claim the person (once, whatever triggered it), gather what they can
 * still reach, store it, post the checklist (and mirror it to the DM of whoever asked), schedule
 * the first reminder, write the "opened" audit entry. Idempotent, so a retried job finishes a
 * half-done open instead of starting a second one: a claim without a record is taken over, a record
 * without a posted prompt is posted, and a posted one still `opening` (its first reminder or audit
 * entry may be missing: scheduling failed, Redis blipped) gets the steps after the prompt.
 * The prompt carries a key (checklistPostKeys); when a half-done record is taken up, the channel is
 * searched for that key first, since an earlier run's post may have reached Slack with its answer
 * lost (a 5xx, a reset, a crash before the record was updated) — so the checklist is posted once.
 */
export interface OpenDeps {
  config: OffboardingConfig;
  knownGateways: () => readonly string[];
  store: OffboardingStore;
  admin: AdminApiClient | undefined;
  adminProblem?: string;
  poster: SlackPoster;
  messages: ChecklistMessages;
  queue: Pick<OffboardingQueue, 'scheduleReminder'>;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

export type OpenOutcome = { kind: 'opened'; offboarding: Offboarding } | { kind: 'exists'; offboarding?: Offboarding };

export async function openOffboarding(deps: OpenDeps, job: OpenJob): Promise<OpenOutcome> {
  const { login } = job.subject;
  const audit = (outcome: string) =>
    writeAudit(deps.audit, deps.logger, {
      at: deps.now(),
      user: job.trigger.by ?? 'clawops',
      command: `offboarding open (${job.trigger.kind})`,
      target: login,
      outcome,
    });

  const id = deps.newId();
  let record: Offboarding | undefined;
  /** Set when an earlier run stored this record: its prompt may be in the channel already. */
  let resumed = false;
  const claim = await deps.store.claimPerson(login, id);
  if (!claim.claimed) {
    const existing = claim.existingId ? await deps.store.get(claim.existingId) : undefined;
    if (existing && isOpen(existing) && !existing.prompt) {
      record = existing;
      resumed = true;
    } else if (existing && isOpen(existing) && existing.opening) {
      // The checklist is up; an earlier run stopped after it. Its DM copy is not tried again
      // (a DM is attempted once, as below: it may have been posted with its record update lost).
      return finishOpening(deps, existing, audit);
    } else if ((!existing || (!isOpen(existing) && job.trigger.kind === 'command')) && (await deps.store.reclaimPerson(login, claim.existingId, id))) {
      record = undefined;
    } else {
      await audit(existing && isOpen(existing) ? 'ignored: an offboarding is already open for this person' : 'ignored: this person was offboarded already');
      return { kind: 'exists', ...(existing ? { offboarding: existing } : {}) };
    }
  }

  if (!record) {
    const gathered = await gatherFor({
      login,
      admin: deps.admin,
      ...(deps.adminProblem ? { adminProblem: deps.adminProblem } : {}),
      tokenAccess: deps.config.tokenAccess,
      knownGateways: deps.knownGateways(),
    });
    record = {
      id,
      subject: job.subject,
      trigger: job.trigger,
      openedAt: deps.now(),
      ...gathered,
      mirrors: [],
      deletions: 0,
      reminders: { sent: 0 },
      opening: true,
    };
    try {
      await deps.store.create(record);
    } catch (error) {
      await deps.store.releasePerson(login, id);
      throw error;
    }
  }

  const posted = await deps.poster.post({ channel: deps.config.channel }, deps.messages.render(record), {
    key: checklistPostKeys.prompt(record.id),
    ...(resumed ? { reconcileSinceMs: record.openedAt } : {}),
  });
  // `opening` too: a record of an older build taken up here is finished like a new one.
  record = (await deps.store.update(record.id, (current) => ({ ...current, prompt: { channel: posted.channel, ts: posted.ts }, opening: true }))) ?? record;
  if (job.dmTo && record.mirrors.length === 0) {
    try {
      // Keyed like every checklist post, but never looked for: it follows the prompt's record
      // update, so a run that takes up a half-done record cannot have posted it yet (and a failed
      // DM is logged, not retried).
      const dm = await deps.poster.post({ channel: job.dmTo }, deps.messages.render(record), { key: checklistPostKeys.mirror(record.id) });
      record = (await deps.store.update(record.id, (current) => ({ ...current, mirrors: [{ channel: dm.channel, ts: dm.ts }] }))) ?? record;
    } catch (error) {
      deps.logger.warn({ err: error, offboarding: record.id }, 'could not mirror the checklist to a DM');
    }
  }
  return finishOpening(deps, record, audit);
}

/**
 * The steps after the prompt, safe to run again: the first reminder (its job id, remindJobId,
 * makes a second scheduling a no-op) and, once, the "opened" entry. The write that clears
 * `opening` is the commit point and the entry follows it, so a retry never writes a second one;
 * a failed append is logged, as every audit entry is (writeAudit).
 */
async function finishOpening(deps: OpenDeps, record: Offboarding, audit: (outcome: string) => Promise<void>): Promise<OpenOutcome> {
  await deps.queue.scheduleReminder(record.id, 1, record.openedAt + deps.config.reminders.afterMinutes * 60_000);
  let finished = false;
  const current =
    (await deps.store.update(record.id, (latest) => {
      finished = latest.opening === true;
      return finished ? { ...latest, opening: undefined } : undefined;
    })) ?? record;
  if (finished) {
    const open = openItems(current);
    await audit(`opened: ${open.devices.length} device(s), ${open.groups.length} group(s), ${open.gateways.length} token(s) to rotate`);
    deps.logger.info(
      { offboarding: current.id, trigger: current.trigger.kind, devices: open.devices.length, groups: open.groups.length, gateways: open.gateways.length },
      'offboarding opened',
    );
  }
  return { kind: 'opened', offboarding: current };
}
