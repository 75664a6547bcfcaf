import type { ExecFileFn } from './exec-file.js';
import { parseIptablesSave } from './iptables-save.js';
import { parseNftJson } from './nft-ruleset.js';
import { parseNftText } from './nft-text.js';
import { tracePacket, type FilterRuleset } from './packet-filter.js';

/**
 * The host's packet filter, read-only, with FIXED programs and arguments (nothing a job carries
 * reaches an argv): `nft -j list ruleset`, else `nft list ruleset` when that nft has no JSON, else
 * `iptables-save` and `ip6tables-save` where nft is not installed. Then the walk of a new TCP
 * connection from the tailnet (`tailscale0`) to each port that matters, naming the deciding rule.
 * Reading netfilter needs CAP_NET_ADMIN: without it the answer says so and how to grant it.
 */

export const TAILNET_INTERFACE = 'tailscale0';

export interface PortOutcome {
  port: number;
  family: 'ipv4' | 'ipv6';
  verdict: 'accept' | 'drop' | 'reject';
  chain?: string;
  rule?: string;
  handle?: number;
  byPolicy: boolean;
  conditional: string[];
}

export type FirewallReading =
  | { available: true; tool: string; interface: string; ports: PortOutcome[] }
  | { available: false; reason: 'permission-denied' | 'not-installed' | 'unreadable' | 'timeout'; detail: string; interface: string; ports: [] };

export const CAP_NET_ADMIN_HINT =
  'reading netfilter rules needs CAP_NET_ADMIN: give clawops-agent `AmbientCapabilities=CAP_NET_ADMIN` and `CapabilityBoundingSet=CAP_NET_ADMIN` in a drop-in (systemctl edit clawops-agent), or on the host run `sudo nft list ruleset` yourself';

const DENIED = /operation not permitted|permission denied|must be root|EPERM|EACCES/i;

export async function readPacketFilter(options: {
  exec: ExecFileFn;
  ports: readonly number[];
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<FirewallReading> {
  const run = (file: string, args: string[]) =>
    options.exec(file, args, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
  const unavailable = (reason: Extract<FirewallReading, { available: false }>['reason'], detail: string): FirewallReading => ({
    available: false,
    reason,
    detail,
    interface: TAILNET_INTERFACE,
    ports: [],
  });

  const json = await run('nft', ['-j', 'list', 'ruleset']);
  if (json.ok) {
    const parsed = parseNftJson(json.stdout);
    if (parsed.ok && parsed.xtables) {
      // Tables written by iptables-nft: their rules as iptables-save prints them, the rest as nft.
      const [v4, v6] = await Promise.all([run('iptables-save', []), run('ip6tables-save', [])]);
      const saved = [...(v4.ok ? [parseIptablesSave(v4.stdout, 'iptables-save')] : []), ...(v6.ok ? [parseIptablesSave(v6.stdout, 'ip6tables-save')] : [])];
      if (saved.length > 0) {
        const covered = new Set(saved.flatMap((ruleset) => ruleset.chains.map((chain) => `${chain.family} ${chain.table}`)));
        const native: FilterRuleset = { tool: 'nft', chains: parsed.ruleset.chains.filter((chain) => !covered.has(`${chain.family} ${chain.table}`)) };
        return assess(`nft -j list ruleset, ${saved.map((ruleset) => ruleset.tool).join(', ')} (iptables-nft tables)`, [native, ...saved], options.ports);
      }
    }
    if (parsed.ok) return assess('nft -j list ruleset', [parsed.ruleset], options.ports);
    const text = await run('nft', ['list', 'ruleset']);
    if (text.ok) return assess('nft list ruleset', [parseNftText(text.stdout)], options.ports);
    return unavailable('unreadable', `nft answered neither JSON nor text: ${text.message}`);
  }
  if (json.reason === 'timeout') return unavailable('timeout', `nft did not answer within ${options.timeoutMs} ms`);
  if (json.reason !== 'missing') {
    if (DENIED.test(`${json.stderr} ${json.message}`))
      return unavailable('permission-denied', `nft: ${firstLine(json.stderr) || json.message}; ${CAP_NET_ADMIN_HINT}`);
    // An nft without -j support exits non-zero on the flag: the text form still works.
    const text = await run('nft', ['list', 'ruleset']);
    if (text.ok) return assess('nft list ruleset', [parseNftText(text.stdout)], options.ports);
    if (DENIED.test(`${text.stderr} ${text.message}`))
      return unavailable('permission-denied', `nft: ${firstLine(text.stderr) || text.message}; ${CAP_NET_ADMIN_HINT}`);
    return unavailable('unreadable', `nft: ${firstLine(text.stderr) || text.message}`);
  }

  const [v4, v6] = await Promise.all([run('iptables-save', []), run('ip6tables-save', [])]);
  if (!v4.ok && v4.reason === 'missing')
    return unavailable(
      'not-installed',
      'neither nft nor iptables-save is installed on the gateway host: no packet filter to read (or it is managed elsewhere)',
    );
  if (!v4.ok) {
    if (DENIED.test(`${v4.stderr} ${v4.message}`))
      return unavailable('permission-denied', `iptables-save: ${firstLine(v4.stderr) || v4.message}; ${CAP_NET_ADMIN_HINT}`);
    return unavailable(v4.reason === 'timeout' ? 'timeout' : 'unreadable', `iptables-save: ${firstLine(v4.stderr) || v4.message}`);
  }
  const rulesets = [parseIptablesSave(v4.stdout, 'iptables-save'), ...(v6.ok ? [parseIptablesSave(v6.stdout, 'ip6tables-save')] : [])];
  return assess(v6.ok ? 'iptables-save, ip6tables-save' : 'iptables-save', rulesets, options.ports);
}

/** PURE: each port, over IPv4 and IPv6, through every ruleset; the first that refuses decides. */
export function assess(tool: string, rulesets: FilterRuleset[], ports: readonly number[]): FirewallReading {
  const outcomes: PortOutcome[] = [];
  for (const port of [...new Set(ports)]) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      let decided: PortOutcome = { port, family, verdict: 'accept', byPolicy: false, conditional: [] };
      for (const ruleset of rulesets) {
        const outcome = tracePacket(ruleset, { family, iif: TAILNET_INTERFACE, proto: 'tcp', dport: port, state: 'new' });
        decided.conditional.push(...outcome.conditional);
        if (outcome.verdict === 'accept') continue;
        decided = {
          port,
          family,
          verdict: outcome.verdict,
          ...(outcome.chain ? { chain: outcome.chain.slice(0, 120) } : {}),
          // Bounded: a rule with a large inline set must not carry the whole set into a report.
          ...(outcome.rule ? { rule: bounded(outcome.rule.text, 300), ...(outcome.rule.handle !== undefined ? { handle: outcome.rule.handle } : {}) } : {}),
          byPolicy: outcome.byPolicy,
          conditional: decided.conditional,
        };
        break;
      }
      decided.conditional = decided.conditional.slice(0, 5).map((line) => bounded(line, 200));
      outcomes.push(decided);
    }
  }
  return { available: true, tool, interface: TAILNET_INTERFACE, ports: outcomes };
}

function firstLine(text: string): string {
  return (text.split('\n').find((line) => line.trim() !== '') ?? '').trim().slice(0, 200);
}

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
