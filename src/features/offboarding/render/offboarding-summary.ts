import { openItems, type Offboarding } from '../model.js';
import { bold, code, joinText, md, type SlackText } from '../../../render/slack-text.js';

/**
 * One open offboarding in one line, shared by the reminder under verdicts, the digest and the
 * terminal: who left and how long ago, the devices still on the tailnet, the tokens still to
 * rotate (the gateways of the check at hand first). Logins and device names only. PURE.
 */
export interface SummaryOptions {
  now: number;
  /** The gateways of the check the line sits under: named first, marked "in this check". */
  gateways?: readonly string[];
}

export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

const TRIGGER = {
  'slack-user-deleted': 'Slack account deactivated',
  command: 'offboarded by command',
  'tailnet-poll': 'tailnet login suspended or removed',
} as const;

export function triggerText(offboarding: Offboarding): string {
  return TRIGGER[offboarding.trigger.kind];
}

/** How a summary is written: plain text for a terminal, escaped Slack text for a message. */
interface Format<T> {
  t(strings: TemplateStringsArray, ...values: Array<T | string | number>): T;
  bold(text: string): T;
  code(text: string): T;
  join(parts: T[], separator: string): T;
}

const PLAIN: Format<string> = {
  t: (strings, ...values) => strings.reduce((out, part, index) => out + part + (index < values.length ? String(values[index]) : ''), ''),
  bold: (text) => text,
  code: (text) => text,
  join: (parts, separator) => parts.join(separator),
};

const SLACK: Format<SlackText> = { t: md, bold, code, join: joinText };

function list<T>(f: Format<T>, names: string[], max: number, style: (name: string) => T): T {
  const shown = f.join(names.slice(0, max).map(style), ', ');
  return names.length > max ? f.t`${shown} and ${names.length - max} more` : shown;
}

function summaryIn<T>(f: Format<T>, offboarding: Offboarding, options: SummaryOptions): T {
  const open = openItems(offboarding);
  const inCheck = new Set(options.gateways ?? []);
  const parts: T[] = [f.t`${f.bold(offboarding.subject.login)} left ${formatAge(options.now - offboarding.openedAt)} ago (${triggerText(offboarding)})`];
  if (open.devices.length)
    parts.push(
      f.t`${open.devices.length} device${open.devices.length === 1 ? '' : 's'} still on the tailnet (${list(
        f,
        open.devices.map((d) => d.name),
        3,
        f.code,
      )})`,
    );
  if (open.groups.length)
    parts.push(
      f.t`still in ${list(
        f,
        open.groups.map((g) => g.name),
        3,
        f.code,
      )}`,
    );
  if (open.gateways.length) {
    const names = open.gateways.map((g) => g.name).sort((a, b) => Number(inCheck.has(b)) - Number(inCheck.has(a)) || a.localeCompare(b));
    const shown = names.map((name) => (inCheck.has(name) ? f.t`${f.bold(name)} (this check)` : f.t`${name}`));
    parts.push(f.t`rotate the token of ${f.join(shown.slice(0, 4), ', ')}${names.length > 4 ? ` and ${names.length - 4} more` : ''}`);
  }
  if (open.total === 0) parts.push(f.t`every item is done: close the checklist`);
  return f.join(parts, ' · ');
}

/** The line as plain text (a terminal). */
export function summaryLine(offboarding: Offboarding, options: SummaryOptions): string {
  return summaryIn(PLAIN, offboarding, options);
}

/** The line for Slack: escaped, names in bold and code. */
export function summaryText(offboarding: Offboarding, options: SummaryOptions): SlackText {
  return summaryIn(SLACK, offboarding, options);
}

/** Whether an offboarding concerns any of these gateways (it has a token of theirs to rotate). */
export function touchesGateways(offboarding: Offboarding, gateways: readonly string[]): boolean {
  return openItems(offboarding).gateways.some((gateway) => gateways.includes(gateway.name));
}
