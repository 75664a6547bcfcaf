import { suggest } from '../src/suggest.js';
import { parseDuration } from './duration.js';

/**
 * The monitoring subcommands' text → command, PURE (parse.ts dispatches here). Failures carry a
 * bare message; parse.ts appends the usage.
 */
export type MonitoringCommand =
  | { kind: 'history'; gateway: string }
  | { kind: 'maintenance'; action: 'start'; gateway: string; durationMs: number; reason?: string }
  | { kind: 'maintenance'; action: 'end'; gateway: string }
  | { kind: 'maintenance'; action: 'list' }
  | { kind: 'digest'; periodMs: number };

export type MonitoringParse = { ok: true; command: MonitoringCommand } | { ok: false; message: string };

export const MONITORING_USAGE = [
  '`/gateway history <name>` — last results, uptime over 24 h and 7 d, handshake p50/p95, versions (only you see it)',
  '`/gateway maintenance <name> <duration> [reason]` — silence alerts for a while, e.g. `2h` (maintainers only); `… <name> off` ends it; `/gateway maintenance` lists open windows',
  '`/gateway digest [24h|7d]` — the health digest, now (only you see it)',
];

export const MAX_MAINTENANCE_MS = 30 * 86_400_000;
export const MIN_MAINTENANCE_MS = 60_000;
const MAX_DIGEST_MS = 7 * 86_400_000;

function clip(text: string): string {
  return text.replace(/`/g, "'").slice(0, 40);
}

function gatewayName(arg: string | undefined, known: readonly string[], example: string): { ok: true; name: string } | { ok: false; message: string } {
  if (!arg) return { ok: false, message: `Which gateway? e.g. \`${example}\`` };
  const name = arg.toLowerCase().replace(/^`|`$/g, '');
  if (known.includes(name)) return { ok: true, name };
  const hint = suggest(name, known);
  return { ok: false, message: `No gateway named \`${clip(name)}\`.${hint ? ` Did you mean \`${hint}\`?` : ''}` };
}

export function parseHistory(args: string[], known: readonly string[]): MonitoringParse {
  if (args.length > 1) return { ok: false, message: '`/gateway history` takes one gateway name.' };
  const name = gatewayName(args[0], known, '/gateway history prod');
  return name.ok ? { ok: true, command: { kind: 'history', gateway: name.name } } : name;
}

export function parseMaintenance(args: string[], known: readonly string[]): MonitoringParse {
  if (args.length === 0) return { ok: true, command: { kind: 'maintenance', action: 'list' } };
  const name = gatewayName(args[0], known, '/gateway maintenance prod 2h upgrading');
  if (!name.ok) return name;
  const [, when, ...reasonWords] = args;
  if (!when)
    return { ok: false, message: `For how long? e.g. \`/gateway maintenance ${name.name} 2h upgrading\`, or \`/gateway maintenance ${name.name} off\`` };
  if (when.toLowerCase() === 'off' || when.toLowerCase() === 'end') {
    return reasonWords.length
      ? { ok: false, message: `\`off\` takes nothing after it.` }
      : { ok: true, command: { kind: 'maintenance', action: 'end', gateway: name.name } };
  }
  const durationMs = parseDuration(when);
  if (durationMs === undefined) return { ok: false, message: `\`${clip(when)}\` is not a duration: try \`30m\`, \`2h\`, \`1h30m\` or \`1d\`.` };
  if (durationMs < MIN_MAINTENANCE_MS || durationMs > MAX_MAINTENANCE_MS) return { ok: false, message: 'A maintenance window lasts from 1 minute to 30 days.' };
  const reason = reasonWords.join(' ').replace(/[`<>]/g, "'").slice(0, 200).trim();
  return { ok: true, command: { kind: 'maintenance', action: 'start', gateway: name.name, durationMs, ...(reason ? { reason } : {}) } };
}

export function parseDigest(args: string[]): MonitoringParse {
  if (args.length === 0) return { ok: true, command: { kind: 'digest', periodMs: 86_400_000 } };
  const periodMs = args.length === 1 ? parseDuration(args[0]!) : undefined;
  if (periodMs === undefined || periodMs < 3_600_000 || periodMs > MAX_DIGEST_MS)
    return { ok: false, message: 'The digest covers 1 hour to 7 days: e.g. `/gateway digest 24h` or `/gateway digest 7d`.' };
  return { ok: true, command: { kind: 'digest', periodMs } };
}
