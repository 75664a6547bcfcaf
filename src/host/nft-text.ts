import { portRanges, type FilterChain, type FilterMatch, type FilterRule, type FilterRuleset, type FilterVerdict } from './packet-filter.js';

/**
 * `nft list ruleset` (the text form, for an nft without JSON support) → the packet-filter model.
 * Reads tables, named sets, chains with their `type … hook … priority …; policy …;` line, and the
 * rule expressions that decide our packet; any other expression becomes an `other` match.
 */

const PRIORITY_NAMES: Record<string, number> = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 };
const NEUTRAL = new Set(['counter', 'log', 'comment', 'notrack']);

type Token = string;

/** Words, quoted strings (kept with their quotes), and braces/commas as their own tokens. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /"(?:[^"\\]|\\.)*"|[{},;]|[^\s{},;"]+/g;
  for (const match of line.matchAll(pattern)) tokens.push(match[0]);
  return tokens;
}

const unquote = (token: string) => (token.startsWith('"') && token.endsWith('"') ? token.slice(1, -1) : token);

export function parseNftText(text: string): FilterRuleset {
  const chains: FilterChain[] = [];
  const sets = new Map<string, string[]>();
  let table: { family: string; name: string } | undefined;
  let chain: FilterChain | undefined;
  let set: { key: string; collecting: boolean; values: string[] } | undefined;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const tokens = tokenize(line);
    if (set) {
      if (line.startsWith('elements')) set.collecting = true;
      if (set.collecting) set.values.push(...tokens.filter((token) => !['elements', '=', '{', '}', ','].includes(token)).map(unquote));
      if (set.collecting && line.includes('}')) set.collecting = false;
      if (line === '}' && !set.collecting) {
        sets.set(set.key, set.values);
        set = undefined;
      }
      continue;
    }
    if (tokens[0] === 'table' && tokens.length >= 3) {
      table = tokens.length >= 4 && tokens[3] === '{' ? { family: tokens[1]!, name: tokens[2]! } : { family: 'ip', name: tokens[1]! };
      continue;
    }
    if (!table) continue;
    if ((tokens[0] === 'set' || tokens[0] === 'map') && tokens[2] === '{') {
      set = { key: tokens[1]!, collecting: false, values: [] };
      continue;
    }
    if (tokens[0] === 'chain' && tokens[2] === '{') {
      chain = { family: table.family, table: table.name, name: tokens[1]!, rules: [] };
      chains.push(chain);
      continue;
    }
    if (line === '}') {
      if (chain) chain = undefined;
      else table = undefined;
      continue;
    }
    if (!chain) continue;
    if (tokens[0] === 'type' && tokens.includes('hook')) {
      readChainHeader(chain, tokens);
      continue;
    }
    if (tokens[0] === 'policy') {
      chain.policy = tokens[1] === 'drop' ? 'drop' : 'accept';
      continue;
    }
    chain.rules.push(parseRule(line, tokens, (name) => sets.get(name)));
  }
  return { tool: 'nft', chains };
}

function readChainHeader(chain: FilterChain, tokens: Token[]): void {
  const at = (word: string) => tokens.indexOf(word);
  chain.hook = tokens[at('hook') + 1];
  const priority: string[] = [];
  for (let i = at('priority') + 1; i > 0 && i < tokens.length && tokens[i] !== ';'; i++) priority.push(tokens[i]!);
  chain.priority = evaluatePriority(priority);
  const policy = at('policy');
  chain.policy = policy >= 0 && tokens[policy + 1] === 'drop' ? 'drop' : 'accept';
}

/** `filter`, `-150`, `filter + 10`, `mangle - 5`. */
function evaluatePriority(parts: string[]): number {
  let value = 0;
  let sign = 1;
  for (const part of parts) {
    if (part === '+') sign = 1;
    else if (part === '-') sign = -1;
    else value += sign * (PRIORITY_NAMES[part] ?? (Number.isFinite(Number(part)) ? Number(part) : 0));
  }
  return value;
}

/** The values after a selector: one token, or a `{ a, b }` set, or `@set`. */
function readValues(tokens: Token[], start: number, setNamed: (name: string) => string[] | undefined): { values: string[] | undefined; next: number } {
  const first = tokens[start];
  if (first === '{') {
    const values: string[] = [];
    let i = start + 1;
    for (; i < tokens.length && tokens[i] !== '}'; i++) if (tokens[i] !== ',') values.push(unquote(tokens[i]!));
    return { values, next: i + 1 };
  }
  if (first === undefined) return { values: undefined, next: start };
  if (first.startsWith('@')) return { values: setNamed(first.slice(1)), next: start + 1 };
  // `established,related` is one token in nft's output.
  return { values: unquote(first).split(','), next: start + 1 };
}

function parseRule(line: string, tokens: Token[], setNamed: (name: string) => string[] | undefined): FilterRule {
  const matches: FilterMatch[] = [];
  let verdict: FilterVerdict = { kind: 'continue' };
  let i = 0;
  const negated = (): boolean => {
    if (tokens[i] === '!=') {
      i++;
      return true;
    }
    if (tokens[i] === '==') i++;
    return false;
  };
  while (i < tokens.length) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (token === 'iifname' || token === 'iif') {
      i++;
      const negate = negated();
      const read = readValues(tokens, i, setNamed);
      i = read.next;
      matches.push(read.values ? { kind: 'iifname', negate, names: read.values } : { kind: 'other', text: token });
    } else if ((token === 'tcp' || token === 'udp' || token === 'th') && next === 'dport') {
      i += 2;
      const negate = negated();
      const read = readValues(tokens, i, setNamed);
      i = read.next;
      const ranges = read.values ? portRanges(read.values) : undefined;
      if (token !== 'th') matches.push({ kind: 'l4proto', negate: false, protos: [token] });
      matches.push(ranges ? { kind: 'dport', negate, ranges } : { kind: 'other', text: `${token} dport` });
    } else if ((token === 'ip' || token === 'ip6') && next === 'saddr') {
      i += 2;
      const negate = negated();
      const read = readValues(tokens, i, setNamed);
      i = read.next;
      matches.push(
        read.values ? { kind: 'saddr', negate, family: token === 'ip' ? 'ipv4' : 'ipv6', cidrs: read.values } : { kind: 'other', text: `${token} saddr` },
      );
    } else if ((token === 'meta' && next === 'l4proto') || (token === 'ip' && next === 'protocol') || (token === 'ip6' && next === 'nexthdr')) {
      i += 2;
      const negate = negated();
      const read = readValues(tokens, i, setNamed);
      i = read.next;
      if (token !== 'meta') matches.push({ kind: 'nfproto', family: token === 'ip' ? 'ipv4' : 'ipv6' });
      matches.push(read.values ? { kind: 'l4proto', negate, protos: read.values } : { kind: 'other', text: `${token} ${next}` });
    } else if (token === 'meta' && next === 'nfproto') {
      i += 2;
      const read = readValues(tokens, i, setNamed);
      i = read.next;
      matches.push({ kind: 'nfproto', family: read.values?.[0] === 'ipv6' ? 'ipv6' : 'ipv4' });
    } else if (token === 'ct' && next === 'state') {
      i += 2;
      const negate = negated();
      const read = readValues(tokens, i, setNamed);
      i = read.next;
      matches.push(read.values ? { kind: 'ct-state', negate, states: read.values } : { kind: 'other', text: 'ct state' });
    } else if (token === 'accept' || token === 'drop' || token === 'return' || token === 'continue') {
      verdict = { kind: token };
      i++;
    } else if (token === 'reject') {
      verdict = { kind: 'reject' };
      // `reject with icmp port-unreachable` / `with tcp reset`: the rest is the reject's own options.
      break;
    } else if ((token === 'jump' || token === 'goto') && next !== undefined) {
      verdict = { kind: token, chain: next };
      i += 2;
    } else if (NEUTRAL.has(token)) {
      i = skipStatement(tokens, i);
    } else {
      matches.push({ kind: 'other', text: token });
      i++;
    }
  }
  return { matches, verdict, text: line.replace(/\s+#.*$/, '') };
}

/** `counter packets 0 bytes 0`, `log prefix "x " level info`, `comment "…"`: skip the statement's own words. */
function skipStatement(tokens: Token[], start: number): number {
  const OWN = new Set(['packets', 'bytes', 'prefix', 'level', 'group', 'snaplen', 'queue-threshold', 'flags']);
  let i = start + 1;
  while (i < tokens.length) {
    if (OWN.has(tokens[i]!)) i += 2;
    else if (tokens[start] === 'comment' && i === start + 1) i++;
    else break;
  }
  return i;
}
