/**
 * The packet-filter reading against the REAL tools of this machine (nftables, iptables-nft), inside
 * a throwaway network namespace named with this process's pid (created here, deleted afterwards,
 * also when a test fails): what the installed nft and iptables-save print today is what the
 * parsers must read. Needs root, as CI has; the host's own ruleset is never touched.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileOutcome, type ExecFileFn } from '../../src/host/exec-file.js';
import { readPacketFilter } from '../../src/host/read-packet-filter.js';

const NS = `clawops-fw-${process.pid}`;
const inNamespace: ExecFileFn = (file, args, options) => execFileOutcome('ip', ['netns', 'exec', NS, file, ...args], options);
const run = (args: string[], input?: string) => execFileSync('ip', ['netns', 'exec', NS, ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] });
const v4 = (reading: Awaited<ReturnType<typeof readPacketFilter>>, port: number) =>
  reading.ports.find((entry) => entry.port === port && entry.family === 'ipv4');

describe('the packet filter as this machine’s nft and iptables print it (network namespace)', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', NS]);
  });
  beforeEach(() => {
    run(['nft', 'flush', 'ruleset']);
  });

  it('nft: a drop by dport on tailscale0, a reject by set, a policy drop — each named', async () => {
    run(
      ['nft', '-f', '-'],
      `table inet filter {
  set gateway_ports { type inet_service; flags interval; elements = { 18000-18999 } }
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iifname "tailscale0" tcp dport 19789 drop
    tcp dport 443 accept
    iifname "tailscale0" tcp dport @gateway_ports reject with tcp reset
  }
}
`,
    );
    const reading = await readPacketFilter({ exec: inNamespace, ports: [19789, 18789, 443, 20000], timeoutMs: 5_000 });
    expect(reading).toMatchObject({ available: true, tool: 'nft -j list ruleset' });
    expect(v4(reading, 19789)).toMatchObject({
      verdict: 'drop',
      chain: 'inet filter input',
      rule: 'iifname "tailscale0" tcp dport 19789 drop',
      handle: expect.any(Number),
    });
    expect(v4(reading, 18789)).toMatchObject({ verdict: 'reject', rule: expect.stringContaining('@gateway_ports') });
    expect(v4(reading, 443)?.verdict).toBe('accept');
    expect(v4(reading, 20000)).toMatchObject({ verdict: 'drop', byPolicy: true });
  });

  it('iptables (iptables-nft, as ufw writes it): read through iptables-save, the multiport REJECT named', async () => {
    run(['iptables', '-P', 'INPUT', 'DROP']);
    run(['iptables', '-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
    run([
      'iptables',
      '-A',
      'INPUT',
      '-i',
      'tailscale0',
      '-p',
      'tcp',
      '-m',
      'multiport',
      '--dports',
      '80,443,18000:18999',
      '-j',
      'REJECT',
      '--reject-with',
      'tcp-reset',
    ]);
    run(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT']);
    const reading = await readPacketFilter({ exec: inNamespace, ports: [18789, 22, 9000], timeoutMs: 5_000 });
    expect(reading.available).toBe(true);
    expect(v4(reading, 18789)).toMatchObject({
      verdict: 'reject',
      chain: 'iptables filter INPUT',
      rule: expect.stringContaining('--dports 80,443,18000:18999 -j REJECT'),
    });
    expect(v4(reading, 22)?.verdict).toBe('accept');
    expect(v4(reading, 9000)).toMatchObject({ verdict: 'drop', byPolicy: true });
  });

  it('an empty ruleset accepts', async () => {
    const reading = await readPacketFilter({ exec: inNamespace, ports: [18789], timeoutMs: 5_000 });
    expect(reading).toMatchObject({ available: true });
    expect(v4(reading, 18789)?.verdict).toBe('accept');
  });
});
