import { utc } from '../render/offboarding-blocks.js';
import { auditFor, checklistFor, type ChecklistDeps, type Click } from './context.js';
import { md, mention } from '../../../render/slack-text.js';

/**
 * **Token rotated**: a person says the gateway's token was changed (clawops cannot see tokens,
 * and must not). Recorded with who and when; the time also feeds the rotation correlation under
 * verdicts: an `auth-rejected` soon after names the rotation as the likely cause.
 */
export async function tickTokenRotated(deps: ChecklistDeps, click: Click): Promise<void> {
  const offboarding = await checklistFor(deps, click, 'token-rotated');
  if (!offboarding) return;
  const audit = auditFor(deps, click, 'token-rotated', offboarding);
  const gateway = click.value.w;
  const at = deps.now();
  let ticked = false;
  const updated = await deps.store.update(offboarding.id, (current) => {
    const item = current.gateways.find((candidate) => candidate.name === gateway);
    if (!item || item.status !== 'open') return undefined;
    Object.assign(item, { status: 'rotated', by: click.userId, at });
    ticked = true;
    return current;
  });
  if (!ticked || !updated || !gateway) {
    await click.reply(md`That gateway is already ticked or not on this checklist.`);
    return;
  }
  await deps.store.recordRotation(gateway, at);
  await deps.messages.refresh(updated);
  await deps.messages.note(
    updated,
    md`🔑 ${mention(click.userId)} rotated the token of *${gateway}* · ${utc(at)}. Clients that still present the old one will be refused (\`auth-rejected\`): update them.`,
  );
  await audit('ticked: token rotated', `gateway ${gateway}`);
}
