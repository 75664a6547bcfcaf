/**
 * The whole check (ladder → diagnosis) against the fault-injecting Gateway and raw servers on
 * loopback: every failure a Gateway can show gives the right verdict, within its deadline.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createChecker } from '../../src/check/checker.js';
import { DEFAULT_TIMEOUTS } from '../../src/config/schema.js';
import type { CheckTarget } from '../../src/config/targets.js';
import { connectToGateway } from '../../src/openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../../src/openclaw/device-identity.js';
import type { DeviceIdentity } from '../../src/openclaw/types.js';
import type { LadderDeps } from '../../src/probes/ladder.js';
import { reservedClosedPort, startBlackholeServer, startFakeGateway, TEST_TLS, type FakeGateway, type FakeGatewayOptions } from '../support/fake-gateway.js';

const TOKEN = 'ladder-test-token-0123456789';
const timeouts = { ...DEFAULT_TIMEOUTS, tcpMs: 800, httpMs: 800, upgradeMs: 800, handshakeMs: 1_500, rpcMs: 1_500, channelsMs: 2_000, budgetMs: 5_000 };

function target(url: string, overrides: Partial<CheckTarget> = {}): CheckTarget {
  return { name: 'prod', url, tokenEnv: 'TEST_TOKEN', token: TOKEN, timeouts, device: 'never', slowHandshakeMs: 2_000, ...overrides };
}

let dir: string;
let identity: DeviceIdentity;
const closers: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clawops-ladder-'));
  identity = await loadOrCreateDeviceIdentity(join(dir, 'device.json'));
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function gateway(options: Partial<FakeGatewayOptions> = {}): Promise<FakeGateway> {
  const fake = await startFakeGateway({ token: TOKEN, ...options });
  closers.push(() => fake.close());
  return fake;
}

async function check(t: CheckTarget, deps: Partial<LadderDeps> = {}) {
  const started = performance.now();
  const result = await createChecker({ connect: connectToGateway, ...deps }).check(t);
  const elapsed = performance.now() - started;
  // Every check ends within its budget (plus scheduling slack), and never carries the token.
  expect(elapsed).toBeLessThan(t.timeouts.budgetMs + 500);
  expect(JSON.stringify(result)).not.toContain(TOKEN);
  return { ...result, elapsed };
}

describe('the check against a fault-injecting Gateway', () => {
  it('healthy: no verdicts, the version, every layer ok', async () => {
    const fake = await gateway({ channels: [] });
    const { diagnosis, report } = await check(target(fake.url));
    expect(diagnosis).toMatchObject({ state: 'healthy', verdicts: [], version: { running: '2026.9.6' } });
    expect(report.layers.filter((layer) => !['bot-node', 'peer', 'path'].includes(layer.layer)).every((layer) => layer.status === 'ok')).toBe(true);
  });

  it.each<[string, Partial<FakeGatewayOptions>, Partial<CheckTarget>, Partial<LadderDeps>, string, string]>([
    ['wrong token', {}, { token: 'not-the-token' }, {}, 'auth-rejected', 'AUTH_TOKEN_MISMATCH'],
    ['no token set here', {}, { token: undefined }, {}, 'auth-rejected', 'TEST_TOKEN is not set'],
    ['device identity required', { mode: 'device-required' }, {}, {}, 'pairing-required', 'DEVICE_IDENTITY_REQUIRED'],
    ['pairing required (device: always)', { mode: 'pairing-required' }, { device: 'always' }, {}, 'pairing-required', 'request id'],
    ['protocol mismatch', {}, {}, { protocol: { min: 2, max: 3 } }, 'protocol-mismatch', 'close 1002'],
    // The timer of some 2026.3 builds (3 s); the default one is 15 s. Timing alone tells it from an early close.
    [
      'silent until the handshake timer (1000)',
      { mode: 'silent', handshakeTimeoutMs: 2_600 },
      { timeouts: { ...timeouts, handshakeMs: 4_000 } },
      {},
      'handshake-timeout',
      "≈ the Gateway's handshake timer",
    ],
    [
      'closed 1000 within milliseconds of connect (the session shape refused)',
      { mode: 'close-after-connect' },
      {},
      {},
      'ws-closed-early',
      'right after connect, not the Gateway',
    ],
    ['starting (1013, /readyz 503)', { mode: 'starting' }, {}, {}, 'gateway-starting', 'startup-sidecars'],
    [
      'shutdown event + 1012',
      { mode: 'shutdown', shutdown: { phase: 'connect', reason: 'gateway stopping', restartExpectedMs: 4_000 } },
      {},
      {},
      'gateway-restarting',
      'restart expected in 4000 ms',
    ],
    ['token rotated while connected (4001)', { mode: 'token-rotated' }, {}, {}, 'token-rotated', 'close 4001'],
    ['HTML on every path, upgrade answered 200 (a proxy stripping upgrades)', { mode: 'html-everywhere' }, {}, {}, 'upgrade-stripped', 'no upgrade: HTTP 200'],
    ['upgrade refused with 400 behind a proxy', { mode: 'upgrade-400' }, {}, {}, 'upgrade-stripped', 'HTTP 400'],
    ['upgrade refused with 426', { mode: 'upgrade-426' }, {}, {}, 'upgrade-stripped', 'HTTP 426'],
    ['an oversized frame before the challenge', { mode: 'oversized-frame' }, {}, {}, 'payload-refused', 'a frame larger than 1 MiB: refused'],
    ['garbage instead of the challenge', { mode: 'garbage' }, {}, {}, 'not-openclaw', 'protocol violation'],
    ['no challenge at all', { mode: 'no-challenge' }, {}, {}, 'handshake-timeout', 'no connect.challenge'],
    [
      'channels configured but silent',
      { channels: [{ channel: 'discord', configured: true, running: false, connected: false }] },
      {},
      {},
      'channel-silent',
      'discord',
    ],
    ['health degraded', { mode: 'degraded' }, {}, {}, 'gateway-degraded', 'event loop degraded'],
    ['scopes cleared (a remote token-only client)', { mode: 'scope-limited' }, {}, {}, 'scope-limited', 'operator.read'],
  ])('%s', async (_label, fakeOptions, targetOverrides, deps, verdict, evidence) => {
    const fake = await gateway(fakeOptions);
    const { diagnosis } = await check(target(fake.url, targetOverrides), { identity, ...deps });
    expect(diagnosis.verdicts[0]?.id).toBe(verdict);
    expect([...diagnosis.verdicts[0]!.evidence, ...diagnosis.verdicts[0]!.notes].join(' | ')).toContain(evidence);
  });

  it('channel policies from config.get: every account that drops messages is named with its channel, account and policy, no bot token', async () => {
    const fake = await gateway({
      channels: [
        { channel: 'telegram', configured: true, running: true, dmPolicy: 'allowlist', allowFrom: [], probeError: 'fetch failed' },
        { channel: 'telegram', accountId: 'ops', configured: true, running: true, dmPolicy: 'disabled' },
        { channel: 'telegram', accountId: 'grp', configured: true, running: true, dmPolicy: 'pairing', groupPolicy: 'disabled' },
        { channel: 'telegram', accountId: 'fine', configured: true, running: true, dmPolicy: 'allowlist', allowFrom: ['123456789'] },
      ],
    });
    const { diagnosis, report } = await check(target(fake.url));
    const silent = diagnosis.verdicts.find((verdict) => verdict.id === 'channel-silent');
    expect(silent?.evidence).toEqual([
      'telegram/default: dmPolicy allowlist with an empty allowFrom (channels.telegram.allowFrom): every DM is dropped; probe failed: fetch failed',
      'telegram/ops: dmPolicy disabled (channels.telegram.accounts.ops.dmPolicy): every DM is ignored',
      'telegram/grp: groupPolicy disabled (channels.telegram.accounts.grp.groupPolicy): every group message is blocked',
    ]);
    const channels = report.layers.find((layer) => layer.layer === 'channels');
    expect(channels?.evidence).toMatchObject({ policy: { read: true } });
    expect(JSON.stringify(report)).not.toContain('__OPENCLAW_REDACTED__');
  });

  it('gateway.auth.mode none in config.get → auth-none, critical', async () => {
    const fake = await gateway({ channels: [], gatewayConfig: { authMode: 'none' } });
    const { diagnosis, report } = await check(target(fake.url));
    expect(diagnosis).toMatchObject({
      state: 'unhealthy',
      verdicts: [{ id: 'auth-none', severity: 'critical', evidence: ['config.get: gateway.auth.mode is none'] }],
    });
    expect(report.gatewayConfig).toMatchObject({ source: 'config.get', available: true, authMode: 'none', tokenSource: 'redacted' });
  });

  it('a degraded event loop seconds after a start is said so (info, healthy); an hour in, it is a warning', async () => {
    const fresh = await gateway({ mode: 'degraded', channels: [] });
    const first = await check(target(fresh.url));
    expect(first.diagnosis.state).toBe('healthy');
    expect(first.diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-degraded', severity: 'info' });
    expect(first.diagnosis.verdicts[0]!.evidence.at(-1)).toMatch(
      /^the Gateway started \d+ s ago: a busy event loop right after a start is expected; re-check in a minute$/,
    );
    const settled = await gateway({ mode: 'degraded', channels: [], uptimeOffsetMs: 3_600_000 });
    const later = await check(target(settled.url));
    expect(later.diagnosis).toMatchObject({ state: 'degraded', verdicts: [{ id: 'gateway-degraded', severity: 'warning' }] });
    expect(later.diagnosis.verdicts[0]!.evidence.join(' ')).not.toContain('started');
  });

  it('pairing pending with device: auto falls back to token-only and says so (degraded, not failed)', async () => {
    const fake = await gateway({ mode: 'pairing-required', grantScopes: false });
    const { diagnosis, report } = await check(target(fake.url, { device: 'auto' }), { identity });
    expect(diagnosis.state).toBe('degraded');
    expect(diagnosis.verdicts.map((verdict) => verdict.id)).toContain('pairing-required');
    expect(report.layers.find((layer) => layer.layer === 'health')?.status).toBe('ok');
    expect(fake.pairingRequests.length).toBeGreaterThanOrEqual(1);
  });

  it('a port that accepts TCP and never answers → gateway-hung (not a wrong URL), within its deadline', async () => {
    const hole = await startBlackholeServer();
    closers.push(() => hole.close());
    const { diagnosis, elapsed } = await check(target(hole.url));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-hung', layer: 'http' });
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      `TCP 127.0.0.1:${hole.port} connected`,
      '/healthz: no answer within the HTTP deadline',
      'upgrade: no answer within the upgrade deadline',
    ]);
    expect(diagnosis.failedLayer).toBe('http');
    expect(elapsed).toBeLessThan(timeouts.budgetMs);
  });

  it('a refused port: refused at TCP, everything after not reached', async () => {
    const port = await reservedClosedPort();
    const { diagnosis, report } = await check(target(`ws://127.0.0.1:${port}`));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'refused', layer: 'tcp' });
    for (const name of ['http', 'upgrade', 'handshake', 'health'] as const)
      expect(report.layers.find((layer) => layer.layer === name)?.status).toBe('not-reached');
  });

  it("/healthz goes over the TCP layer's connection: a check opens two connections fewer than the layers it proves", async () => {
    const sockets: Socket[] = [];
    const requests: Array<{ path: string; socket: number }> = [];
    const server: Server = createServer((request, response) => {
      requests.push({ path: request.url ?? '', socket: sockets.indexOf(request.socket) });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(request.url === '/healthz' ? '{"ok":true,"status":"live"}' : '{"ready":true,"failing":[]}');
    });
    server.on('connection', (socket: Socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const { report } = await check(target(`ws://127.0.0.1:${port}`));
    const layer = (name: string) => report.layers.find((item) => item.layer === name);
    expect(layer('tcp')?.status).toBe('ok');
    expect(layer('http')).toMatchObject({ status: 'ok', evidence: { live: true, ready: true } });
    // TCP (then /healthz and /readyz on it) and the WebSocket upgrade: two connections, not four.
    expect(sockets).toHaveLength(2);
    const healthz = requests.find((request) => request.path === '/healthz');
    const readyz = requests.find((request) => request.path === '/readyz');
    expect(healthz?.socket).toBeGreaterThanOrEqual(0);
    expect(readyz?.socket).toBe(healthz?.socket);
  });

  it('a server that closes the connection after /healthz: /readyz is asked on a connection of its own, and still read', async () => {
    const server: Server = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      response.end(request.url === '/healthz' ? '{"ok":true,"status":"live"}' : '{"ready":false,"failing":["telegram"]}');
    });
    let accepted = 0;
    server.on('connection', () => (accepted += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const { report } = await check(target(`ws://127.0.0.1:${port}`));
    expect(report.layers.find((item) => item.layer === 'http')).toMatchObject({
      status: 'failed',
      summary: expect.stringContaining('not ready: telegram'),
      evidence: { live: true, ready: false },
    });
    expect(accepted).toBe(3);
  });

  it('not an OpenClaw at all: a web server answering HTML everywhere', async () => {
    const server: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><html><title>Welcome to nginx!</title></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const { diagnosis } = await check(target(`ws://127.0.0.1:${port}`));
    expect(diagnosis.verdicts[0]?.id).toBe('not-openclaw');
  });

  it('wss:// against a plain port, and ws:// against TLS → tls-mismatch', async () => {
    const plain = await gateway();
    const tls = await gateway({ tls: TEST_TLS });
    const first = await check(target(plain.url.replace('ws://', 'wss://')), { tls: { rejectUnauthorized: false } });
    expect(first.diagnosis.verdicts[0]?.id).toBe('tls-mismatch');
    const second = await check(target(tls.url.replace('wss://', 'ws://')));
    expect(second.diagnosis.verdicts[0]?.id).toBe('tls-mismatch');
  });

  it('a version other than the expected one is reported', async () => {
    const fake = await gateway({ version: '2026.9.2', channels: [] });
    const { diagnosis } = await check(target(fake.url, { expectedVersion: '2026.9.6' }));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'version-changed', severity: 'warning' });
    expect(diagnosis.verdicts[0]!.evidence[0]).toBe('running 2026.9.2, expected 2026.9.6');
  });
});
