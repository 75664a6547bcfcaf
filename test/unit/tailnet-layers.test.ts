import { describe, expect, it } from 'vitest';
import { mapBotNode } from '../../src/probes/tailnet/bot-node.js';
import { findPeer, probePeer } from '../../src/probes/tailnet/peer.js';
import { mapPath, toPingEvidence } from '../../src/probes/tailnet/path.js';
import { isTailnetAddress } from '../../src/probes/dns-split.js';
import { StatusSchema } from '../../src/tailscale/local-api-schemas.js';
import { toStatus, type LocalApiResult, type PingReply, type TailscaleStatus } from '../../src/tailscale/local-api-model.js';
import { LayerResultSchema } from '../../src/report/report.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const inDays = (days: number) => new Date(NOW + days * 86_400_000).toISOString();

/** A status answer as tailscaled marshals it (Go zero times, null slices, nodekey-keyed peers). */
function rawStatus(overrides: { state?: string; health?: string[] | null; selfExpiry?: string; selfExpired?: boolean; peer?: Record<string, unknown> } = {}) {
  return {
    Version: '1.80.0-t0000000',
    BackendState: overrides.state ?? 'Running',
    HaveNodeKey: true,
    AuthURL: '',
    TailscaleIPs: ['100.100.1.1', 'fd7a:115c:a1e0::1'],
    Self: {
      ID: 'nSELF',
      PublicKey: 'nodekey:0001',
      HostName: 'clawops-bot',
      DNSName: 'clawops-bot.example-tailnet.ts.net.',
      OS: 'linux',
      UserID: 1,
      TailscaleIPs: ['100.100.1.1'],
      Online: true,
      KeyExpiry: overrides.selfExpiry ?? inDays(90),
      Expired: overrides.selfExpired,
      LastSeen: '0001-01-01T00:00:00Z',
    },
    Health: overrides.health === undefined ? [] : overrides.health,
    MagicDNSSuffix: 'example-tailnet.ts.net',
    CurrentTailnet: { Name: 'example.com', MagicDNSSuffix: 'example-tailnet.ts.net', MagicDNSEnabled: true },
    Peer: {
      'nodekey:00aa': {
        ID: 'nGW1',
        PublicKey: 'nodekey:00aa',
        HostName: 'gw1',
        DNSName: 'gw1.example-tailnet.ts.net.',
        OS: 'linux',
        UserID: 2,
        TailscaleIPs: ['100.101.102.103', 'fd7a:115c:a1e0::53'],
        Tags: ['tag:gateway'],
        Addrs: null,
        CurAddr: '203.0.113.5:41641',
        Relay: 'fra',
        Online: true,
        Active: true,
        InNetworkMap: true,
        KeyExpiry: inDays(120),
        LastSeen: '0001-01-01T00:00:00Z',
        LastHandshake: '2026-03-01T11:59:00Z',
        ...overrides.peer,
      },
    },
    User: { '1': { ID: 1, LoginName: 'ops1@example.com', DisplayName: 'Ops One' } },
  };
}

function status(overrides?: Parameters<typeof rawStatus>[0]): TailscaleStatus {
  return toStatus(StatusSchema.parse(rawStatus(overrides)));
}

const ok = <T>(value: T): LocalApiResult<T> => ({ ok: true, value });

describe('bot-node mapping', () => {
  const rows: Array<{ name: string; result: LocalApiResult<TailscaleStatus>; status: string; summary: RegExp; evidence?: object }> = [
    {
      name: 'running',
      result: ok(status()),
      status: 'ok',
      summary: /clawops-bot\.example-tailnet\.ts\.net is Running$/,
      evidence: { backendState: 'Running', loggedIn: true, healthWarnings: [] },
    },
    {
      name: 'stopped (tailscale down)',
      result: ok(status({ state: 'Stopped' })),
      status: 'failed',
      summary: /Stopped, not connected/,
      evidence: { loggedIn: true },
    },
    { name: 'needs login', result: ok(status({ state: 'NeedsLogin' })), status: 'failed', summary: /NeedsLogin, not logged in/, evidence: { loggedIn: false } },
    {
      name: 'health warnings',
      result: ok(status({ health: ['not connected to home DERP region 4'] })),
      status: 'warn',
      summary: /health: not connected to home DERP region 4/,
    },
    {
      name: 'own key expires within 7 days',
      result: ok(status({ selfExpiry: inDays(2) })),
      status: 'warn',
      summary: /node key expires in 48 h/,
      evidence: { keyExpiresInHours: 48 },
    },
    { name: 'own key expired', result: ok(status({ selfExpiry: inDays(-1), selfExpired: true })), status: 'failed', summary: /node key expired/ },
    {
      name: 'socket missing',
      result: { ok: false, error: 'socket-missing', message: 'x' },
      status: 'failed',
      summary: /socket is missing on the bot node/,
      evidence: { error: 'socket-missing' },
    },
    { name: 'LocalAPI timeout', result: { ok: false, error: 'timeout', message: 'x' }, status: 'failed', summary: /did not answer/ },
  ];
  it.each(rows)('$name', (row) => {
    const mapped = mapBotNode(row.result, NOW);
    expect(mapped.status).toBe(row.status);
    expect(mapped.summary).toMatch(row.summary);
    if (row.evidence) expect(mapped.evidence).toMatchObject(row.evidence);
    expect(LayerResultSchema.safeParse({ layer: 'bot-node', startMs: 0, durationMs: 0, ...mapped }).success).toBe(true);
  });
});

describe('peer mapping', () => {
  it.each([
    ['MagicDNS FQDN', 'gw1.example-tailnet.ts.net'],
    ['FQDN with trailing dot', 'gw1.example-tailnet.ts.net.'],
    ['first label', 'GW1'],
    ['Tailscale IPv4', '100.101.102.103'],
    ['Tailscale IPv6', 'fd7a:115c:a1e0::53'],
  ])('finds the peer by %s', (_, query) => {
    expect(findPeer(status(), query)?.nodeKey).toBe('nodekey:00aa');
  });

  it('finds the peer by an address the dns layer resolved', () => {
    expect(findPeer(status(), 'gateway.example.com', ['100.101.102.103'])?.hostName).toBe('gw1');
  });

  const rows: Array<{ name: string; query?: string; peer?: Record<string, unknown>; status: string; summary: RegExp; evidence?: object }> = [
    {
      name: 'online',
      status: 'ok',
      summary: /gw1\.example-tailnet\.ts\.net \(100\.101\.102\.103\) is online/,
      evidence: { inNetmap: true, online: true, tags: ['tag:gateway'], lastSeen: undefined },
    },
    { name: 'not in the netmap', query: 'gw9', status: 'failed', summary: /gw9 is not in this node's netmap/, evidence: { inNetmap: false } },
    {
      name: 'offline',
      peer: { Online: false, LastSeen: '2026-02-28T09:00:00Z' },
      status: 'failed',
      summary: /is offline in the tailnet, last seen 2026-02-28T09:00:00Z/,
      evidence: { online: false },
    },
    { name: 'key expired', peer: { Expired: true, KeyExpiry: inDays(-3) }, status: 'failed', summary: /node key expired at/, evidence: { expired: true } },
    { name: 'key expiring soon', peer: { KeyExpiry: inDays(3) }, status: 'warn', summary: /node key expires in 72 h/ },
    { name: 'key expiry disabled (no KeyExpiry)', peer: { KeyExpiry: undefined }, status: 'ok', summary: /is online/ },
  ];
  it.each(rows)('$name', (row) => {
    const layer = probePeer(status({ peer: row.peer }), row.query ?? 'gw1', { startMs: 12, nowMs: NOW });
    expect(layer).toMatchObject({ layer: 'peer', startMs: 12, status: row.status });
    expect(layer.summary).toMatch(row.summary);
    if (row.evidence) expect(layer.evidence).toMatchObject(row.evidence);
    expect(LayerResultSchema.safeParse(layer).success).toBe(true);
  });
});

describe('path mapping', () => {
  const reply = (value: PingReply): LocalApiResult<PingReply> => ok(value);
  const direct = toPingEvidence(reply({ latencyMs: 12.34, endpoint: '203.0.113.5:41641', nodeName: 'gw1' }));
  const relayedSlow = toPingEvidence(reply({ latencyMs: 180, derpRegionCode: 'fra', derpRegionId: 4 }));
  const relayedFast = toPingEvidence(reply({ latencyMs: 40, derpRegionCode: 'fra', derpRegionId: 4 }));
  const tsmpOk = toPingEvidence(reply({ latencyMs: 9 }));
  const timeout = toPingEvidence({ ok: false, error: 'timeout', message: 'x' });
  const noPeer = toPingEvidence(reply({ err: 'no matching peer' }));

  it.each([
    { name: 'direct', disco: direct, tsmp: tsmpOk, status: 'ok', summary: '100.101.102.103 direct via 203.0.113.5:41641, 12.3 ms', direct: true },
    {
      name: 'relayed above the threshold',
      disco: relayedSlow,
      tsmp: tsmpOk,
      status: 'warn',
      summary: '100.101.102.103 relayed via DERP fra, 180 ms (above 100 ms)',
      direct: false,
    },
    {
      name: 'relayed under the threshold',
      disco: relayedFast,
      tsmp: tsmpOk,
      status: 'ok',
      summary: '100.101.102.103 relayed via DERP fra, 40 ms',
      direct: false,
    },
    {
      name: 'disco fails, TSMP answers',
      disco: timeout,
      tsmp: tsmpOk,
      status: 'warn',
      summary: '100.101.102.103: disco ping timeout, but TSMP answered in 9 ms',
      direct: undefined,
    },
    {
      name: 'TSMP fails, disco answers',
      disco: direct,
      tsmp: timeout,
      status: 'warn',
      summary: '100.101.102.103 direct via 203.0.113.5:41641, 12.3 ms; TSMP timeout (no WireGuard session answer)',
      direct: true,
    },
    {
      name: 'nothing answers',
      disco: noPeer,
      tsmp: timeout,
      status: 'failed',
      summary: 'no tailnet path to 100.101.102.103: disco no matching peer, TSMP timeout',
      direct: undefined,
    },
  ])('$name', (row) => {
    const mapped = mapPath('100.101.102.103', row.disco, row.tsmp, 100);
    expect(mapped.status).toBe(row.status);
    expect(mapped.summary).toBe(row.summary);
    expect(mapped.evidence?.direct).toBe(row.direct);
    expect(mapped.evidence?.relayThresholdMs).toBe(100);
    expect(LayerResultSchema.safeParse({ layer: 'path', startMs: 0, durationMs: 0, ...mapped }).success).toBe(true);
  });

  it('keeps the ping error and the DERP region as evidence', () => {
    expect(noPeer).toEqual({ ok: false, error: 'no matching peer', latencyMs: undefined, endpoint: undefined, derpRegion: undefined });
    expect(relayedSlow).toMatchObject({ ok: true, latencyMs: 180, derpRegion: 'fra' });
  });
});

describe('LocalAPI status normalisation', () => {
  it('drops Go zero times, trailing dots and null slices', () => {
    const st = status({ peer: { Tags: null, TailscaleIPs: null } });
    expect(st.self).toMatchObject({ dnsName: 'clawops-bot.example-tailnet.ts.net', lastSeen: undefined });
    expect(st.peers[0]).toMatchObject({ nodeKey: 'nodekey:00aa', tags: [], tailscaleIPs: [], curAddr: '203.0.113.5:41641', relay: 'fra' });
    expect(st.users['1']).toEqual({ loginName: 'ops1@example.com', displayName: 'Ops One' });
    expect(st.tailnet).toEqual({ name: 'example.com', magicDnsSuffix: 'example-tailnet.ts.net', magicDnsEnabled: true });
  });

  it('survives a field whose type changed', () => {
    const raw = { ...rawStatus(), Health: 'one string instead of a list', Peer: { 'nodekey:00aa': { ...rawStatus().Peer['nodekey:00aa'], Online: 'yes' } } };
    const st = toStatus(StatusSchema.parse(raw));
    expect(st.health).toEqual([]);
    expect(st.peers[0]?.online).toBeUndefined();
  });
});

describe('tailnet address ranges', () => {
  it.each([
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['203.0.113.7', false],
    ['fd7a:115c:a1e0::53', true],
    ['fd7a:115c:a1e1::53', false],
  ])('%s → %s', (address, inside) => {
    expect(isTailnetAddress(address)).toBe(inside);
  });
});
