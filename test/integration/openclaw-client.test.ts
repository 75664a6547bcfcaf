import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PAYLOAD_BYTES, clientVersion, connectToGateway, gatewayKeyOf, redactUrl } from '../../src/openclaw/client.js';
import { decodeClose } from '../../src/openclaw/close-codes.js';
import { identityFromPrivateKey, loadOrCreateDeviceIdentity } from '../../src/openclaw/device-identity.js';
import type { ConnectOptions, ConnectResult, GatewaySession } from '../../src/openclaw/types.js';
import {
  SAMPLE_CHANNELS,
  TEST_TLS,
  reservedClosedPort,
  startBlackholeServer,
  startFakeGateway,
  type BlackholeServer,
  type FakeGateway,
  type FakeGatewayOptions,
} from '../support/fake-gateway.js';

const TOKEN = 'tok-5f1c9a2e-integration-secret';

// Every server and session a test opens is closed after it, pass or fail.
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(options: Partial<FakeGatewayOptions> = {}): Promise<FakeGateway> {
  const gateway = await startFakeGateway({ token: TOKEN, ...options });
  cleanups.push(() => gateway.close());
  return gateway;
}
async function blackhole(): Promise<BlackholeServer> {
  const server = await startBlackholeServer();
  cleanups.push(() => server.close());
  return server;
}

/** Connects with test defaults and asserts the result finished within its own deadline. */
async function connect(options: Partial<ConnectOptions> & { url: string }): Promise<ConnectResult> {
  const full: ConnectOptions = { token: TOKEN, upgradeTimeoutMs: 2_000, handshakeTimeoutMs: 3_000, ...options };
  const started = performance.now();
  const result = await connectToGateway(full);
  const took = performance.now() - started;
  // Our own deadlines bound every attempt (+ slack for the close grace and a loaded machine).
  expect(took).toBeLessThan(full.upgradeTimeoutMs + full.handshakeTimeoutMs + 1_500);
  if (result.ok) cleanups.push(() => result.session.close());
  expectNoSecrets(result);
  return result;
}

function expectNoSecrets(value: unknown, ...secrets: string[]): void {
  const json = JSON.stringify(value);
  for (const secret of [TOKEN, ...secrets]) expect(json).not.toContain(secret);
}

function session(result: ConnectResult): GatewaySession {
  if (!result.ok) throw new Error(`expected a session, got ${JSON.stringify(result)}`);
  return result.session;
}

describe('connectToGateway against the fake Gateway', () => {
  it('healthy: hello-ok, the exact connect we sent, and three concurrent RPCs', async () => {
    const gateway = await fake({ version: '2026.9.6', channels: SAMPLE_CHANNELS });
    const result = await connect({ url: gateway.url });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.upgrade).toEqual({ url: `${gateway.url}/`, httpStatus: 101 });
    expect(result.handshake).toMatchObject({
      challenge: true,
      protocol: 4,
      serverVersion: '2026.9.6',
      authMethod: 'token',
      role: 'operator',
      scopes: ['operator.read'],
      requestedScopes: ['operator.read'],
      offeredProtocol: { min: 4, max: 4 },
      tickIntervalMs: 30_000,
    });
    expect(result.handshake.failure).toBeUndefined();
    expect(result.session.hello.methods).toEqual(expect.arrayContaining(['health', 'status', 'channels.status']));
    expect(result.session.hello.server.connId).toBeTruthy();
    const { tcpMs, upgradeMs, handshakeMs } = result.timing;
    expect(tcpMs).toBeDefined();
    expect(tcpMs!).toBeLessThanOrEqual(upgradeMs);
    expect(upgradeMs).toBeLessThanOrEqual(handshakeMs!);
    expect(result.handshake.challengeMs!).toBeGreaterThanOrEqual(upgradeMs);

    expect(gateway.connects).toEqual([
      {
        valid: true,
        minProtocol: 4,
        maxProtocol: 4,
        client: { id: 'cli', mode: 'cli', version: clientVersion(), platform: process.platform },
        role: 'operator',
        scopes: ['operator.read'],
        hasToken: true,
        hasDeviceToken: false,
      },
    ]);

    const [health, status, channels, config] = await Promise.all([
      result.session.call('health', {}, { timeoutMs: 2_000 }),
      result.session.call('status', {}, { timeoutMs: 2_000 }),
      result.session.call('channels.status', { probe: true, timeoutMs: 5_000 }, { timeoutMs: 2_000 }),
      result.session.call('config.get', {}, { timeoutMs: 2_000 }),
    ]);
    expect(health).toMatchObject({ ok: true, payload: { ok: true, eventLoop: { degraded: false } } });
    expect(status).toMatchObject({ ok: true, payload: { runtimeVersion: '2026.9.6' } });
    expect(channels.ok).toBe(true);
    if (!channels.ok || !config.ok) throw new Error('channels.status and config.get must answer');
    const payload = channels.payload as {
      channelAccounts: Record<string, Array<Record<string, unknown>>>;
      statusIssues: Array<{ channel: string; kind: string }>;
    };
    expect(payload.channelAccounts.discord?.[0]).toMatchObject({ configured: true, running: false });
    // As on the real Gateway: the policy is not in channels.status (which raises no issue for it) but in config.get.
    expect(payload.channelAccounts.whatsapp?.[0]).not.toHaveProperty('dmPolicy');
    expect(payload.statusIssues).toEqual([expect.objectContaining({ channel: 'discord', kind: 'runtime' })]);
    expect(config.payload).toMatchObject({
      config: { channels: { whatsapp: { botToken: '__OPENCLAW_REDACTED__', dmPolicy: 'allowlist', allowFrom: [] } } },
      warnings: [{ path: 'channels.whatsapp.allowFrom', message: expect.stringContaining('all DMs will be dropped') }],
    });
    expectNoSecrets([health, status, channels, config]);
  });

  it('wrong token: rejected with AUTH_TOKEN_MISMATCH and 1008, neither token in the result', async () => {
    const gateway = await fake();
    const wrong = 'tok-wrong-0b8e7d6c5a4f';
    const result = await connect({ url: gateway.url, token: wrong });
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: {
        challenge: true,
        failure: 'rejected',
        error: { code: 'INVALID_REQUEST', detailsCode: 'AUTH_TOKEN_MISMATCH' },
        close: { code: 1008 },
      },
    });
    if (result.ok || result.stage !== 'handshake') return;
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: result.handshake.error?.code, detailsCode: result.handshake.error?.detailsCode }).kind).toBe(
      'auth-token-mismatch',
    );
    expectNoSecrets(result, wrong);
  });

  it('no token and no device: NOT_PAIRED / DEVICE_IDENTITY_REQUIRED, 1008', async () => {
    const gateway = await fake();
    const result = await connect({ url: gateway.url, token: undefined });
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: {
        failure: 'rejected',
        error: { code: 'NOT_PAIRED', detailsCode: 'DEVICE_IDENTITY_REQUIRED' },
        close: { code: 1008, reason: 'device identity required' },
      },
    });
    expect(gateway.connects[0]).toMatchObject({ hasToken: false, hasDeviceToken: false });
  });

  it('device-required: a token-only client is refused', async () => {
    const gateway = await fake({ mode: 'device-required' });
    const result = await connect({ url: gateway.url });
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: { failure: 'rejected', error: { code: 'NOT_PAIRED', detailsCode: 'DEVICE_IDENTITY_REQUIRED' }, close: { code: 1008 } },
    });
  });

  it('device identity: a verified signature keeps the scopes, and the issued device token is saved and presented next time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clawops-client-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const gateway = await fake({ mode: 'device-required', grantScopes: false });
    const identity = await loadOrCreateDeviceIdentity(join(dir, 'device.json'));

    const first = await connect({ url: gateway.url, identity, client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(first).toMatchObject({
      ok: true,
      handshake: { deviceId: identity.deviceId, deviceTokenIssued: true, scopes: ['operator.read'], authMethod: 'token' },
    });
    const issued = identity.deviceTokenFor(gatewayKeyOf(gateway.url));
    expect(issued).toMatch(/^devtok-/);
    expect(gateway.connects[0]?.device).toMatchObject({ id: identity.deviceId, publicKey: identity.publicKey, nonceMatches: true, signatureValid: true });
    expectNoSecrets(first, issued!);

    // A fresh load of the same file holds the token; the next connect presents it (signed over it).
    const reloaded = await loadOrCreateDeviceIdentity(join(dir, 'device.json'));
    const second = await connect({ url: gateway.url, identity: reloaded, token: undefined, client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(second).toMatchObject({ ok: true, handshake: { authMethod: 'device-token', scopes: ['operator.read'] } });
    expect(gateway.connects[1]).toMatchObject({ hasToken: false, hasDeviceToken: true, device: { signatureValid: true } });
    expectNoSecrets(second, issued!);
    const status = await session(second).call('status', {}, { timeoutMs: 2_000 });
    expect(status.ok).toBe(true);

    // Like the real Gateway, a held device token hides a wrong shared token, unless it is left out.
    const stale = 'tok-stale-3c2b1a';
    expect(await connect({ url: gateway.url, identity: reloaded, token: stale, client: { id: 'openclaw-probe', mode: 'probe' } })).toMatchObject({
      ok: true,
      handshake: { authMethod: 'device-token' },
    });
    const checked = await connect({
      url: gateway.url,
      identity: reloaded,
      token: stale,
      useDeviceToken: false,
      client: { id: 'openclaw-probe', mode: 'probe' },
    });
    expect(checked).toMatchObject({ ok: false, handshake: { error: { detailsCode: 'AUTH_TOKEN_MISMATCH' }, close: { code: 1008 } } });
    expect(gateway.connects.at(-1)).toMatchObject({ hasToken: true, hasDeviceToken: false, device: { signatureValid: true } });
    expectNoSecrets(checked, issued!, stale);
  });

  it('pairing-required: NOT_PAIRED with the request id, then approved', async () => {
    const gateway = await fake({ mode: 'pairing-required' });
    const identity = identityFromPrivateKey(randomBytes(32));
    const result = await connect({ url: gateway.url, identity });
    expect(gateway.pairingRequests).toHaveLength(1);
    const requestId = gateway.pairingRequests[0]!;
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: {
        failure: 'rejected',
        error: { code: 'NOT_PAIRED', detailsCode: 'PAIRING_REQUIRED', requestId },
        pairing: { status: 'pending', requestId },
        close: { code: 1008, reason: `pairing required: device is not approved yet (requestId: ${requestId})` },
      },
    });

    gateway.approvePairing(requestId);
    const approved = await connect({ url: gateway.url, identity });
    expect(approved).toMatchObject({ ok: true, handshake: { deviceTokenIssued: true, pairing: { status: 'approved' } } });
    expect(identity.deviceTokenFor(gatewayKeyOf(gateway.url))).toBeTruthy();
  });

  it('scope-limited: hello-ok with no scopes; health works, status is FORBIDDEN MISSING_SCOPE', async () => {
    const gateway = await fake({ mode: 'scope-limited' });
    const s = session(await connect({ url: gateway.url }));
    expect(s.hello.auth.scopes).toEqual([]);
    const [health, status, channels] = await Promise.all([
      s.call('health', {}, { timeoutMs: 2_000 }),
      s.call('status', {}, { timeoutMs: 2_000 }),
      s.call('channels.status', { probe: true }, { timeoutMs: 2_000 }),
    ]);
    expect(health.ok).toBe(true);
    for (const outcome of [status, channels]) {
      expect(outcome).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', detailsCode: 'MISSING_SCOPE', missingScope: 'operator.read' } });
    }
  });

  it('token-only scopes survive only for the loopback CLI shapes (like the real Gateway)', async () => {
    const gateway = await fake();
    const probe = await connect({ url: gateway.url, client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(probe).toMatchObject({ ok: true, handshake: { scopes: [], requestedScopes: ['operator.read'] } });
    const backend = await connect({ url: gateway.url, client: { id: 'gateway-client', mode: 'backend' } });
    expect(backend).toMatchObject({ ok: true, handshake: { scopes: ['operator.read'] } });

    const remote = await fake({ grantScopes: false });
    expect(await connect({ url: remote.url })).toMatchObject({ ok: true, handshake: { scopes: [] } });
  });

  it('protocol range without 4: PROTOCOL_MISMATCH and 1002 (probe mode may still offer 3)', async () => {
    const gateway = await fake();
    const result = await connect({ url: gateway.url, protocol: { min: 2, max: 3 } });
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: {
        offeredProtocol: { min: 2, max: 3 },
        failure: 'rejected',
        error: { code: 'INVALID_REQUEST', detailsCode: 'PROTOCOL_MISMATCH', expectedProtocol: 4 },
        close: { code: 1002, reason: 'protocol mismatch' },
      },
    });
    expect(gateway.connects[0]).toMatchObject({ minProtocol: 2, maxProtocol: 3 });
    const probe = await connect({ url: gateway.url, protocol: { min: 3, max: 3 }, client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(probe).toMatchObject({ ok: true, handshake: { protocol: 4 } });
  });

  it('silent: challenge, connect ignored, then the Gateway’s handshake timer closes 1000 with no reason', async () => {
    const gateway = await fake({ mode: 'silent', handshakeTimeoutMs: 300 });
    const result = await connect({ url: gateway.url, handshakeTimeoutMs: 5_000 });
    expect(result).toMatchObject({ ok: false, stage: 'handshake', handshake: { challenge: true, failure: 'closed', close: { code: 1000, reason: '' } } });
    if (result.ok || result.stage !== 'handshake') return;
    expect(result.handshake.error).toBeUndefined();
    expect(result.handshake.closedAfterMs!).toBeGreaterThanOrEqual(250);
    expect(result.handshake.closedAfterMs!).toBeLessThan(2_000);
    expect(gateway.connects).toHaveLength(1);
  });

  it('our own handshake timeout fires before a slow Gateway’s timer: failure timeout', async () => {
    const gateway = await fake({ mode: 'silent', handshakeTimeoutMs: 10_000 });
    const result = await connect({ url: gateway.url, handshakeTimeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, stage: 'handshake', handshake: { challenge: true, failure: 'timeout' } });
    if (result.ok || result.stage !== 'handshake') return;
    expect(result.handshake.close).toBeUndefined();
    expect(result.timing.handshakeMs! - result.timing.upgradeMs).toBeGreaterThanOrEqual(190);
  });

  it('no challenge before our timeout: failure no-challenge', async () => {
    const gateway = await fake({ mode: 'no-challenge', handshakeTimeoutMs: 10_000 });
    const result = await connect({ url: gateway.url, handshakeTimeoutMs: 200 });
    expect(result).toMatchObject({ ok: false, stage: 'handshake', handshake: { challenge: false, failure: 'no-challenge' } });
  });

  it('starting: UNAVAILABLE, retryable after 500 ms, 1013; /readyz says 503', async () => {
    const gateway = await fake({ mode: 'starting' });
    const result = await connect({ url: gateway.url });
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: {
        failure: 'rejected',
        error: { code: 'UNAVAILABLE', retryable: true, retryAfterMs: 500 },
        close: { code: 1013, reason: 'gateway starting' },
      },
    });
    const ready = await fetch(`${gateway.httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, failing: ['startup-sidecars'] });
  });

  it('shutdown after hello-ok: the shutdown event is kept and calls end with 1012', async () => {
    const gateway = await fake({ mode: 'shutdown', shutdown: { restartExpectedMs: 1_500 } });
    const s = session(await connect({ url: gateway.url }));
    const outcome = await s.call('health', {}, { timeoutMs: 2_000 });
    expect(outcome).toMatchObject({ ok: false, close: { code: 1012, reason: 'service restart' } });
    expect(s.closeEvidence).toEqual({ code: 1012, reason: 'service restart' });
    expect(s.shutdown).toEqual({ reason: 'gateway stopping', restartExpectedMs: 1_500 });
  });

  it('shutdown during the handshake: closed, with the shutdown event in the evidence', async () => {
    const gateway = await fake({ mode: 'shutdown', shutdown: { phase: 'connect', reason: 'gateway restarting' } });
    const result = await connect({ url: gateway.url });
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: { failure: 'closed', shutdown: { reason: 'gateway restarting' }, close: { code: 1012, reason: 'service restart' } },
    });
  });

  it('token rotated while connected: the next call ends with 4001', async () => {
    const gateway = await fake({ mode: 'token-rotated' });
    const s = session(await connect({ url: gateway.url }));
    const outcome = await s.call('status', {}, { timeoutMs: 2_000 });
    expect(outcome).toMatchObject({ ok: false, close: { code: 4001, reason: 'gateway auth changed' } });
    expect(decodeClose({ code: 4001, beforeHello: false }).kind).toBe('auth-changed');
    // After the close every call answers at once with the same close.
    expect(await s.call('health', {}, { timeoutMs: 2_000 })).toMatchObject({ ok: false, close: { code: 4001 } });
  });

  it('html-everywhere: the upgrade answers 200 HTML (a proxy stripping upgrades)', async () => {
    const gateway = await fake({ mode: 'html-everywhere' });
    const result = await connect({ url: gateway.url });
    expect(result).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { httpStatus: 200 } });
    if (result.ok) return;
    expect(result.upgrade.contentType).toMatch(/^text\/html/);
    expect(result.upgrade.bodyStart).toMatch(/^<!doctype html>/);
    expect(result.upgrade.bodyStart!.length).toBeLessThanOrEqual(120);
    expect(result.upgrade.error).toBeUndefined();
    const healthz = await fetch(`${gateway.httpUrl}/healthz`);
    expect(healthz.headers.get('content-type')).toMatch(/^text\/html/);
    await healthz.text();
  });

  it.each([
    ['upgrade-400', 400, 'Bad Request'],
    ['upgrade-426', 426, 'Upgrade Required'],
  ] as const)('%s: the HTTP status of the refused upgrade is recorded', async (mode, status, body) => {
    const gateway = await fake({ mode });
    const result = await connect({ url: gateway.url });
    expect(result).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { httpStatus: status, bodyStart: body, contentType: 'text/plain; charset=utf-8' } });
  });

  it('oversized frame: refused unread by maxPayload (default 1 MiB), a protocol violation', async () => {
    expect(DEFAULT_MAX_PAYLOAD_BYTES).toBe(1024 * 1024);
    const gateway = await fake({ mode: 'oversized-frame' });
    const result = await connect({ url: gateway.url });
    const refused = 'a frame larger than 1 MiB: refused unread';
    expect(result).toMatchObject({ ok: false, stage: 'handshake', handshake: { failure: 'protocol-violation', protocolViolation: refused, refused } });
    const small = await fake({ mode: 'oversized-frame', oversizedBytes: 100 * 1024 });
    expect(await connect({ url: small.url, maxPayloadBytes: 64 * 1024 })).toMatchObject({
      ok: false,
      handshake: { failure: 'protocol-violation', protocolViolation: 'a frame larger than 64 KiB: refused unread' },
    });
  });

  it('garbage instead of a challenge: a protocol violation showing the start of what came', async () => {
    const gateway = await fake({ mode: 'garbage' });
    const result = await connect({ url: gateway.url });
    expect(result).toMatchObject({ ok: false, stage: 'handshake', handshake: { challenge: false, failure: 'protocol-violation' } });
    if (result.ok || result.stage !== 'handshake') return;
    expect(result.handshake.protocolViolation).toMatch(/^not JSON: "<html><body>this is not a gateway/);
  });

  it('slow RPCs: per-call timeout, and concurrent calls overlap', async () => {
    const gateway = await fake({ mode: 'slow-rpc', rpcDelayMs: 400 });
    const s = session(await connect({ url: gateway.url }));
    const timedOut = await s.call('health', {}, { timeoutMs: 100 });
    expect(timedOut).toMatchObject({ ok: false, timedOut: true });
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(90);
    expect(timedOut.durationMs).toBeLessThan(400);

    const started = performance.now();
    const outcomes = await Promise.all([
      s.call('health', {}, { timeoutMs: 3_000 }),
      s.call('status', {}, { timeoutMs: 3_000 }),
      s.call('channels.status', { probe: true }, { timeoutMs: 3_000 }),
    ]);
    expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true]);
    // Three 400 ms answers in flight together take about 400 ms, not 1200.
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('degraded: the health payload says so', async () => {
    const gateway = await fake({ mode: 'degraded' });
    const s = session(await connect({ url: gateway.url }));
    const health = await s.call('health', {}, { timeoutMs: 2_000 });
    expect(health).toMatchObject({ ok: true, payload: { eventLoop: { degraded: true } } });
  });

  it('modes switch at runtime for new connections only', async () => {
    const gateway = await fake();
    const s = session(await connect({ url: gateway.url }));
    gateway.setMode('starting');
    expect(await s.call('health', {}, { timeoutMs: 2_000 })).toMatchObject({ ok: true });
    expect(await connect({ url: gateway.url })).toMatchObject({ ok: false, handshake: { error: { code: 'UNAVAILABLE' } } });
    expect(gateway.connections).toBe(2);
  });

  it('pending calls resolve with the close when the socket drops', async () => {
    const gateway = await fake({ mode: 'slow-rpc', rpcDelayMs: 10_000 });
    const s = session(await connect({ url: gateway.url }));
    const pending = [s.call('health', {}, { timeoutMs: 20_000 }), s.call('status', {}, { timeoutMs: 20_000 })];
    await gateway.close();
    const outcomes = await Promise.all(pending);
    for (const outcome of outcomes) {
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.close?.code).toBe(1006);
    }
  });

  it('close() is idempotent and later calls answer with the close', async () => {
    const gateway = await fake();
    const s = session(await connect({ url: gateway.url }));
    const first = s.close();
    expect(s.close()).toBe(first);
    await first;
    expect(s.closeEvidence?.code).toBe(1000);
    expect(await s.call('health', {}, { timeoutMs: 1_000 })).toMatchObject({ ok: false, close: { code: 1000 } });
  });
});

describe('abort', () => {
  it('an already-aborted signal stops before any network', async () => {
    const controller = new AbortController();
    controller.abort();
    const server = await blackhole();
    const result = await connect({ url: server.url, signal: controller.signal });
    expect(result).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'aborted' } });
    expect(server.connections).toBe(0);
  });

  it('aborting during the upgrade', async () => {
    const server = await blackhole();
    const controller = new AbortController();
    const pending = connect({ url: server.url, signal: controller.signal, upgradeTimeoutMs: 10_000 });
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'aborted' } });
  });

  it('aborting during the handshake, once the Gateway has our connect', async () => {
    const gateway = await fake({ mode: 'silent', handshakeTimeoutMs: 10_000 });
    const controller = new AbortController();
    const pending = connect({ url: gateway.url, signal: controller.signal, handshakeTimeoutMs: 10_000 });
    await gateway.waitForConnects(1);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, stage: 'handshake', handshake: { challenge: true, failure: 'aborted' } });
  });

  it('aborting one call leaves the others and the session alone', async () => {
    const gateway = await fake({ mode: 'slow-rpc', rpcDelayMs: 200 });
    const s = session(await connect({ url: gateway.url }));
    const controller = new AbortController();
    const aborted = s.call('status', {}, { timeoutMs: 5_000, signal: controller.signal });
    const other = s.call('health', {}, { timeoutMs: 5_000 });
    controller.abort();
    expect(await aborted).toMatchObject({ ok: false, aborted: true });
    expect(await other).toMatchObject({ ok: true });
  });
});

describe('network failures become NetError values', () => {
  it('refused', async () => {
    const port = await reservedClosedPort();
    const result = await connect({ url: `ws://127.0.0.1:${port}` });
    expect(result).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'refused', errno: 'ECONNREFUSED' } });
    if (!result.ok) expect(result.timing.tcpMs).toBeUndefined();
  });

  it('a blackhole: TCP connects, nothing answers, our upgrade timer ends it', async () => {
    const server = await blackhole();
    const result = await connect({ url: server.url, upgradeTimeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'timeout' } });
    if (result.ok) return;
    expect(result.timing.tcpMs).toBeDefined();
    expect(result.timing.upgradeMs).toBeGreaterThanOrEqual(290);
    expect(server.connections).toBe(1);
  });

  it('dns', async () => {
    const result = await connect({ url: 'ws://clawops-no-such-host.invalid:18789' });
    expect(result).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'dns' } });
  });

  it('tls: wss to a plain port, ws to a TLS port, and an untrusted certificate', async () => {
    const plain = await fake();
    const secure = await fake({ tls: TEST_TLS });
    expect(await connect({ url: plain.url.replace('ws://', 'wss://') })).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'tls' } });
    expect(await connect({ url: secure.url.replace('wss://', 'ws://') })).toMatchObject({
      ok: false,
      stage: 'upgrade',
      upgrade: { error: 'tls', httpStatus: 400 },
    });
    expect(await connect({ url: secure.url })).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'tls', errno: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    const trusted = await connect({ url: secure.url, tls: { ca: TEST_TLS.cert } });
    expect(trusted).toMatchObject({ ok: true, upgrade: { httpStatus: 101 }, handshake: { serverVersion: '2026.9.6' } });
  });

  it('bad URLs are values too', async () => {
    expect(await connect({ url: 'not a url' })).toMatchObject({ ok: false, stage: 'upgrade', upgrade: { error: 'other', errno: 'ERR_INVALID_URL' } });
    expect(await connect({ url: 'ftp://127.0.0.1:1' })).toMatchObject({
      ok: false,
      stage: 'upgrade',
      upgrade: { error: 'other', errno: 'ERR_INVALID_URL_SCHEME' },
    });
  });

  it('URLs in evidence carry no credentials', () => {
    expect(redactUrl('ws://user:pw@gw.example:18789/ws?token=abc')).toBe('ws://gw.example:18789/ws?token=%5Bredacted%5D');
    expect(gatewayKeyOf('https://gw.example.ts.net/')).toBe('wss://gw.example.ts.net');
    expect(gatewayKeyOf('ws://127.0.0.1:18789/x')).toBe('ws://127.0.0.1:18789');
  });
});

describe('resource hygiene', () => {
  it('leaves no timers or sockets behind after failures and closed sessions', async () => {
    const count = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout' || kind === 'TCPSocketWrap').length;
    // Warm up lazily created handles (DNS, perf hooks) before taking the baseline.
    const warm = await fake();
    await session(await connect({ url: warm.url })).close();
    await warm.close();
    const baseline = count();

    // Every attempt ends early while holding a long timer: a timer not cleared would outlive the poll below.
    const LONG = 60_000;
    const gateway = await startFakeGateway({ token: TOKEN, mode: 'silent', handshakeTimeoutMs: LONG, rpcDelayMs: LONG });
    const server = await startBlackholeServer();
    const closedPort = await reservedClosedPort();
    expect(await connectToGateway({ url: gateway.url, token: TOKEN, upgradeTimeoutMs: LONG, handshakeTimeoutMs: 100 })).toMatchObject({ ok: false });
    expect(await connectToGateway({ url: server.url, token: TOKEN, upgradeTimeoutMs: 100, handshakeTimeoutMs: LONG })).toMatchObject({ ok: false });
    expect(await connectToGateway({ url: `ws://127.0.0.1:${closedPort}`, token: TOKEN, upgradeTimeoutMs: LONG, handshakeTimeoutMs: LONG })).toMatchObject({
      ok: false,
    });
    gateway.setMode('slow-rpc');
    const s = session(await connectToGateway({ url: gateway.url, token: TOKEN, upgradeTimeoutMs: LONG, handshakeTimeoutMs: LONG }));
    const pending = s.call('health', {}, { timeoutMs: LONG });
    await s.close();
    expect(await pending).toMatchObject({ ok: false, close: { code: 1000 } });
    await gateway.close();
    await server.close();
    // Closing is asynchronous at the socket level; wait for the handles to be released.
    await expect.poll(count, { timeout: 2_000, interval: 20 }).toBeLessThanOrEqual(baseline);
  });
});
