import { TailscaleApiError, type Device } from '../../../tailscale/admin-api.js';
import { reason } from '../gather.js';
import type { DeviceItem, Offboarding } from '../model.js';
import { utc } from '../render/offboarding-blocks.js';
import { auditFor, checklistFor, type ChecklistDeps, type Click } from './context.js';
import { code, md, mention, type SlackText } from '../../../render/slack-text.js';

/**
 * **Delete device**: approvers only, within the per-person cap, a dry run only says what would
 * happen. The device is fetched again right before: it must still exist, still belong to the
 * departed login and carry no tag — a device re-tagged or handed to someone else since the
 * checklist was posted is not theirs to delete any more, and that is said instead.
 */
const same = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** Why a freshly fetched device must not be deleted as this person's, or undefined. PURE. */
export function deletionBlocker(device: Device, login: string): string | undefined {
  if (!same(device.user, login)) return `it now belongs to ${device.user ?? 'nobody'}`;
  if ((device.tags ?? []).length > 0) return `it is now tagged ${device.tags.join(', ')} (a tagged device belongs to its tags)`;
  return undefined;
}

export async function deleteDevice(deps: ChecklistDeps, click: Click): Promise<void> {
  const offboarding = await checklistFor(deps, click, 'delete-device');
  if (!offboarding) return;
  const item = offboarding.devices.find((device) => device.id === click.value.d);
  const audit = auditFor(deps, click, 'delete-device', offboarding);
  const target = item ? `${item.name} (${item.id})` : `device ${click.value.d ?? '?'}`;
  if (!item || item.status !== 'open') {
    await click.reply(item ? md`${code(item.name)} is already done (${item.status}).` : md`That device is not on this checklist.`);
    await audit('refused: not an open item', target);
    return;
  }
  if (deps.config.dryRun) {
    await deps.messages.note(offboarding, md`🧪 Dry run: ${mention(click.userId)} would delete ${code(item.name)} (id ${item.id}) — nothing was deleted.`);
    await audit('dry run: nothing deleted', target);
    return;
  }
  if (!deps.admin) {
    await click.reply(md`⚠️ The Tailscale admin API is not configured (tailscale.adminApi): delete the device in the admin console.`);
    await audit('failed: admin API not configured', target);
    return;
  }
  // Reserve a deletion under the cap first, so two clicks at once cannot both pass it.
  let reserved = false;
  await deps.store.update(offboarding.id, (current) => {
    if (current.deletions >= deps.config.maxDeletions) return undefined;
    reserved = true;
    return { ...current, deletions: current.deletions + 1 };
  });
  if (!reserved) {
    const why = `the cap of ${deps.config.maxDeletions} deletion(s) per person is reached: delete the rest in the admin console, or raise offboarding.maxDeletions`;
    await click.reply(md`🚫 Not deleted: ${why}.`);
    await deps.messages.note(offboarding, md`🚫 ${mention(click.userId)} asked to delete ${code(item.name)}: not deleted, ${why}.`);
    await audit('refused: deletion cap reached', target);
    return;
  }
  const release = () => deps.store.update(offboarding.id, (current) => ({ ...current, deletions: Math.max(0, current.deletions - 1) }));

  let outcome: { status: DeviceItem['status']; note?: string; said: SlackText; audit: string };
  try {
    const fresh = await deps.admin.getDevice(item.id);
    const blocker = deletionBlocker(fresh, offboarding.subject.login);
    if (blocker) {
      outcome = {
        status: 'kept',
        note: `not deleted: ${blocker}`,
        said: md`↩️ ${mention(click.userId)} asked to delete ${code(item.name)}: *not deleted*, ${blocker}.`,
        audit: `refused: ${blocker}`,
      };
    } else {
      await deps.admin.deleteDevice(item.id);
      outcome = { status: 'deleted', said: md`🗑️ ${mention(click.userId)} deleted ${code(item.name)} (id ${item.id}) · ${utc(deps.now())}`, audit: 'deleted' };
    }
  } catch (error) {
    if (error instanceof TailscaleApiError && error.code === 'not-found') {
      outcome = {
        status: 'gone',
        note: 'already removed from the tailnet',
        said: md`✔️ ${code(item.name)} was already gone from the tailnet (checked by ${mention(click.userId)}).`,
        audit: 'already gone',
      };
    } else {
      await release();
      await click.reply(md`⚠️ Could not delete ${code(item.name)}: ${reason(error)}. Nothing changed; try again.`);
      await audit(`failed: ${reason(error)}`, target);
      return;
    }
  }
  if (outcome.status !== 'deleted') await release();
  const updated = await deps.store.update(offboarding.id, (current) => markDevice(current, item.id, outcome.status, click.userId, deps.now(), outcome.note));
  if (updated) await deps.messages.refresh(updated);
  await deps.messages.note(updated ?? offboarding, outcome.said);
  if (outcome.status === 'kept') await click.reply(outcome.said);
  await audit(outcome.audit, target);
}

function markDevice(current: Offboarding, id: string, status: DeviceItem['status'], by: string, at: number, note?: string): Offboarding | undefined {
  const device = current.devices.find((candidate) => candidate.id === id);
  if (!device || device.status !== 'open') return undefined;
  Object.assign(device, { status, by, at, ...(note ? { note } : {}) });
  return current;
}
