import { suggest } from '../src/suggest.js';
import { FINGERPRINT_USAGE, parseFingerprintCommand, type FingerprintCommand } from './parse-fingerprint.js';
import { MONITORING_USAGE, parseDigest, parseHistory, parseMaintenance, type MonitoringCommand, type MonitoringParse } from './parse-monitoring.js';

/**
 * `/gateway …` text → a command, PURE. Unknown names and malformed text become a `usage` result
 * with a message a person can act on; nothing here throws.
 */
export type GatewayCommand =
  | { kind: 'check'; gateways: string[]; all: boolean }
  | { kind: 'list' }
  | { kind: 'acl'; gateways: string[]; all: boolean }
  | { kind: 'offboard'; target: string }
  | { kind: 'accept'; gateway: string }
  | { kind: 'help'; topic?: string }
  | MonitoringCommand
  | FingerprintCommand;

export type ParseResult = { ok: true; command: GatewayCommand } | { ok: false; message: string };

export const SUBCOMMANDS = ['check', 'list', 'acl', 'accept', 'history', 'maintenance', 'digest', 'offboard', 'fingerprint', 'ticket', 'help'] as const;

export const USAGE_TEXT = [
  '*Usage*',
  '`/gateway check <name> [<name> …]` — check gateways layer by layer and post the verdict here',
  '`/gateway check all` — check every configured gateway',
  '`/gateway list` — configured gateways and their last known state',
  '`/gateway acl [<name> …]` — audit the tailnet policy: who can reach each gateway port (only you see it)',
  '`/gateway accept <name>` — the change-ticket acceptance checklist, run now, with a Markdown block to paste (only you see it)',
  ...MONITORING_USAGE,
  ...FINGERPRINT_USAGE,
  '`/gateway offboard @person | <e-mail> | <tailnet login>` — open the offboarding checklist for someone who left (approvers)',
  '`/gateway help [verdicts]` — this help, or what each verdict means',
].join('\n');

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function parseGatewayCommand(text: string, knownGateways: readonly string[]): ParseResult {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [verb, ...args] = words;
  if (verb === undefined) return { ok: true, command: { kind: 'help' } };
  switch (verb.toLowerCase()) {
    case 'check':
      return parseCheck(args, knownGateways);
    case 'list':
    case 'ls':
      return args.length ? usage(`\`/gateway list\` takes no arguments.`) : { ok: true, command: { kind: 'list' } };
    case 'help':
      return { ok: true, command: { kind: 'help', ...(args[0] ? { topic: args[0].toLowerCase() } : {}) } };
    case 'acl': {
      // No names: every gateway, as `check all` (and authorized the same way).
      if (args.length === 0)
        return knownGateways.length ? { ok: true, command: { kind: 'acl', gateways: [...knownGateways], all: true } } : usage('No gateways are configured.');
      const parsed = parseCheck(args, knownGateways);
      return parsed.ok && parsed.command.kind === 'check' ? { ok: true, command: { ...parsed.command, kind: 'acl' } } : parsed;
    }
    case 'accept': {
      if (args.length > 1) return usage('One gateway at a time: `/gateway accept <name>`');
      const parsed = parseCheck(args, knownGateways);
      return parsed.ok && parsed.command.kind === 'check'
        ? { ok: true, command: { kind: 'accept', gateway: parsed.command.gateways[0]! } }
        : parsed.ok
          ? usage('`/gateway accept` takes one gateway name, not `all`.')
          : parsed;
    }
    case 'history':
      return withUsage(parseHistory(args, knownGateways));
    case 'maintenance':
      return withUsage(parseMaintenance(args, knownGateways));
    case 'digest':
      return withUsage(parseDigest(args));
    case 'fingerprint':
    case 'ticket': {
      const parsed = parseFingerprintCommand(verb.toLowerCase() as FingerprintCommand['kind'], args, knownGateways);
      return parsed.ok ? parsed : usage(parsed.message);
    }
    case 'offboard': {
      // The rest of the text as typed: an escaped mention (`<@U…|Name With Spaces>`) keeps its case and spaces.
      const target = text.trim().slice(verb.length).trim();
      return target
        ? { ok: true, command: { kind: 'offboard', target } }
        : usage('Who left? e.g. `/gateway offboard @departed` or `/gateway offboard departed@example.test`');
    }
    default: {
      // `/gateway prod` reads as "check prod": the most common thing people type at 3 a.m.
      if (knownGateways.includes(verb.toLowerCase())) return parseCheck(words, knownGateways);
      const hint = suggest(verb, [...SUBCOMMANDS]);
      return usage(`Unknown subcommand \`${clip(verb)}\`.${hint ? ` Did you mean \`${hint}\`?` : ''}`);
    }
  }
}

function parseCheck(args: string[], known: readonly string[]): ParseResult {
  if (args.length === 0) return usage('Which gateway? e.g. `/gateway check prod`' + knownList(known));
  const names = args.map((arg) => arg.toLowerCase().replace(/^`|`$/g, ''));
  if (names.includes('all')) {
    if (names.length > 1) return usage('`all` checks every gateway: give either `all` or names.');
    if (known.length === 0) return usage('No gateways are configured.');
    return { ok: true, command: { kind: 'check', gateways: [...known], all: true } };
  }
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length) {
    const first = unknown[0]!;
    if (!NAME.test(first)) return usage(`\`${clip(first)}\` is not a gateway name.${knownList(known)}`);
    const hint = suggest(first, known);
    return usage(`No gateway named \`${clip(first)}\`.${hint ? ` Did you mean \`${hint}\`?` : ''}${knownList(known)}`);
  }
  return { ok: true, command: { kind: 'check', gateways: [...new Set(names)], all: false } };
}

function knownList(known: readonly string[]): string {
  if (known.length === 0) return ' No gateways are configured.';
  const shown = known
    .slice(0, 20)
    .map((name) => `\`${name}\``)
    .join(', ');
  return ` Known gateways: ${shown}${known.length > 20 ? ` and ${known.length - 20} more` : ''}.`;
}

/** Echoed input is shortened and stripped of backticks so it cannot break the message. */
function clip(text: string): string {
  return text.replace(/`/g, "'").slice(0, 40);
}

function withUsage(parsed: MonitoringParse): ParseResult {
  return parsed.ok ? parsed : usage(parsed.message);
}

function usage(message: string): ParseResult {
  return { ok: false, message: `${message}\n\n${USAGE_TEXT}` };
}
