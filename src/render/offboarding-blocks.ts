import { ACTIONS, buttonValue } from '../offboarding/button-value.js';
import { openItems, type DeviceItem, type Offboarding } from '../offboarding/model.js';
import { actions, button, context, divider, escapeMrkdwn, header, message, section, truncate, type Block, type SlackMessage } from './blocks.js';
import { triggerText } from './offboarding-summary.js';

/**
 * The offboarding checklist: one message, updated in place as items are done. Each device with
 * Delete (confirm dialog), each policy group with Show policy change (and Apply where enabled),
 * each gateway with Token rotated, and Mark done. Inside Block Kit's limits for any number of
 * devices: the first open ones get a button each, the rest are summarized. PURE.
 */
export interface PromptOptions {
  dryRun: boolean;
  applyPolicy: boolean;
  maxDeletions: number;
}

/** Open devices that get their own Delete button; the rest are listed in one line. */
export const DEVICE_BUTTONS = 20;
/** Buttons per actions block (Slack allows 25). */
const PER_ACTIONS = 24;

const code = (text: string) => `\`${escapeMrkdwn(text).replace(/`/g, "'")}\``;
export const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const doneBy = (item: { by?: string; at?: number; note?: string }) =>
  [item.by ? `by <@${item.by}>` : undefined, item.at !== undefined ? utc(item.at) : undefined, item.note ? escapeMrkdwn(item.note) : undefined].filter(Boolean).join(' · ');

function deviceLine(device: DeviceItem): string {
  const facts = [device.os, device.lastSeen ? `last seen ${device.lastSeen.replace('T', ' ').slice(0, 16)}` : undefined, `id ${device.id}`].filter(Boolean).join(' · ');
  return `${code(device.name)} ${escapeMrkdwn(facts)}`;
}

function devicesBlocks(offboarding: Offboarding, options: PromptOptions, closed: boolean): Block[] {
  const all = offboarding.devices;
  const open = all.filter((device) => device.status === 'open');
  const tagged = all.filter((device) => device.status === 'tagged');
  const settled = all.filter((device) => device.status !== 'open' && device.status !== 'tagged');
  const blocks: Block[] = [section(`*Devices* — ${open.length} still on the tailnet${tagged.length ? `, ${tagged.length} tagged` : ''}${settled.length ? `, ${settled.length} done` : ''}${options.maxDeletions ? ` · up to ${options.maxDeletions} deletions from here (${offboarding.deletions} so far)` : ' · deletions from here are off (maxDeletions: 0)'}`)];
  if (all.length === 0) return [section('*Devices* — none on the tailnet under this login')];
  const withButtons = closed ? [] : open.slice(0, DEVICE_BUTTONS);
  for (const device of withButtons) {
    blocks.push({
      ...section(`🖥️ ${deviceLine(device)}`),
      accessory: button({
        actionId: `${ACTIONS.deleteDevice}:${device.id}`,
        text: options.dryRun ? 'Delete device (dry run)' : 'Delete device',
        style: 'danger',
        value: buttonValue({ o: offboarding.id, d: device.id }),
        confirm: {
          title: 'Delete this device?',
          text: truncate(`${code(device.name)} (id ${escapeMrkdwn(device.id)}) of ${escapeMrkdwn(offboarding.subject.login)} leaves the tailnet for good. It is checked again just before: it must still be theirs and untagged.${options.dryRun ? ' Dry run: nothing will be deleted.' : ''}`, 300),
          confirm: options.dryRun ? 'Show what happens' : 'Delete',
          deny: 'Cancel',
        },
      }),
    });
  }
  const rest = open.slice(withButtons.length);
  if (rest.length) blocks.push(section(truncate(`${closed ? 'Left on the tailnet' : `…and ${rest.length} more (no room for a button each: delete these in the admin console, or here once the ones above are done)`}: ${rest.map((device) => code(device.name)).join(', ')}`, 2_900)));
  if (settled.length) {
    const label = { deleted: '🗑️ deleted', gone: '✔️ already gone', kept: '↩️ not deleted' } as const;
    const lines = settled.map((device) => `${label[device.status as keyof typeof label]} ${code(device.name)} ${doneBy(device)}`);
    blocks.push(context([truncate(lines.join('\n'), 2_900)]));
  }
  if (tagged.length) {
    blocks.push(context([truncate(`🏷️ Tagged, so they belong to their tags and survive this person (review who else may reach them): ${tagged.map((device) => `${code(device.name)} (${escapeMrkdwn(device.tags.join(', '))})`).join(', ')}`, 2_900)]));
  }
  return blocks;
}

function groupBlocks(offboarding: Offboarding, options: PromptOptions, closed: boolean): Block[] {
  if (offboarding.groups.length === 0) return [section('*Policy groups* — none name this login')];
  const status = { open: '⬜', applied: '✅ applied', removed: '✅ removed' } as const;
  const lines = offboarding.groups.map((group) => `${status[group.status]} ${code(group.name)}${group.status === 'open' ? '' : ` ${doneBy(group)}`}`);
  const blocks: Block[] = [section(truncate(`*Policy groups* — remove ${escapeMrkdwn(offboarding.subject.login)} from:\n${lines.join('\n')}`, 2_900))];
  if (closed) return blocks;
  const buttons: Block[] = [];
  offboarding.groups.forEach((group, index) => {
    if (group.status !== 'open') return;
    buttons.push(button({ actionId: `${ACTIONS.showPolicy}:${index}`, text: `Show policy change: ${group.name}`, value: buttonValue({ o: offboarding.id, g: group.name }) }));
    if (options.applyPolicy) {
      buttons.push(
        button({
          actionId: `${ACTIONS.applyPolicy}:${index}`,
          text: `Apply: ${group.name}`,
          style: 'primary',
          value: buttonValue({ o: offboarding.id, g: group.name }),
          confirm: {
            title: 'Apply this policy change?',
            text: truncate(`Removes ${escapeMrkdwn(offboarding.subject.login)} from ${code(group.name)} in the tailnet policy — the change shown by Show policy change, only if nobody edited the policy since.${options.dryRun ? ' Dry run: nothing will be applied.' : ''}`, 300),
            confirm: options.dryRun ? 'Show what happens' : 'Apply',
            deny: 'Cancel',
          },
        }),
      );
    }
  });
  for (let index = 0; index < buttons.length && index < PER_ACTIONS * 2; index += PER_ACTIONS) blocks.push(actions(`offboarding_groups_${index}`, buttons.slice(index, index + PER_ACTIONS)));
  return blocks;
}

function reviewBlock(offboarding: Offboarding): Block[] {
  const { tagOwners, tests, acls, grants } = offboarding.review;
  const lines = [
    tagOwners.length ? `• owns ${tagOwners.map(code).join(', ')} (tagOwners): give the tags another owner` : undefined,
    tests.length ? `• policy tests that name them (they fail once the login is gone): ${tests.map(code).join('; ')}` : undefined,
    acls ? `• ${acls} ACL rule(s) name the login directly` : undefined,
    grants ? `• ${grants} grant(s) name the login directly` : undefined,
  ].filter((line): line is string => line !== undefined);
  return lines.length ? [section(truncate(`*To review by hand*\n${lines.join('\n')}`, 2_900))] : [];
}

function gatewayBlocks(offboarding: Offboarding, closed: boolean): Block[] {
  if (offboarding.gateways.length === 0) return [section('*Gateway tokens* — none to rotate (offboarding.tokenAccess names no gateway for their groups)')];
  const lines = offboarding.gateways.map((gateway) => (gateway.status === 'rotated' ? `✅ *${gateway.name}* rotated ${doneBy(gateway)}` : `⬜ *${gateway.name}*`));
  const open = offboarding.gateways.filter((gateway) => gateway.status === 'open');
  const blocks: Block[] = [section(truncate(`*Gateway tokens to rotate* — they could read these:\n${lines.join('\n')}`, 2_900))];
  if (!closed && open.length) {
    const buttons = open.slice(0, PER_ACTIONS).map((gateway) =>
      button({
        actionId: `${ACTIONS.tokenRotated}:${gateway.name}`,
        text: `Token rotated: ${gateway.name}`,
        value: buttonValue({ o: offboarding.id, w: gateway.name }),
        confirm: { title: 'Token rotated?', text: truncate(`The token of *${gateway.name}* has been changed on the gateway and in every client that needs it.`, 300), confirm: 'Yes, rotated', deny: 'Cancel' },
      }),
    );
    blocks.push(actions('offboarding_gateways', buttons));
  }
  return blocks;
}

export function renderOffboardingPrompt(offboarding: Offboarding, options: PromptOptions): SlackMessage {
  const closed = offboarding.closed !== undefined;
  const open = openItems(offboarding);
  const who = offboarding.subject.slackUserId ? `<@${offboarding.subject.slackUserId}> · ` : '';
  const blocks: Block[] = [
    header(`${closed ? '✅ Offboarding closed' : '🚪 Offboarding'}: ${offboarding.subject.login}`),
    context([
      `${who}${escapeMrkdwn(offboarding.subject.login)} · ${triggerText(offboarding)}${offboarding.trigger.by ? ` (<@${offboarding.trigger.by}>)` : ''} · opened ${utc(offboarding.openedAt)} · ${open.total} item(s) open`,
      ...(options.dryRun ? ['🧪 *dry run*: the buttons show what would happen; nothing is deleted or applied'] : []),
    ]),
  ];
  if (closed) blocks.push(section(`Closed by <@${offboarding.closed!.by}> ${utc(offboarding.closed!.at)}${offboarding.closed!.openItems ? ` with ${offboarding.closed!.openItems} item(s) still open` : ''}.`));
  if (offboarding.problems.length) blocks.push(section(truncate(`⚠️ ${offboarding.problems.map(escapeMrkdwn).join('\n⚠️ ')}`, 2_900)));
  blocks.push(divider(), ...devicesBlocks(offboarding, options, closed), ...groupBlocks(offboarding, options, closed), ...reviewBlock(offboarding), ...gatewayBlocks(offboarding, closed));
  if (!closed) {
    blocks.push(
      actions('offboarding_done', [
        button({
          actionId: ACTIONS.markDone,
          text: 'Mark done',
          style: open.total === 0 ? 'primary' : undefined,
          value: buttonValue({ o: offboarding.id }),
          confirm: {
            title: 'Close this checklist?',
            text: open.total === 0 ? 'Every item is done. Reminders stop.' : `${open.total} item(s) are still open. Close anyway? Reminders stop.`,
            confirm: 'Close',
            deny: 'Cancel',
          },
        }),
      ]),
    );
  }
  blocks.push(context(['Every action is written to the audit log and said in this thread.']));
  const text = `${closed ? '✅ Offboarding closed' : '🚪 Offboarding'}: ${offboarding.subject.login} — ${open.devices.length} device(s), ${open.groups.length} policy group(s), ${open.gateways.length} token(s) to rotate${open.gateways.length ? ` (${open.gateways.map((g) => g.name).join(', ')})` : ''}`;
  return message(text, blocks.slice(0, 50));
}
