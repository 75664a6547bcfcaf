import { ACTIONS, buttonValue } from '../button-value.js';
import { openItems, type DeviceItem, type Offboarding } from '../model.js';
import { actions, button, context, divider, header, message, section, type Block, type SlackMessage } from '../../../render/blocks.js';
import { code, EMPTY, joinText, md, mention, truncateText, type SlackText } from '../../../render/slack-text.js';
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

export const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const doneBy = (item: { by?: string; at?: number; note?: string }): SlackText =>
  joinText(
    [item.by ? md`by ${mention(item.by)}` : undefined, item.at !== undefined ? utc(item.at) : undefined, item.note].filter((part): part is SlackText | string =>
      Boolean(part),
    ),
    ' · ',
  );

function deviceLine(device: DeviceItem): SlackText {
  const facts = [device.os, device.lastSeen ? `last seen ${device.lastSeen.replace('T', ' ').slice(0, 16)}` : undefined, `id ${device.id}`]
    .filter(Boolean)
    .join(' · ');
  return md`${code(device.name)} ${facts}`;
}

function devicesBlocks(offboarding: Offboarding, options: PromptOptions, closed: boolean): Block[] {
  const all = offboarding.devices;
  const open = all.filter((device) => device.status === 'open');
  const tagged = all.filter((device) => device.status === 'tagged');
  const settled = all.filter((device) => device.status !== 'open' && device.status !== 'tagged');
  const blocks: Block[] = [
    section(
      md`*Devices* — ${open.length} still on the tailnet${tagged.length ? `, ${tagged.length} tagged` : ''}${settled.length ? `, ${settled.length} done` : ''}${options.maxDeletions ? ` · up to ${options.maxDeletions} deletions from here (${offboarding.deletions} so far)` : ' · deletions from here are off (maxDeletions: 0)'}`,
    ),
  ];
  if (all.length === 0) return [section(md`*Devices* — none on the tailnet under this login`)];
  const withButtons = closed ? [] : open.slice(0, DEVICE_BUTTONS);
  for (const device of withButtons) {
    blocks.push(
      section(
        md`🖥️ ${deviceLine(device)}`,
        button({
          actionId: `${ACTIONS.deleteDevice}:${device.id}`,
          text: options.dryRun ? md`Delete device (dry run)` : md`Delete device`,
          style: 'danger',
          value: buttonValue({ o: offboarding.id, d: device.id }),
          confirm: {
            title: md`Delete this device?`,
            text: truncateText(
              md`${code(device.name)} (id ${device.id}) of ${offboarding.subject.login} leaves the tailnet for good. It is checked again just before: it must still be theirs and untagged.${options.dryRun ? ' Dry run: nothing will be deleted.' : ''}`,
              300,
            ),
            confirm: options.dryRun ? md`Show what happens` : md`Delete`,
            deny: md`Cancel`,
          },
        }),
      ),
    );
  }
  const rest = open.slice(withButtons.length);
  if (rest.length)
    blocks.push(
      section(
        truncateText(
          md`${closed ? 'Left on the tailnet' : `…and ${rest.length} more (no room for a button each: delete these in the admin console, or here once the ones above are done)`}: ${joinText(
            rest.map((device) => code(device.name)),
            ', ',
          )}`,
          2_900,
        ),
      ),
    );
  if (settled.length) {
    const label = { deleted: '🗑️ deleted', gone: '✔️ already gone', kept: '↩️ not deleted' } as const;
    const lines = settled.map((device) => md`${label[device.status as keyof typeof label]} ${code(device.name)} ${doneBy(device)}`);
    blocks.push(context([truncateText(joinText(lines, '\n'), 2_900)]));
  }
  if (tagged.length) {
    blocks.push(
      context([
        truncateText(
          md`🏷️ Tagged, so they belong to their tags and survive this person (review who else may reach them): ${joinText(
            tagged.map((device) => md`${code(device.name)} (${device.tags.join(', ')})`),
            ', ',
          )}`,
          2_900,
        ),
      ]),
    );
  }
  return blocks;
}

function groupBlocks(offboarding: Offboarding, options: PromptOptions, closed: boolean): Block[] {
  if (offboarding.groups.length === 0) return [section(md`*Policy groups* — none name this login`)];
  const status = { open: '⬜', applied: '✅ applied', removed: '✅ removed' } as const;
  const lines = offboarding.groups.map((group) => md`${status[group.status]} ${code(group.name)}${group.status === 'open' ? '' : md` ${doneBy(group)}`}`);
  const blocks: Block[] = [section(truncateText(md`*Policy groups* — remove ${offboarding.subject.login} from:\n${joinText(lines, '\n')}`, 2_900))];
  if (closed) return blocks;
  const buttons: Block[] = [];
  offboarding.groups.forEach((group, index) => {
    if (group.status !== 'open') return;
    buttons.push(
      button({
        actionId: `${ACTIONS.showPolicy}:${index}`,
        text: md`Show policy change: ${group.name}`,
        value: buttonValue({ o: offboarding.id, g: group.name }),
      }),
    );
    if (options.applyPolicy) {
      buttons.push(
        button({
          actionId: `${ACTIONS.applyPolicy}:${index}`,
          text: md`Apply: ${group.name}`,
          style: 'primary',
          value: buttonValue({ o: offboarding.id, g: group.name }),
          confirm: {
            title: md`Apply this policy change?`,
            text: truncateText(
              md`Removes ${offboarding.subject.login} from ${code(group.name)} in the tailnet policy — the change shown by Show policy change, only if nobody edited the policy since.${options.dryRun ? ' Dry run: nothing will be applied.' : ''}`,
              300,
            ),
            confirm: options.dryRun ? md`Show what happens` : md`Apply`,
            deny: md`Cancel`,
          },
        }),
      );
    }
  });
  for (let index = 0; index < buttons.length && index < PER_ACTIONS * 2; index += PER_ACTIONS)
    blocks.push(actions(`offboarding_groups_${index}`, buttons.slice(index, index + PER_ACTIONS)));
  return blocks;
}

function reviewBlock(offboarding: Offboarding): Block[] {
  const { tagOwners, tests, acls, grants } = offboarding.review;
  const lines = [
    tagOwners.length ? md`• owns ${joinText(tagOwners.map(code), ', ')} (tagOwners): give the tags another owner` : undefined,
    tests.length ? md`• policy tests that name them (they fail once the login is gone): ${joinText(tests.map(code), '; ')}` : undefined,
    acls ? md`• ${acls} ACL rule(s) name the login directly` : undefined,
    grants ? md`• ${grants} grant(s) name the login directly` : undefined,
  ].filter((line): line is SlackText => line !== undefined);
  return lines.length ? [section(truncateText(md`*To review by hand*\n${joinText(lines, '\n')}`, 2_900))] : [];
}

function gatewayBlocks(offboarding: Offboarding, closed: boolean): Block[] {
  if (offboarding.gateways.length === 0) return [section(md`*Gateway tokens* — none to rotate (offboarding.tokenAccess names no gateway for their groups)`)];
  const lines = offboarding.gateways.map((gateway) =>
    gateway.status === 'rotated' ? md`✅ *${gateway.name}* rotated ${doneBy(gateway)}` : md`⬜ *${gateway.name}*`,
  );
  const open = offboarding.gateways.filter((gateway) => gateway.status === 'open');
  const blocks: Block[] = [section(truncateText(md`*Gateway tokens to rotate* — they could read these:\n${joinText(lines, '\n')}`, 2_900))];
  if (!closed && open.length) {
    const buttons = open.slice(0, PER_ACTIONS).map((gateway) =>
      button({
        actionId: `${ACTIONS.tokenRotated}:${gateway.name}`,
        text: md`Token rotated: ${gateway.name}`,
        value: buttonValue({ o: offboarding.id, w: gateway.name }),
        confirm: {
          title: md`Token rotated?`,
          text: truncateText(md`The token of *${gateway.name}* has been changed on the gateway and in every client that needs it.`, 300),
          confirm: md`Yes, rotated`,
          deny: md`Cancel`,
        },
      }),
    );
    blocks.push(actions('offboarding_gateways', buttons));
  }
  return blocks;
}

export function renderOffboardingPrompt(offboarding: Offboarding, options: PromptOptions): SlackMessage {
  const closed = offboarding.closed !== undefined;
  const open = openItems(offboarding);
  const who = offboarding.subject.slackUserId ? md`${mention(offboarding.subject.slackUserId)} · ` : EMPTY;
  const blocks: Block[] = [
    header(md`${closed ? '✅ Offboarding closed' : '🚪 Offboarding'}: ${offboarding.subject.login}`),
    context([
      md`${who}${offboarding.subject.login} · ${triggerText(offboarding)}${offboarding.trigger.by ? md` (${mention(offboarding.trigger.by)})` : ''} · opened ${utc(offboarding.openedAt)} · ${open.total} item(s) open`,
      ...(options.dryRun ? [md`🧪 *dry run*: the buttons show what would happen; nothing is deleted or applied`] : []),
    ]),
  ];
  if (closed)
    blocks.push(
      section(
        md`Closed by ${mention(offboarding.closed!.by)} ${utc(offboarding.closed!.at)}${offboarding.closed!.openItems ? ` with ${offboarding.closed!.openItems} item(s) still open` : ''}.`,
      ),
    );
  if (offboarding.problems.length) blocks.push(section(truncateText(md`⚠️ ${offboarding.problems.join('\n⚠️ ')}`, 2_900)));
  blocks.push(
    divider(),
    ...devicesBlocks(offboarding, options, closed),
    ...groupBlocks(offboarding, options, closed),
    ...reviewBlock(offboarding),
    ...gatewayBlocks(offboarding, closed),
  );
  if (!closed) {
    blocks.push(
      actions('offboarding_done', [
        button({
          actionId: ACTIONS.markDone,
          text: md`Mark done`,
          style: open.total === 0 ? 'primary' : undefined,
          value: buttonValue({ o: offboarding.id }),
          confirm: {
            title: md`Close this checklist?`,
            text: open.total === 0 ? md`Every item is done. Reminders stop.` : md`${open.total} item(s) are still open. Close anyway? Reminders stop.`,
            confirm: md`Close`,
            deny: md`Cancel`,
          },
        }),
      ]),
    );
  }
  blocks.push(context([md`Every action is written to the audit log and said in this thread.`]));
  const text = md`${closed ? '✅ Offboarding closed' : '🚪 Offboarding'}: ${offboarding.subject.login} — ${open.devices.length} device(s), ${open.groups.length} policy group(s), ${open.gateways.length} token(s) to rotate${open.gateways.length ? ` (${open.gateways.map((g) => g.name).join(', ')})` : ''}`;
  return message(text, blocks.slice(0, 50));
}
