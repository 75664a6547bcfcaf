import { codeSection, context } from '../../../render/blocks.js';
import { TailscaleApiError, type PolicyTestFailure } from '../../../tailscale/admin-api.js';
import { removeLoginFromPolicy } from '../../../policy/policy-edit.js';
import { reason } from '../gather.js';
import type { GroupItem, Offboarding } from '../model.js';
import type { ShownChange } from '../store.js';
import { auditFor, checklistFor, type AuditFn, type ChecklistDeps, type Click } from './context.js';
import { code, md, mention, type SlackText } from '../../../render/slack-text.js';

/**
 * **Show policy change** and **Apply** for one policy group. Show reads the policy, computes the
 * removal of the login from that group (comments and everything else kept) and posts the diff in
 * the thread; it is remembered with the policy's ETag. Apply applies exactly that text, validated
 * first (the API answers 200 even when the policy's tests fail, so the body is read), then POSTed
 * with `If-Match`: if anyone edited the policy since it was shown, the API refuses and so do we —
 * a conflict is reported, never overwritten.
 */
type Computed = { kind: 'change'; change: Omit<ShownChange, 'at' | 'by'>; diff: string } | { kind: 'absent' } | { kind: 'error'; message: string };

async function compute(deps: ChecklistDeps, offboarding: Offboarding, group: string): Promise<Computed> {
  if (!deps.admin) return { kind: 'error', message: 'the Tailscale admin API is not configured (tailscale.adminApi)' };
  try {
    const policy = await deps.admin.getPolicy();
    const result = removeLoginFromPolicy(policy.hujson, offboarding.subject.login, { groups: [group] });
    if (!result.ok) return { kind: 'error', message: `the policy file does not parse: ${result.problems[0]?.message ?? 'invalid'}` };
    if (result.edits.length === 0 || result.text === policy.hujson) return { kind: 'absent' };
    return { kind: 'change', change: { etag: policy.etag, text: result.text }, diff: result.diff };
  } catch (error) {
    return { kind: 'error', message: `could not read the policy: ${reason(error)}` };
  }
}

function openGroup(offboarding: Offboarding, click: Click): GroupItem | undefined {
  return offboarding.groups.find((group) => group.name === click.value.g && group.status === 'open');
}

async function markGroup(
  deps: ChecklistDeps,
  offboarding: Offboarding,
  group: string,
  status: GroupItem['status'],
  by: string,
  note?: string,
): Promise<Offboarding> {
  const updated = await deps.store.update(offboarding.id, (current) => {
    const item = current.groups.find((candidate) => candidate.name === group);
    if (!item || item.status !== 'open') return undefined;
    Object.assign(item, { status, by, at: deps.now(), ...(note ? { note } : {}) });
    return current;
  });
  if (updated) await deps.messages.refresh(updated);
  return updated ?? offboarding;
}

async function sayAbsent(deps: ChecklistDeps, offboarding: Offboarding, group: string, click: Click): Promise<void> {
  const updated = await markGroup(deps, offboarding, group, 'removed', click.userId, 'no longer in the policy');
  await deps.messages.note(
    updated,
    md`✅ ${code(offboarding.subject.login)} is no longer in ${code(group)} (removed outside clawops, checked by ${mention(click.userId)}): item done.`,
  );
  await auditFor(deps, click, 'policy-change', offboarding)('already removed', group);
}

/** The change for one group, or — when there is none to make — the reason, said and audited. */
async function computeOrExplain(
  deps: ChecklistDeps,
  offboarding: Offboarding,
  group: string,
  click: Click,
  audit: AuditFn,
): Promise<Extract<Computed, { kind: 'change' }> | undefined> {
  const computed = await compute(deps, offboarding, group);
  if (computed.kind === 'error') {
    await click.reply(md`⚠️ ${computed.message}.`);
    await audit(`failed: ${computed.message}`, group);
    return undefined;
  }
  if (computed.kind === 'absent') {
    await sayAbsent(deps, offboarding, group, click);
    return undefined;
  }
  return computed;
}

export async function showPolicyChange(deps: ChecklistDeps, click: Click): Promise<void> {
  const offboarding = await checklistFor(deps, click, 'show-policy-change');
  if (!offboarding) return;
  const audit = auditFor(deps, click, 'show-policy-change', offboarding);
  const group = openGroup(offboarding, click);
  if (!group) {
    await click.reply(md`That policy group is already done or not on this checklist.`);
    return;
  }
  const computed = await computeOrExplain(deps, offboarding, group.name, click, audit);
  if (!computed) return;
  await deps.store.saveShownChange(offboarding.id, group.name, { ...computed.change, at: deps.now(), by: click.userId });
  const how = deps.config.applyPolicy
    ? md`*Apply* applies exactly this, and only if nobody has edited the policy since.`
    : md`Apply it by hand or through the policy’s GitOps repository (offboarding.applyPolicy is off).`;
  await deps.messages.note(
    offboarding,
    md`📝 Policy change for ${code(group.name)}, shown to ${mention(click.userId)}: remove ${code(offboarding.subject.login)} from the group; comments and everything else stay as they are.`,
    [codeSection(computed.diff.split('\n')), context([how])],
  );
  await audit('shown', group.name);
}

function describeFailures(failures: PolicyTestFailure[], message: string): string {
  const lines = failures.flatMap((failure) => failure.errors.map((error) => `${failure.user ? `${failure.user}: ` : ''}${error}`));
  return (lines.length ? lines.slice(0, 5).join('; ') : message).slice(0, 500);
}

export async function applyPolicyChange(deps: ChecklistDeps, click: Click): Promise<void> {
  const offboarding = await checklistFor(deps, click, 'apply-policy-change');
  if (!offboarding) return;
  const audit = auditFor(deps, click, 'apply-policy-change', offboarding);
  const group = openGroup(offboarding, click);
  if (!deps.config.applyPolicy) {
    await click.reply(md`Applying policy changes from Slack is off here (offboarding.applyPolicy): apply the change shown by hand or through GitOps.`);
    await audit('refused: applyPolicy is off', click.value.g);
    return;
  }
  if (!group) {
    await click.reply(md`That policy group is already done or not on this checklist.`);
    return;
  }
  let shown = await deps.store.shownChange(offboarding.id, group.name);
  if (!shown) {
    // Nobody clicked Show first: apply what the policy says now (still guarded by If-Match).
    const computed = await computeOrExplain(deps, offboarding, group.name, click, audit);
    if (!computed) return;
    shown = { ...computed.change, at: deps.now(), by: click.userId };
  }
  if (deps.config.dryRun) {
    await deps.messages.note(
      offboarding,
      md`🧪 Dry run: ${mention(click.userId)} would apply the removal of ${code(offboarding.subject.login)} from ${code(group.name)} — nothing was applied.`,
    );
    await audit('dry run: nothing applied', group.name);
    return;
  }
  const admin = deps.admin;
  if (!admin) {
    await click.reply(md`⚠️ The Tailscale admin API is not configured (tailscale.adminApi).`);
    return;
  }
  const refuse = async (said: SlackText, outcome: string) => {
    await deps.messages.note(offboarding, said);
    await click.reply(said);
    await audit(outcome, group.name);
  };
  try {
    const validation = await admin.validatePolicy(shown.text);
    if (!validation.ok) {
      return await refuse(
        md`⚠️ Not applied: the policy's tests fail with this change (${describeFailures(validation.failures, validation.message)}). Fix the tests that name the login, then Apply again.`,
        'refused: policy tests fail',
      );
    }
    await admin.setPolicy(shown.text, shown.etag);
  } catch (error) {
    if (error instanceof TailscaleApiError && error.code === 'conflict') {
      return await refuse(
        md`⚠️ Not applied: the policy was changed by someone else since this change was shown to ${mention(shown.by)}. Nothing was overwritten. Click *Show policy change* to see the change against the current policy, then Apply.`,
        'conflict: the policy changed since it was shown (If-Match refused); nothing overwritten',
      );
    }
    if (error instanceof TailscaleApiError && error.code === 'invalid') {
      return await refuse(
        md`⚠️ Not applied: the API refused the policy (${describeFailures(error.failures ?? [], error.message)}).`,
        'refused: the API refused the policy',
      );
    }
    await click.reply(md`⚠️ Could not apply the policy change: ${reason(error)}. Nothing changed; try again.`);
    await audit(`failed: ${reason(error)}`, group.name);
    return;
  }
  const updated = await markGroup(deps, offboarding, group.name, 'applied', click.userId);
  await deps.messages.note(
    updated,
    md`✅ ${mention(click.userId)} applied the policy change: ${code(offboarding.subject.login)} removed from ${code(group.name)}.`,
  );
  await audit('applied', group.name);
}
