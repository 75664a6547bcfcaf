import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/host/iptables-save.js';
import { parseNftJson } from '../../src/host/nft-ruleset.js';
import { parseNftText } from '../../src/host/nft-text.js';
import { tracePacket, type FilterRuleset, type Packet } from '../../src/host/packet-filter.js';

/**
 * The packet-filter parsers and the packet walk, on rulesets recorded from the real tools
 * (nftables 1.0.6, iptables 1.8.9, generated in a throwaway network namespace): the fixtures are
 * the tools' own output, not hand-written approximations of it.
 */

const fixture = (name: string) => readFileSync(new URL(`../fixtures/firewall/${name}`, import.meta.url), 'utf8');
const packet = (dport: number, family: Packet['family'] = 'ipv4', iif = 'tailscale0'): Packet => ({ family, iif, proto: 'tcp', dport, state: 'new' });

function nftJson(): FilterRuleset {
  const parsed = parseNftJson(fixture('nft.json'));
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.ruleset;
}

interface Row {
  port: number;
  family?: Packet['family'];
  iif?: string;
  verdict: 'accept' | 'drop' | 'reject';
  /** The deciding rule's text contains this; `policy` when the chain's policy decided. */
  by: string;
  chain?: string;
  handle?: number;
}

const nftRows: Row[] = [
  { port: 18789, verdict: 'drop', by: 'iifname "tailscale0" tcp dport 18789 counter', chain: 'inet filter input', handle: 6 },
  { port: 443, verdict: 'accept', by: '' },
  { port: 18500, verdict: 'reject', by: '@gateway_ports', chain: 'inet filter input', handle: 9 },
  { port: 19500, verdict: 'reject', by: '@gateway_ports', handle: 9 },
  { port: 19050, verdict: 'drop', by: 'ip saddr 100.64.0.0/10 tcp dport 19000-19100', handle: 10 },
  // The same port over IPv6 passes the `ip saddr` rule, jumps to `extra`, returns, and meets the policy.
  { port: 19050, family: 'ipv6', verdict: 'drop', by: 'policy', chain: 'inet filter input' },
  { port: 8443, verdict: 'drop', by: 'iifname != "eth0" tcp dport 8443', chain: 'inet filter extra', handle: 12 },
  { port: 9000, verdict: 'accept', by: '' },
  { port: 20000, verdict: 'drop', by: 'policy', chain: 'inet filter input' },
  // Not on tailscale0: the tailscale0-only drop does not apply, the policy does.
  { port: 18789, iif: 'eth0', verdict: 'drop', by: 'policy' },
];

function check(ruleset: FilterRuleset, row: Row): void {
  const outcome = tracePacket(ruleset, packet(row.port, row.family, row.iif));
  expect(outcome.verdict, `port ${row.port}`).toBe(row.verdict);
  if (row.by === 'policy') expect(outcome.byPolicy).toBe(true);
  else if (row.by) expect(outcome.rule?.text).toContain(row.by);
  if (row.chain) expect(outcome.chain).toBe(row.chain);
  if (row.handle !== undefined && ruleset.tool === 'nft' && outcome.rule?.handle !== undefined) expect(outcome.rule.handle).toBe(row.handle);
}

describe('nft -j list ruleset (JSON)', () => {
  it.each(nftRows)('tcp/$port $family via $iif → $verdict ($by)', (row) => check(nftJson(), row));

  it('keeps handles, so the verdict can name the rule to delete', () => {
    expect(tracePacket(nftJson(), packet(18789)).rule).toMatchObject({ handle: 6 });
  });

  it('refuses output that is not nft JSON with a reason, not a throw', () => {
    expect(parseNftJson('table inet filter {')).toEqual({ ok: false, problem: expect.stringContaining('not JSON') });
    expect(parseNftJson('{"foo": 1}')).toEqual({ ok: false, problem: expect.stringContaining('nftables') });
  });
});

describe('nft list ruleset (text)', () => {
  const ruleset = parseNftText(fixture('nft-text.txt'));
  it.each(nftRows)('tcp/$port $family via $iif → $verdict ($by)', (row) => check(ruleset, row));

  it('reads the base chain header (hook, priority, policy) and the named set', () => {
    const input = ruleset.chains.find((chain) => chain.name === 'input');
    expect(input).toMatchObject({ family: 'inet', table: 'filter', hook: 'input', priority: 0, policy: 'drop' });
    expect(ruleset.chains.find((chain) => chain.name === 'extra')?.hook).toBeUndefined();
  });
});

describe('iptables-save / ip6tables-save', () => {
  const v4 = parseIptablesSave(fixture('iptables-save.txt'));
  const v6 = parseIptablesSave(fixture('ip6tables-save.txt'), 'ip6tables-save');
  const rows: Row[] = [
    // tailscale's own ts-input chain is walked and returned from; ufw-style user chain rejects by multiport range.
    { port: 18789, verdict: 'reject', by: '-m multiport --dports 80,443,18000:18999 -j REJECT', chain: 'iptables filter ufw-user-input' },
    { port: 19000, verdict: 'drop', by: '--comment "gw test" -j DROP' },
    { port: 22, verdict: 'accept', by: '' },
    // A policy drop with an accept elsewhere (22): the policy decides for every other port.
    { port: 20000, verdict: 'drop', by: 'policy', chain: 'iptables filter INPUT' },
  ];
  it.each(rows)('tcp/$port → $verdict ($by)', (row) => check(v4, row));

  it('ip6tables: a plain drop by -i tailscale0 --dport', () => {
    const outcome = tracePacket(v6, packet(18789, 'ipv6'));
    expect(outcome).toMatchObject({
      verdict: 'drop',
      byPolicy: false,
      chain: 'ip6tables filter INPUT',
      rule: { text: '-A INPUT -i tailscale0 -p tcp -m tcp --dport 18789 -j DROP' },
    });
    expect(tracePacket(v6, packet(18790, 'ipv6')).verdict).toBe('accept');
  });

  it('an iptables ruleset does not decide IPv6 packets, nor ip6tables IPv4', () => {
    expect(tracePacket(v6, packet(18789, 'ipv4')).verdict).toBe('accept');
  });
});

describe('rule shapes the walk must get right', () => {
  const save = (rules: string, policy = 'ACCEPT') => parseIptablesSave(`*filter\n:INPUT ${policy} [0:0]\n:ts-input - [0:0]\n${rules}\nCOMMIT\n`);

  it('an accept for tailscale0 before the drop wins (tailscale accepting its own interface)', () => {
    const ruleset = save('-A INPUT -j ts-input\n-A ts-input -i tailscale0 -j ACCEPT\n-A INPUT -p tcp --dport 18789 -j DROP');
    expect(tracePacket(ruleset, packet(18789)).verdict).toBe('accept');
  });

  it('a drop for one source address is conditional, not the verdict', () => {
    const outcome = tracePacket(save('-A INPUT -s 100.101.1.2/32 -p tcp --dport 18789 -j DROP'), packet(18789));
    expect(outcome.verdict).toBe('accept');
    expect(outcome.conditional).toEqual([expect.stringContaining('-s 100.101.1.2/32')]);
  });

  it('a drop for sources outside the tailnet does not apply', () => {
    expect(tracePacket(save('-A INPUT -s 10.0.0.0/8 -p tcp --dport 18789 -j DROP'), packet(18789)).verdict).toBe('accept');
  });

  it('wildcard interfaces (tailscale+) and negations', () => {
    expect(tracePacket(save('-A INPUT -i tailscale+ -p tcp --dport 18789 -j DROP'), packet(18789)).verdict).toBe('drop');
    expect(tracePacket(save('-A INPUT ! -i tailscale0 -p tcp --dport 18789 -j DROP'), packet(18789)).verdict).toBe('accept');
    expect(tracePacket(save('-A INPUT -p tcp ! --dport 22 -j DROP'), packet(18789)).verdict).toBe('drop');
  });

  it('established-only accepts do not let a new connection in', () => {
    const outcome = tracePacket(save('-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', 'DROP'), packet(18789));
    expect(outcome).toMatchObject({ verdict: 'drop', byPolicy: true });
  });

  it('a rate-limited drop is conditional (the walk cannot know the rate)', () => {
    const outcome = tracePacket(save('-A INPUT -p tcp --dport 18789 -m limit --limit 5/min -j DROP'), packet(18789));
    expect(outcome.verdict).toBe('accept');
    expect(outcome.conditional).toHaveLength(1);
  });

  it('nft: a prerouting drop decides before input; an input accept in one base chain does not skip another', () => {
    const ruleset = parseNftText(`table inet raw {
\tchain pre {
\t\ttype filter hook prerouting priority raw; policy accept;
\t\tiifname "tailscale0" tcp dport 18789 drop
\t}
}
table inet early {
\tchain input {
\t\ttype filter hook input priority filter - 10; policy accept;
\t\ttcp dport 8443 accept
\t}
}
table inet late {
\tchain input {
\t\ttype filter hook input priority filter + 10; policy accept;
\t\ttcp dport 8443 reject with tcp reset
\t}
}`);
    expect(tracePacket(ruleset, packet(18789))).toMatchObject({ verdict: 'drop', chain: 'inet raw pre' });
    expect(tracePacket(ruleset, packet(8443))).toMatchObject({ verdict: 'reject', chain: 'inet late input' });
  });
});
