import { openItems, type Offboarding } from '../offboarding/model.js';
import { escapeMrkdwn } from './blocks.js';

/**
 * One open offboarding in one line, shared by the reminder under verdicts, the digest and the
 * terminal: who left and how long ago, the devices still on the tailnet, the tokens still to
 * rotate (the gateways of the check at hand first). Logins and device names only. PURE.
 */
export interface SummaryOptions {
  now: number;
  /** The gateways of the check the line sits under: named first, marked "in this check". */
  gateways?: readonly string[];
  /** Slack mrkdwn (escaped, `*bold*`) or plain text. */
  format: 'mrkdwn' | 'plain';
}

export function formatAge(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  return `${Math.round(hours / 24)} d`;
}

const TRIGGER = { 'slack-user-deleted': 'Slack account deactivated', command: 'offboarded by command', 'tailnet-poll': 'tailnet login suspended or removed' } as const;

export function triggerText(offboarding: Offboarding): string {
  return TRIGGER[offboarding.trigger.kind];
}

function list(names: string[], max: number, code: (name: string) => string): string {
  const shown = names.slice(0, max).map(code).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

export function summaryLine(offboarding: Offboarding, options: SummaryOptions): string {
  const mrkdwn = options.format === 'mrkdwn';
  const esc = (text: string) => (mrkdwn ? escapeMrkdwn(text) : text);
  const bold = (text: string) => (mrkdwn ? `*${esc(text)}*` : text);
  const code = (text: string) => (mrkdwn ? `\`${esc(text).replace(/`/g, "'")}\`` : text);
  const open = openItems(offboarding);
  const inCheck = new Set(options.gateways ?? []);
  const parts: string[] = [`${bold(offboarding.subject.login)} left ${formatAge(options.now - offboarding.openedAt)} ago (${triggerText(offboarding)})`];
  if (open.devices.length) parts.push(`${open.devices.length} device${open.devices.length === 1 ? '' : 's'} still on the tailnet (${list(open.devices.map((d) => d.name), 3, code)})`);
  if (open.groups.length) parts.push(`still in ${list(open.groups.map((g) => g.name), 3, code)}`);
  if (open.gateways.length) {
    const names = open.gateways.map((g) => g.name).sort((a, b) => Number(inCheck.has(b)) - Number(inCheck.has(a)) || a.localeCompare(b));
    const shown = names.map((name) => (inCheck.has(name) ? `${bold(name)} (this check)` : esc(name)));
    parts.push(`rotate the token of ${shown.slice(0, 4).join(', ')}${names.length > 4 ? ` and ${names.length - 4} more` : ''}`);
  }
  if (open.total === 0) parts.push('every item is done: close the checklist');
  return parts.join(' · ');
}

/** Whether an offboarding concerns any of these gateways (it has a token of theirs to rotate). */
export function touchesGateways(offboarding: Offboarding, gateways: readonly string[]): boolean {
  return openItems(offboarding).gateways.some((gateway) => gateways.includes(gateway.name));
}
