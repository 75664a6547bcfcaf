import { ACTIONS } from '../button-value.js';
import type { Offboarding } from '../model.js';
import { actions, button, context, section, type Block } from '../../../render/blocks.js';
import { formatAge, summaryLine, summaryText, touchesGateways } from './offboarding-summary.js';
import { EMPTY, joinText, link, md, truncateText, type SlackText } from '../../../render/slack-text.js';

/**
 * The reminder under every verdict while offboardings are open (issue 8): short, because it sits
 * under somebody else's incident. Nothing when none are open; a line each for a few, with the
 * button that opens the checklist; one line in all when many (count, oldest, link). PURE.
 */
export const OPEN_CHECKLIST_ACTION_ID = ACTIONS.openChecklist;
/** More than this many open offboardings collapse into one line. */
export const FEW = 2;

export interface ReminderOptions {
  now: number;
  /** The gateways of this check: their tokens are named first. */
  gateways: readonly string[];
  /** A permalink to the offboarding's checklist message, when it was posted. */
  linkFor?: (offboarding: Offboarding) => string | undefined;
}

export interface Reminder {
  blocks: Block[];
  text: SlackText;
}

function linkTo(url: string | undefined, label: string): SlackText {
  return url ? md` · ${link(url, label)}` : EMPTY;
}

export function renderOffboardingReminder(open: readonly Offboarding[], options: ReminderOptions): Reminder | undefined {
  if (open.length === 0) return undefined;
  // Those with a token of a gateway in this check first, then the oldest.
  const ordered = [...open].sort(
    (a, b) => Number(touchesGateways(b, options.gateways)) - Number(touchesGateways(a, options.gateways)) || a.openedAt - b.openedAt,
  );
  if (ordered.length <= FEW) {
    const lines = ordered.map(
      (offboarding) =>
        md`🚪 ${summaryText(offboarding, { now: options.now, gateways: options.gateways })}${linkTo(options.linkFor?.(offboarding), 'checklist')}`,
    );
    const text = joinText(
      ordered.map((offboarding) => md`🚪 Offboarding open: ${summaryLine(offboarding, { now: options.now, gateways: options.gateways })}`),
      '\n',
    );
    const value = ordered.length === 1 ? { o: ordered[0]!.id } : {};
    return {
      blocks: [
        section(truncateText(joinText(lines, '\n'), 2_900)),
        actions('offboarding_reminder', [
          button({
            actionId: OPEN_CHECKLIST_ACTION_ID,
            text: ordered.length === 1 ? md`Open offboarding checklist` : md`Open offboarding checklists`,
            value: JSON.stringify(value),
          }),
        ]),
      ],
      text: truncateText(text, 600),
    };
  }
  const oldest = [...ordered].sort((a, b) => a.openedAt - b.openedAt)[0]!;
  const devices = ordered.reduce((sum, offboarding) => sum + offboarding.devices.filter((device) => device.status === 'open').length, 0);
  const concerned = ordered.filter((offboarding) => touchesGateways(offboarding, options.gateways)).length;
  const facts = (login: string) => [
    `oldest: ${login} (${formatAge(options.now - oldest.openedAt)})`,
    `${devices} device${devices === 1 ? '' : 's'} still on the tailnet`,
    ...(concerned ? [`${concerned} with a token of this check's gateway${options.gateways.length === 1 ? '' : 's'} to rotate`] : []),
  ];
  const line = md`🚪 *${ordered.length} offboardings open* · ${facts(oldest.subject.login).join(' · ')}${linkTo(options.linkFor?.(oldest), 'oldest checklist')}`;
  return {
    blocks: [
      context([truncateText(line, 2_900)]),
      actions('offboarding_reminder', [button({ actionId: OPEN_CHECKLIST_ACTION_ID, text: md`Open offboarding checklists`, value: '{}' })]),
    ],
    text: md`🚪 ${ordered.length} offboardings open · ${facts(oldest.subject.login).join(' · ')}`,
  };
}

/** The same reminder for `clawops check` in a terminal: plain lines, no links. PURE. */
export function renderOffboardingReminderText(open: readonly Offboarding[], options: Omit<ReminderOptions, 'linkFor'>): string | undefined {
  if (open.length === 0) return undefined;
  if (open.length > FEW) {
    const oldest = [...open].sort((a, b) => a.openedAt - b.openedAt)[0]!;
    return `🚪 ${open.length} offboardings open (oldest: ${oldest.subject.login}, ${formatAge(options.now - oldest.openedAt)}): the checklists are in Slack`;
  }
  const ordered = [...open].sort(
    (a, b) => Number(touchesGateways(b, options.gateways)) - Number(touchesGateways(a, options.gateways)) || a.openedAt - b.openedAt,
  );
  return [
    `🚪 ${open.length === 1 ? 'An offboarding is' : `${open.length} offboardings are`} open — what is left to revoke:`,
    ...ordered.map((offboarding) => `   ${summaryLine(offboarding, { now: options.now, gateways: options.gateways })}`),
  ].join('\n');
}
