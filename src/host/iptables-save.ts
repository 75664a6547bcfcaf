import { portRanges, type FilterChain, type FilterMatch, type FilterRule, type FilterRuleset, type FilterVerdict } from './packet-filter.js';

/**
 * `iptables-save` / `ip6tables-save` → the packet-filter model. The chains that see a packet
 * arriving for this host: raw and mangle PREROUTING, mangle and filter INPUT (with the priorities
 * iptables registers them at), and the user chains they jump to. Options this parser does not model
 * make the rule an `other` match (`maybe`), never a wrong "no".
 */

const BUILTIN_HOOKS: Record<string, Record<string, { hook: string; priority: number }>> = {
  raw: { PREROUTING: { hook: 'prerouting', priority: -300 } },
  mangle: { PREROUTING: { hook: 'prerouting', priority: -150 }, INPUT: { hook: 'input', priority: -150 } },
  filter: { INPUT: { hook: 'input', priority: 0 } },
};
/** Targets that neither decide nor jump: the packet goes on. */
const NON_TERMINAL = new Set(['LOG', 'NFLOG', 'MARK', 'CONNMARK', 'TRACE', 'CT', 'AUDIT', 'NOTRACK', 'TCPMSS', 'DSCP', 'TOS', 'CLASSIFY']);
/** `-m` modules whose options we read; others make the rule `maybe`. */
const NEUTRAL_MODULES = new Set(['tcp', 'udp', 'comment', 'multiport', 'conntrack', 'state']);

export function parseIptablesSave(text: string, tool: 'iptables-save' | 'ip6tables-save' = 'iptables-save'): FilterRuleset {
  const family = tool === 'ip6tables-save' ? 'ip6' : 'ip';
  const chains: FilterChain[] = [];
  let table: string | undefined;
  const pending: Array<{ table: string; chain: string; tokens: string[]; line: string }> = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      table = line.slice(1);
      continue;
    }
    if (line === 'COMMIT') {
      table = undefined;
      continue;
    }
    if (!table) continue;
    if (line.startsWith(':')) {
      const [name = '', policy = '-'] = line.slice(1).split(/\s+/);
      const builtin = BUILTIN_HOOKS[table]?.[name];
      chains.push({ family, table, name, ...(builtin ? { ...builtin, policy: policy === 'DROP' ? 'drop' : 'accept' } : {}), rules: [] });
      continue;
    }
    const tokens = tokenize(line);
    if (tokens[0] === '-A' && tokens[1]) pending.push({ table, chain: tokens[1], tokens: tokens.slice(2), line });
  }
  for (const rule of pending) {
    const chain = chains.find((candidate) => candidate.table === rule.table && candidate.name === rule.chain);
    const userChains = new Set(chains.filter((candidate) => candidate.table === rule.table).map((candidate) => candidate.name));
    chain?.rules.push(parseRule(rule.tokens, rule.line, family, userChains));
  }
  return { tool, chains };
}

/** Words and quoted strings (`--comment "gw test"`), as iptables-save quotes them. */
function tokenize(line: string): string[] {
  return [...line.matchAll(/"(?:[^"\\]|\\.)*"|\S+/g)].map((match) => match[0]);
}

function parseRule(tokens: string[], line: string, family: 'ip' | 'ip6', chains: Set<string>): FilterRule {
  const matches: FilterMatch[] = [];
  let verdict: FilterVerdict = { kind: 'continue' };
  let negate = false;
  const unquote = (token: string | undefined) => (token ?? '').replace(/^"|"$/g, '');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const value = tokens[i + 1];
    if (token === '!') {
      negate = true;
      continue;
    }
    const consume = () => {
      i++;
      const was = negate;
      negate = false;
      return was;
    };
    if (token === '-i' || token === '--in-interface') {
      matches.push({ kind: 'iifname', negate: consume(), names: [unquote(value)] });
    } else if (token === '-p' || token === '--protocol') {
      matches.push({ kind: 'l4proto', negate: consume(), protos: [unquote(value).toLowerCase()] });
    } else if (token === '-s' || token === '--source') {
      matches.push({ kind: 'saddr', negate: consume(), family: family === 'ip' ? 'ipv4' : 'ipv6', cidrs: unquote(value).split(',') });
    } else if (token === '--dport' || token === '--destination-port' || token === '--dports' || token === '--destination-ports') {
      const was = consume();
      const ranges = portRanges(unquote(value).split(','));
      matches.push(ranges ? { kind: 'dport', negate: was, ranges } : { kind: 'other', text: `${token} ${unquote(value)}` });
    } else if (token === '--ctstate' || token === '--state') {
      matches.push({ kind: 'ct-state', negate: consume(), states: unquote(value).toLowerCase().split(',') });
    } else if (token === '-m' || token === '--match') {
      i++;
      if (!NEUTRAL_MODULES.has(unquote(value))) matches.push({ kind: 'other', text: `-m ${unquote(value)}` });
    } else if (token === '--comment') {
      i++;
    } else if (token === '-j' || token === '--jump' || token === '-g' || token === '--goto') {
      const target = unquote(value);
      i++;
      if (target === 'ACCEPT') verdict = { kind: 'accept' };
      else if (target === 'DROP') verdict = { kind: 'drop' };
      else if (target === 'REJECT') verdict = { kind: 'reject' };
      else if (target === 'RETURN') verdict = { kind: 'return' };
      else if (chains.has(target)) verdict = { kind: token === '-g' || token === '--goto' ? 'goto' : 'jump', chain: target };
      else if (!NON_TERMINAL.has(target)) matches.push({ kind: 'other', text: `-j ${target}` });
      // A target's own options (`--reject-with tcp-reset`, `--log-prefix "…"`) follow: skip them.
      while (i + 1 < tokens.length && tokens[i + 1]!.startsWith('--')) i += 2;
    } else if (token.startsWith('-')) {
      // -d, -o, --sport, --tcp-flags, …: not about our packet's decisive fields; be honest and say maybe.
      if (token === '--syn') {
        // A new connection's first packet is a SYN: matches.
        negate = false;
        continue;
      }
      if (token === '-d' || token === '--destination' || token === '-o' || token === '--sport' || token === '--source-port' || token === '--tcp-flags') {
        matches.push({ kind: 'other', text: `${token}${value && !value.startsWith('-') ? ` ${unquote(value)}` : ''}` });
      } else {
        matches.push({ kind: 'other', text: token });
      }
      if (value !== undefined && !value.startsWith('-') && value !== '!') i++;
      negate = false;
    }
  }
  return { matches, verdict, text: line };
}
