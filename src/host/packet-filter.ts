import { BlockList, isIP } from 'node:net';

/**
 * The host's packet filter as one model, whichever tool printed it (nft JSON or text,
 * iptables-save), and the walk of one packet through it: a new TCP connection from a tailnet
 * address arriving on `tailscale0` for the Gateway's port. PURE: the parsers (nft-ruleset.ts,
 * nft-text.ts, iptables-save.ts) build the model; `tracePacket` names the rule that drops it.
 *
 * Netfilter semantics kept: base chains of a hook run in priority order (prerouting before input);
 * `accept` ends only the current base chain, `drop`/`reject` end everything; `jump` returns, `goto`
 * does not; a base chain that runs out applies its policy. What the walk cannot know (a specific
 * source address, a rate limit, a match it does not model) is `maybe`: a maybe-drop is reported as
 * conditional and the walk goes on as if it did not match.
 */

export interface PortRange {
  from: number;
  to: number;
}

export type FilterMatch =
  | { kind: 'iifname'; negate: boolean; names: string[] }
  | { kind: 'l4proto'; negate: boolean; protos: string[] }
  | { kind: 'dport'; negate: boolean; ranges: PortRange[] }
  | { kind: 'saddr'; negate: boolean; family: 'ipv4' | 'ipv6'; cidrs: string[] }
  | { kind: 'nfproto'; family: 'ipv4' | 'ipv6' }
  | { kind: 'ct-state'; negate: boolean; states: string[] }
  /** Something the walk does not model: it may or may not match. */
  | { kind: 'other'; text: string };

export type FilterVerdict = { kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' } | { kind: 'jump' | 'goto'; chain: string };

export interface FilterRule {
  matches: FilterMatch[];
  verdict: FilterVerdict;
  /** The rule as its tool prints it, for the verdict (`iifname "tailscale0" tcp dport 18789 drop`). */
  text: string;
  /** nft rule handle. */
  handle?: number;
}

export interface FilterChain {
  /** nft family (`inet`, `ip`, `ip6`), or `ip`/`ip6` for iptables-save / ip6tables-save. */
  family: string;
  table: string;
  name: string;
  /** Base chains only. */
  hook?: string;
  priority?: number;
  policy?: 'accept' | 'drop';
  rules: FilterRule[];
}

export interface FilterRuleset {
  tool: 'nft' | 'iptables-save' | 'ip6tables-save';
  chains: FilterChain[];
}

export interface Packet {
  family: 'ipv4' | 'ipv6';
  iif: string;
  proto: 'tcp';
  dport: number;
  /** A new connection: conntrack state `new`. */
  state: 'new';
}

export interface PacketOutcome {
  verdict: 'accept' | 'drop' | 'reject';
  /** Where it was decided: `inet filter input` (nft) or `filter INPUT` (iptables). */
  chain?: string;
  /** The deciding rule; absent when a chain's policy decided. */
  rule?: { text: string; handle?: number; index: number };
  byPolicy: boolean;
  /** Drops that apply to some tailnet sources only (or under conditions the walk cannot see). */
  conditional: string[];
}

type Tri = 'yes' | 'no' | 'maybe';

const HOOK_ORDER = ['prerouting', 'input'];
const TAILNET_V4 = { address: '100.64.0.0', prefix: 10 };
const TAILNET_V6 = { address: 'fd7a:115c:a1e0::', prefix: 48 };
const MAX_DEPTH = 16;

/** Base chains that see `packet`, in the order the kernel runs them. */
function baseChains(ruleset: FilterRuleset, family: Packet['family']): FilterChain[] {
  return ruleset.chains
    .filter((chain) => chain.hook !== undefined && HOOK_ORDER.includes(chain.hook) && familySees(chain.family, family))
    .sort((a, b) => HOOK_ORDER.indexOf(a.hook!) - HOOK_ORDER.indexOf(b.hook!) || (a.priority ?? 0) - (b.priority ?? 0));
}

function familySees(chainFamily: string, family: Packet['family']): boolean {
  if (chainFamily === 'inet') return true;
  if (chainFamily === 'ip') return family === 'ipv4';
  if (chainFamily === 'ip6') return family === 'ipv6';
  return false;
}

export function tracePacket(ruleset: FilterRuleset, packet: Packet): PacketOutcome {
  const conditional: string[] = [];
  for (const base of baseChains(ruleset, packet.family)) {
    const result = walk(ruleset, base, packet, conditional, 0);
    if (result === 'accept') continue;
    if (result) return { ...result, conditional };
    if (base.policy === 'drop') return { verdict: 'drop', chain: where(ruleset, base), byPolicy: true, conditional };
  }
  return { verdict: 'accept', byPolicy: false, conditional };
}

/** undefined: the chain ran out (or returned); 'accept': accepted in this base chain. */
function walk(
  ruleset: FilterRuleset,
  chain: FilterChain,
  packet: Packet,
  conditional: string[],
  depth: number,
): Omit<PacketOutcome, 'conditional'> | 'accept' | undefined {
  if (depth > MAX_DEPTH) return undefined;
  for (const [index, rule] of chain.rules.entries()) {
    const matched = ruleMatches(rule, packet);
    if (matched === 'no') continue;
    const verdict = rule.verdict;
    if (verdict.kind === 'continue') continue;
    if (matched === 'maybe' && verdict.kind !== 'jump' && verdict.kind !== 'goto') {
      if (verdict.kind === 'drop' || verdict.kind === 'reject') conditional.push(`${where(ruleset, chain)}: ${rule.text}`);
      continue;
    }
    if (verdict.kind === 'accept') return 'accept';
    if (verdict.kind === 'return') return undefined;
    if (verdict.kind === 'drop' || verdict.kind === 'reject') {
      return {
        verdict: verdict.kind,
        chain: where(ruleset, chain),
        rule: { text: rule.text, index, ...(rule.handle !== undefined ? { handle: rule.handle } : {}) },
        byPolicy: false,
      };
    }
    if (verdict.kind !== 'jump' && verdict.kind !== 'goto') continue;
    const targetName = verdict.chain;
    const target = ruleset.chains.find((candidate) => candidate.family === chain.family && candidate.table === chain.table && candidate.name === targetName);
    if (!target) continue;
    const result = walk(ruleset, target, packet, conditional, depth + 1);
    if (result !== undefined || verdict.kind === 'goto') return result;
  }
  return undefined;
}

function where(ruleset: FilterRuleset, chain: FilterChain): string {
  return ruleset.tool === 'nft'
    ? `${chain.family} ${chain.table} ${chain.name}`
    : `${ruleset.tool === 'ip6tables-save' ? 'ip6tables' : 'iptables'} ${chain.table} ${chain.name}`;
}

export function ruleMatches(rule: FilterRule, packet: Packet): Tri {
  let result: Tri = 'yes';
  for (const match of rule.matches) {
    const one = matchOne(match, packet);
    if (one === 'no') return 'no';
    if (one === 'maybe') result = 'maybe';
  }
  return result;
}

function matchOne(match: FilterMatch, packet: Packet): Tri {
  const negate = (value: Tri, negated: boolean): Tri => (!negated || value === 'maybe' ? value : value === 'yes' ? 'no' : 'yes');
  switch (match.kind) {
    case 'iifname':
      return negate(match.names.some((name) => interfaceMatches(name, packet.iif)) ? 'yes' : 'no', match.negate);
    case 'l4proto':
      return negate(match.protos.some((proto) => proto === packet.proto || proto === '6') ? 'yes' : 'no', match.negate);
    case 'dport':
      return negate(match.ranges.some((range) => packet.dport >= range.from && packet.dport <= range.to) ? 'yes' : 'no', match.negate);
    case 'nfproto':
      return match.family === packet.family ? 'yes' : 'no';
    case 'saddr':
      if (match.family !== packet.family) return 'no';
      return negate(sourceCovers(match.cidrs, packet.family), match.negate);
    case 'ct-state':
      return negate(match.states.includes(packet.state) ? 'yes' : 'no', match.negate);
    default:
      return 'maybe';
  }
}

/** `tailscale0`, `tailscale*` (nft), `tailscale+` (iptables). */
function interfaceMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith('*') || pattern.endsWith('+')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/**
 * The source is some tailnet address: a CIDR covering the whole tailnet range matches, one that
 * overlaps part of it may match, one outside it does not.
 */
function sourceCovers(cidrs: string[], family: Packet['family']): Tri {
  const tailnet = family === 'ipv4' ? TAILNET_V4 : TAILNET_V6;
  let result: Tri = 'no';
  for (const text of cidrs) {
    const [address = '', prefixText] = text.split('/');
    const version = isIP(address);
    if (version === 0 || (version === 4) !== (family === 'ipv4')) continue;
    const prefix = prefixText === undefined ? (version === 4 ? 32 : 128) : Number(prefixText);
    const list = new BlockList();
    list.addSubnet(address, prefix, family);
    if (prefix <= tailnet.prefix && list.check(tailnet.address, family)) return 'yes';
    const tailnetList = new BlockList();
    tailnetList.addSubnet(tailnet.address, tailnet.prefix, family);
    if (tailnetList.check(address, family)) result = 'maybe';
  }
  return result;
}

/** Port names the tools may print instead of numbers. */
const SERVICES: Record<string, number> = { ssh: 22, http: 80, https: 443, domain: 53 };

export function portRanges(values: Array<string | number>): PortRange[] | undefined {
  const ranges: PortRange[] = [];
  for (const value of values) {
    const text = String(value).trim();
    const match = /^(\d{1,5})(?:[-:](\d{1,5}))?$/.exec(text);
    if (match) ranges.push({ from: Number(match[1]), to: Number(match[2] ?? match[1]) });
    else if (SERVICES[text] !== undefined) ranges.push({ from: SERVICES[text], to: SERVICES[text] });
    else return undefined;
  }
  return ranges;
}
