import * as z from 'zod';
import { portRanges, type FilterChain, type FilterMatch, type FilterRule, type FilterRuleset, type FilterVerdict } from './packet-filter.js';

/**
 * `nft -j list ruleset` (libnftables JSON, schema version 1) → the packet-filter model. Parsed
 * loosely with zod: an expression this parser does not know becomes an `other` match (`maybe`),
 * never a failure, so a ruleset with exotic rules still names the plain drop that matters.
 */

const Json = z.looseObject({ nftables: z.array(z.record(z.string(), z.unknown())) });
const ChainSchema = z.looseObject({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  hook: z.string().optional(),
  prio: z.number().optional(),
  policy: z.string().optional(),
});
const RuleSchema = z.looseObject({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  handle: z.number().optional(),
  expr: z.array(z.record(z.string(), z.unknown())).default([]),
  comment: z.string().optional(),
});
const SetSchema = z.looseObject({ family: z.string(), table: z.string(), name: z.string(), elem: z.array(z.unknown()).optional() });

/**
 * `xtables`: the ruleset holds `xt` expressions — rules written by iptables-nft (ufw, Docker,
 * firewalld on iptables) whose matches nft cannot show (`-m multiport`, `-m conntrack`, a REJECT
 * target). Those tables read better from iptables-save, which the caller then asks for.
 */
export type NftParse = { ok: true; ruleset: FilterRuleset; xtables: boolean } | { ok: false; problem: string };

/** Statements that do not change whether a rule matches or what it decides. */
const NEUTRAL = new Set(['counter', 'log', 'comment', 'notrack', 'mangle']);
const XT_VERDICTS: Record<string, 'accept' | 'drop' | 'reject'> = { ACCEPT: 'accept', DROP: 'drop', REJECT: 'reject' };

export function parseNftJson(text: string): NftParse {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'nft -j printed something that is not JSON' };
  }
  const parsed = Json.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: 'nft -j printed JSON without an `nftables` list' };
  const sets = new Map<string, unknown[]>();
  const chains: FilterChain[] = [];
  const rules: Array<z.infer<typeof RuleSchema>> = [];
  for (const entry of parsed.data.nftables) {
    const set = SetSchema.safeParse(entry.set);
    if (entry.set && set.success) sets.set(`${set.data.family} ${set.data.table} ${set.data.name}`, set.data.elem ?? []);
    const chain = ChainSchema.safeParse(entry.chain);
    if (entry.chain && chain.success) {
      const { family, table, name, hook, prio, policy } = chain.data;
      chains.push({ family, table, name, ...(hook ? { hook, priority: prio ?? 0, policy: policy === 'drop' ? 'drop' : 'accept' } : {}), rules: [] });
    }
    const rule = RuleSchema.safeParse(entry.rule);
    if (entry.rule && rule.success) rules.push(rule.data);
  }
  for (const rule of rules) {
    const chain = chains.find((candidate) => candidate.family === rule.family && candidate.table === rule.table && candidate.name === rule.chain);
    chain?.rules.push(toRule(rule, (name) => sets.get(`${rule.family} ${rule.table} ${name}`)));
  }
  const xtables = rules.some((rule) => rule.expr.some((expr) => 'xt' in expr));
  return { ok: true, ruleset: { tool: 'nft', chains }, xtables };
}

function toRule(rule: z.infer<typeof RuleSchema>, setNamed: (name: string) => unknown[] | undefined): FilterRule {
  const matches: FilterMatch[] = [];
  let verdict: FilterVerdict = { kind: 'continue' };
  const words: string[] = [];
  for (const expr of rule.expr) {
    const [key, value] = Object.entries(expr)[0] ?? [];
    if (key === undefined) continue;
    if (key === 'match') {
      const match = toMatch(value, setNamed);
      matches.push(...match.matches);
      words.push(match.text);
    } else if (key === 'accept' || key === 'drop' || key === 'reject' || key === 'return' || key === 'continue') {
      verdict = { kind: key };
      words.push(key === 'reject' && value && typeof value === 'object' && 'type' in value ? `reject with ${String(value.type)}` : key);
    } else if (key === 'jump' || key === 'goto') {
      const chain = String((value as { target?: unknown } | null)?.target ?? '');
      verdict = { kind: key, chain };
      words.push(`${key} ${chain}`);
    } else if (key === 'xt') {
      // iptables-nft's opaque expressions: a target still decides; a match may or may not apply.
      const xt = (value ?? {}) as { type?: unknown; name?: unknown };
      const name = String(xt.name ?? '?');
      if (xt.type === 'target' && XT_VERDICTS[name]) verdict = { kind: XT_VERDICTS[name] };
      else if (xt.type !== 'target') matches.push({ kind: 'other', text: `xt match ${name}` });
      words.push(`xt ${String(xt.type ?? '')} ${name}`);
    } else if (NEUTRAL.has(key)) {
      words.push(key);
    } else {
      // limit, quota, numgen, …: the rule may or may not apply to this packet.
      matches.push({ kind: 'other', text: key });
      words.push(key);
    }
  }
  return { matches, verdict, text: words.join(' '), ...(rule.handle !== undefined ? { handle: rule.handle } : {}) };
}

interface MatchText {
  matches: FilterMatch[];
  text: string;
}

function toMatch(value: unknown, setNamed: (name: string) => unknown[] | undefined): MatchText {
  const m = value as { op?: unknown; left?: unknown; right?: unknown } | null;
  const op = typeof m?.op === 'string' ? m.op : '==';
  const negate = op === '!=';
  const left = (m?.left ?? {}) as Record<string, Record<string, unknown>>;
  const right = m?.right;
  const values = flatten(right, setNamed);
  const shown = `${describeLeft(left)}${negate ? ' !=' : ''} ${describeRight(right)}`;
  const other = (): MatchText => ({ matches: [{ kind: 'other', text: shown }], text: shown });
  if (left.meta) {
    const key = String(left.meta.key ?? '');
    if ((key === 'iifname' || key === 'iif') && values) return { matches: [{ kind: 'iifname', negate, names: values.map(String) }], text: shown };
    if (key === 'l4proto' && values) return { matches: [{ kind: 'l4proto', negate, protos: values.map(String) }], text: shown };
    if (key === 'nfproto' && values?.length === 1 && !negate)
      return { matches: [{ kind: 'nfproto', family: String(values[0]) === 'ipv6' ? 'ipv6' : 'ipv4' }], text: shown };
    return other();
  }
  if (left.payload) {
    const protocol = String(left.payload.protocol ?? '');
    const field = String(left.payload.field ?? '');
    if (field === 'dport' && (protocol === 'tcp' || protocol === 'udp' || protocol === 'th')) {
      const ranges = values ? portRanges(values.map(String)) : undefined;
      if (!ranges) return other();
      const proto: FilterMatch[] = protocol === 'th' ? [] : [{ kind: 'l4proto', negate: false, protos: [protocol] }];
      return { matches: [...proto, { kind: 'dport', negate, ranges }], text: shown };
    }
    if (field === 'saddr' && (protocol === 'ip' || protocol === 'ip6') && values) {
      return { matches: [{ kind: 'saddr', negate, family: protocol === 'ip' ? 'ipv4' : 'ipv6', cidrs: values.map(String) }], text: shown };
    }
    if (field === 'protocol' && protocol === 'ip' && values)
      return {
        matches: [
          { kind: 'nfproto', family: 'ipv4' },
          { kind: 'l4proto', negate, protos: values.map(String) },
        ],
        text: shown,
      };
    if (field === 'nexthdr' && protocol === 'ip6' && values)
      return {
        matches: [
          { kind: 'nfproto', family: 'ipv6' },
          { kind: 'l4proto', negate, protos: values.map(String) },
        ],
        text: shown,
      };
    return other();
  }
  if (left.ct && String(left.ct.key) === 'state' && values) {
    // `in` tests flags: "ct state established,related" matches a packet in any of them.
    return { matches: [{ kind: 'ct-state', negate, states: values.map(String) }], text: shown };
  }
  return other();
}

/** A right-hand side as plain values: `18789`, `"tailscale0"`, `{set: [...]}`, `@name`, ranges, prefixes. */
function flatten(right: unknown, setNamed: (name: string) => unknown[] | undefined): string[] | undefined {
  if (typeof right === 'string' && right.startsWith('@')) {
    const elements = setNamed(right.slice(1));
    return elements ? flatten({ set: elements }, setNamed) : undefined;
  }
  if (typeof right === 'string' || typeof right === 'number') return [String(right)];
  if (Array.isArray(right)) return right.flatMap((item) => flatten(item, setNamed) ?? []);
  if (right && typeof right === 'object') {
    const object = right as Record<string, unknown>;
    if (Array.isArray(object.set)) return object.set.flatMap((item) => flatten(item, setNamed) ?? []);
    if (Array.isArray(object.range) && object.range.length === 2) return [`${String(object.range[0])}-${String(object.range[1])}`];
    if (object.prefix && typeof object.prefix === 'object') {
      const prefix = object.prefix as { addr?: unknown; len?: unknown };
      return [`${String(prefix.addr)}/${String(prefix.len)}`];
    }
    if (object.elem && typeof object.elem === 'object') return flatten((object.elem as { val?: unknown }).val, setNamed);
  }
  return undefined;
}

function describeLeft(left: Record<string, Record<string, unknown>>): string {
  if (left.meta) return String(left.meta.key);
  if (left.payload) return `${String(left.payload.protocol)} ${String(left.payload.field)}`;
  if (left.ct) return `ct ${String(left.ct.key)}`;
  return Object.keys(left)[0] ?? '?';
}

function describeRight(right: unknown): string {
  if (typeof right === 'string') return right.startsWith('@') ? right : JSON.stringify(right);
  if (typeof right === 'number') return String(right);
  if (Array.isArray(right)) return right.map((item) => describeRight(item)).join(',');
  if (right && typeof right === 'object') {
    const object = right as Record<string, unknown>;
    if (Array.isArray(object.set)) return `{ ${object.set.map((item) => describeRight(item)).join(', ')} }`;
    if (Array.isArray(object.range)) return `${String(object.range[0])}-${String(object.range[1])}`;
    if (object.prefix && typeof object.prefix === 'object')
      return `${String((object.prefix as { addr?: unknown }).addr)}/${String((object.prefix as { len?: unknown }).len)}`;
  }
  return JSON.stringify(right);
}
