/**
 * The ladder with its tailnet side: the fake tailscaled (LocalAPI on a unix socket), fake DNS
 * servers on loopback, and real TCP listeners. A "tailnet address" here is a loopback address:
 * the fake peer's TailscaleIPs point at the 127.0.0.x where the test's listener is.
 */
import { Resolver } from 'node:dns/promises';
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS } from '../../src/config/schema.js';
import { urlTarget, type CheckTarget } from '../../src/config/targets.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { connectToGateway } from '../../src/openclaw/client.js';
import { probeExposure } from '../../src/probes/exposure.js';
import { runLadder, type LadderDeps } from '../../src/probes/ladder.js';
import { layerOf } from '../../src/report/layer-order.js';
import type { ProbeReport } from '../../src/report/report.js';
import { createTailnetLayers } from '../../src/probes/tailnet/layers.js';
import { createLocalApiClient } from '../../src/tailscale/local-api.js';
import type { Lookup } from '../../src/probes/dns.js';
import { reservedClosedPort, startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { MAGIC_DNS_SUFFIX, startFakeTailscaled, type FakeTailscaled } from '../support/fake-tailscaled.js';
import { startFakeDns, type FakeDns } from '../support/fake-dns.js';
import { startSynDropListener, type SynDropListener } from '../support/syn-drop-listener.js';

const TOKEN = 'ladder-tailnet-token-0123456789';
const GW1 = `gw1.${MAGIC_DNS_SUFFIX}`;
const GW1_TAILNET_IP = '100.101.102.103';

/** Short deadlines: a blackholed port costs the test tcpMs, a silent ping pingTimeoutMs. */
function target(url: string, extra: Partial<CheckTarget> = {}): CheckTarget {
  return {
    ...urlTarget(url, 'LADDER_TOKEN', { LADDER_TOKEN: TOKEN }, 'gw'),
    device: 'never',
    timeouts: {
      ...DEFAULT_TIMEOUTS,
      dnsMs: 1_000,
      tcpMs: 500,
      httpMs: 600,
      upgradeMs: 700,
      handshakeMs: 1_500,
      rpcMs: 1_500,
      channelsMs: 2_000,
      budgetMs: 6_000,
    },
    ...extra,
  };
}

/** A lookup through one DNS server (the test's fake "system resolver"), as getaddrinfo would answer. */
function lookupVia(server: string): Lookup {
  return async (host) => {
    const resolver = new Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([server]);
    return resolver.resolve4(host);
  };
}

const verdictIds = (report: ProbeReport) => diagnose(report).verdicts.map((verdict) => verdict.id);

describe('ladder with the tailnet layers', () => {
  let tailscaled: FakeTailscaled;
  let deps: LadderDeps;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    tailscaled = await startFakeTailscaled();
    const localApi = createLocalApiClient({ socketPath: tailscaled.socketPath, timeoutMs: 1_000 });
    deps = {
      connect: connectToGateway,
      tailnet: createTailnetLayers({ localApi, statusTimeoutMs: 1_000, pingTimeoutMs: 300, relayThresholdMs: 100 }),
      exposure: (request) => probeExposure(request),
    };
  });
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
    await tailscaled.close();
  });

  async function synDrop(host: string): Promise<SynDropListener> {
    const listener = await startSynDropListener(host);
    cleanups.push(() => listener.close());
    return listener;
  }

  async function gateway(token = TOKEN): Promise<FakeGateway> {
    const fake = await startFakeGateway({ token });
    cleanups.push(() => fake.close());
    return fake;
  }

  it('TSMP ok + a blackholed port → tailnet-port-blocked, with the ping as evidence', async () => {
    const port = await synDrop('127.0.0.5');
    tailscaled.setPeer('gw1', { ips: ['127.0.0.5'] });
    const report = await runLadder(target(`ws://127.0.0.5:${port.port}`), deps);

    expect(layerOf(report, 'bot-node')).toMatchObject({ status: 'ok' });
    expect(layerOf(report, 'peer')).toMatchObject({ status: 'ok', evidence: { inNetmap: true, hostName: 'gw1' } });
    expect(layerOf(report, 'path')).toMatchObject({ status: 'ok', evidence: { direct: true, tsmp: { ok: true } } });
    expect(layerOf(report, 'tcp')).toMatchObject({ status: 'failed', evidence: { error: 'timeout' } });
    const diagnosis = diagnose(report);
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'tailnet-port-blocked', layer: 'tcp' });
    expect(diagnosis.verdicts[0]!.evidence.join(' ')).toMatch(/TSMP ok in 12 ms.*TCP 127\.0\.0\.5:\d+ timeout after 500 ms/);
    expect(tailscaled.requests.map((request) => request.url)).toEqual(expect.arrayContaining([expect.stringMatching(/ping\?ip=127\.0\.0\.5&type=TSMP/)]));
  });

  it('the same blackholed port without tailscaled is a plain timeout: no tailnet evidence', async () => {
    const port = await synDrop('127.0.0.5');
    const report = await runLadder(target(`ws://127.0.0.5:${port.port}`), { connect: connectToGateway });
    expect(layerOf(report, 'path')).toMatchObject({ status: 'skipped' });
    expect(verdictIds(report)[0]).toBe('timeout');
  });

  it('ping ok + refused over the tailnet → refused, with the loopback-bind/Serve note', async () => {
    const closed = await reservedClosedPort();
    tailscaled.setPeer('gw1', { ips: ['127.0.0.6'] });
    const report = await runLadder(target(`ws://127.0.0.6:${closed}`), deps);
    const primary = diagnose(report).verdicts[0]!;
    expect(primary.id).toBe('refused');
    expect(primary.evidence.join(' ')).toContain('tailscale ping ok (TSMP): the host answered, nothing listens on its tailnet address');
    expect(primary.notes.join(' ')).toMatch(/bound to loopback without Tailscale Serve/);
  });

  it('the peer offline → peer-offline, its last-seen time as evidence', async () => {
    const closed = await reservedClosedPort();
    tailscaled.setPeer('gw1', { ips: ['127.0.0.7'], online: false, lastSeen: '2026-02-28T09:00:00Z' });
    const report = await runLadder(target(`ws://127.0.0.7:${closed}`), deps);
    expect(layerOf(report, 'peer')).toMatchObject({ status: 'failed', evidence: { online: false } });
    const primary = diagnose(report).verdicts[0]!;
    expect(primary).toMatchObject({ id: 'peer-offline', layer: 'peer' });
    expect(primary.evidence[0]).toBe(`peer ${GW1}: offline, last seen 2026-02-28T09:00:00Z`);
  });

  it('a MagicDNS name not in the netmap → "not in your netmap: an ACL hides it or the name is wrong"', async () => {
    const closed = await reservedClosedPort();
    const report = await runLadder(target(`ws://127.0.0.8:${closed}`, { tailnetHost: `gw-gone.${MAGIC_DNS_SUFFIX}` }), deps);
    expect(layerOf(report, 'peer')).toMatchObject({ status: 'failed', evidence: { inNetmap: false } });
    const primary = diagnose(report).verdicts[0]!;
    expect(primary.id).toBe('peer-offline');
    expect(primary.notes).toContain('not in your netmap: an ACL hides it or the name is wrong');
  });

  it('a loopback gateway that is no tailnet node: the tailnet layers do not apply, even with this node off the tailnet', async () => {
    const closed = await reservedClosedPort();
    tailscaled.setSelf('Stopped');
    const report = await runLadder(target(`ws://127.0.0.1:${closed}`), deps);
    expect(layerOf(report, 'peer')).toMatchObject({ status: 'skipped' });
    expect(layerOf(report, 'path')).toMatchObject({ status: 'skipped' });
    expect(layerOf(report, 'bot-node')).toMatchObject({ status: 'warn', summary: expect.stringContaining('not reached over the tailnet') });
    const diagnosis = diagnose(report);
    expect(diagnosis.suppressed).toBe(false);
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'refused', notes: [] });
  });

  it('a relayed path above the threshold → relayed-path warning on a working gateway', async () => {
    const fake = await gateway();
    tailscaled.setPeer('gw1', { ips: ['127.0.0.1'], directAddr: undefined, latencyMs: 180 });
    const report = await runLadder(target(fake.url), deps);
    expect(layerOf(report, 'path')).toMatchObject({ status: 'warn', evidence: { direct: false, disco: { derpRegion: 'fra', latencyMs: 180 } } });
    const diagnosis = diagnose(report);
    expect(diagnosis.verdicts.find((verdict) => verdict.id === 'relayed-path')).toMatchObject({
      severity: 'warning',
      evidence: ['tailscale ping via DERP fra in 180 ms (threshold 100 ms)'],
    });
    expect(diagnosis.state).toBe('degraded');
    expect(layerOf(report, 'handshake')).toMatchObject({ status: 'ok' });
  });

  describe('this node off the tailnet', () => {
    it('bot-node-offline, and the gateway verdicts are suppressed', async () => {
      const fake = await gateway('a-different-token');
      tailscaled.setPeer('gw1', { ips: ['127.0.0.1'] });
      // The gateway itself rejects our token: with the bot node up, that is the verdict.
      const up = await runLadder(target(fake.url, { tailnetHost: GW1 }), deps);
      expect(verdictIds(up)[0]).toBe('auth-rejected');

      tailscaled.setSelf('Stopped');
      const down = await runLadder(target(fake.url, { tailnetHost: GW1 }), deps);
      expect(layerOf(down, 'bot-node')).toMatchObject({ status: 'failed', evidence: { backendState: 'Stopped' } });
      const diagnosis = diagnose(down);
      expect(diagnosis.suppressed).toBe(true);
      expect(diagnosis.verdicts.map((verdict) => verdict.id)).toEqual(['bot-node-offline']);
      expect(diagnosis.headline).toMatch(/bot-node-offline/);
    });

    it('a missing tailscaled socket, when one is configured, is bot-node-offline too', async () => {
      const closed = await reservedClosedPort();
      const gone = createLocalApiClient({ socketPath: `${tailscaled.socketPath}.gone`, timeoutMs: 500 });
      const report = await runLadder(target(`ws://127.0.0.1:${closed}`, { tailnetHost: GW1 }), {
        ...deps,
        tailnet: createTailnetLayers({ localApi: gone, statusTimeoutMs: 500, pingTimeoutMs: 200, relayThresholdMs: 100 }),
      });
      expect(layerOf(report, 'bot-node')).toMatchObject({ status: 'failed', evidence: { error: 'socket-missing' } });
      expect(verdictIds(report)).toEqual(['bot-node-offline']);
    });
  });
});

describe('DNS split through local resolvers', () => {
  let tailscaled: FakeTailscaled;
  let system: FakeDns;
  let magic: FakeDns;
  let deps: LadderDeps;

  beforeAll(async () => {
    tailscaled = await startFakeTailscaled();
    system = await startFakeDns({});
    magic = await startFakeDns({ [GW1]: { A: [GW1_TAILNET_IP] } });
    const localApi = createLocalApiClient({ socketPath: tailscaled.socketPath, timeoutMs: 1_000 });
    const lookup = lookupVia(system.server);
    deps = {
      // The WebSocket goes where the fake system resolver points, as getaddrinfo would send it.
      connect: async (options) => {
        const url = new URL(options.url);
        url.hostname = (await lookup(url.hostname))[0] ?? url.hostname;
        return connectToGateway({ ...options, url: url.toString() });
      },
      lookup,
      tailnet: createTailnetLayers({
        localApi,
        statusTimeoutMs: 1_000,
        pingTimeoutMs: 300,
        relayThresholdMs: 100,
        dns: { timeoutMs: 1_000, systemResolver: [system.server], magicDnsResolver: magic.server },
      }),
    };
  });
  afterAll(async () => {
    await Promise.all([tailscaled?.close(), system?.close(), magic?.close()]);
  });

  it('a *.ts.net name answered outside the tailnet ranges by the system resolver → dns-hijack', async () => {
    const closed = await reservedClosedPort();
    // The corporate resolver's answer (a loopback address stands in for its public one).
    system.setRecords({ [GW1]: { A: ['127.0.0.9'] } });
    const report = await runLadder(target(`ws://${GW1}:${closed}`), deps);
    expect(layerOf(report, 'dns')?.evidence?.split).toMatchObject({
      system: ['127.0.0.9'],
      magicDns: [GW1_TAILNET_IP],
      outsideTailnet: ['127.0.0.9'],
      disagree: true,
    });
    const primary = diagnose(report).verdicts[0]!;
    expect(primary).toMatchObject({ id: 'dns-hijack', layer: 'dns' });
    expect(primary.evidence).toEqual([
      `system resolver: ${GW1} → 127.0.0.9`,
      `100.100.100.100: ${GW1} → ${GW1_TAILNET_IP}`,
      'outside the tailnet ranges: 127.0.0.9',
    ]);
    expect(magic.queries.map((query) => query.name)).toContain(GW1);
  });

  it('both resolvers giving the tailnet address → no DNS verdict', async () => {
    const closed = await reservedClosedPort();
    system.setRecords({ [GW1]: { A: [GW1_TAILNET_IP] } });
    // The connection itself goes to a closed loopback port (never to the 100.x answer).
    const report = await runLadder(target(`ws://${GW1}:${closed}`), { ...deps, lookup: async () => ['127.0.0.1'] });
    expect(layerOf(report, 'dns')?.evidence?.split).toMatchObject({ outsideTailnet: [], disagree: false });
    expect(verdictIds(report)).not.toContain('dns-hijack');
  });

  it('no answer anywhere → dns-fail', async () => {
    const closed = await reservedClosedPort();
    system.setRecords({});
    magic.setRecords({});
    try {
      const report = await runLadder(target(`ws://${GW1}:${closed}`), deps);
      expect(layerOf(report, 'dns')).toMatchObject({
        status: 'failed',
        evidence: { error: 'ENOTFOUND', split: { systemError: 'ENOTFOUND', magicDnsError: 'ENOTFOUND', disagree: false } },
      });
      expect(verdictIds(report)[0]).toBe('dns-fail');
      expect(layerOf(report, 'tcp')).toMatchObject({ status: 'not-reached' });
    } finally {
      magic.setRecords({ [GW1]: { A: [GW1_TAILNET_IP] } });
    }
  });
});

describe('public exposure in the check', () => {
  let fake: FakeGateway;
  const servers: Server[] = [];

  beforeAll(async () => {
    fake = await startFakeGateway({ token: TOKEN });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await fake?.close();
  });

  it('the gateway port answering on the stand-in public address (127.0.0.2) → public-exposure, critical', async () => {
    // Whatever answers there: a second listener on the gateway's port, bound to the "public" address.
    const exposed = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"status":"live"}'));
    servers.push(exposed);
    await new Promise<void>((resolve, reject) => {
      exposed.once('error', reject);
      exposed.listen(fake.port, '127.0.0.2', () => resolve());
    });
    const report = await runLadder(target(fake.url, { publicAddress: '127.0.0.2' }), {
      connect: connectToGateway,
      exposure: (request) => probeExposure(request),
    });
    expect(report.exposure).toMatchObject({ address: '127.0.0.2', port: fake.port, tcp: 'open', httpStatus: 200, openclaw: true });
    const diagnosis = diagnose(report);
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'public-exposure', severity: 'critical', layer: 'exposure' });
    expect(diagnosis.state).toBe('unhealthy');
  });

  it('nothing on the public address → no finding', async () => {
    const report = await runLadder(target(fake.url, { publicAddress: '127.0.0.3' }), {
      connect: connectToGateway,
      exposure: (request) => probeExposure(request),
    });
    expect(report.exposure).toMatchObject({ address: '127.0.0.3', tcp: 'refused' });
    expect(verdictIds(report)).not.toContain('public-exposure');
    expect(diagnose(report).state).toBe('healthy');
  });
});
