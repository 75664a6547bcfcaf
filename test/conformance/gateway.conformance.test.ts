import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectToGateway, gatewayKeyOf } from '../../src/openclaw/client.js';
import { decodeClose } from '../../src/openclaw/close-codes.js';
import { FRAME_LIMITS } from '../../src/openclaw/frames.js';
import { jsonDepth } from '../../src/bounded-json.js';
import { loadOrCreateDeviceIdentity } from '../../src/openclaw/device-identity.js';
import type { ConnectOptions, ConnectResult, GatewaySession } from '../../src/openclaw/types.js';
import { OPENCLAW_VERSION, startRealGateway, type RealGateway } from './support/gateway-harness.js';
import { createChecker } from '../../src/check/checker.js';
import { urlTarget, type CheckTarget } from '../../src/config/targets.js';
import type { LadderDeps } from '../../src/probes/ladder.js';
import { agentChecksOn } from './support/host-checks.js';

/**
 * Our client against the real OpenClaw Gateway (npm openclaw@2026.9.6 on Node 26): one Gateway
 * for the file, started in beforeAll and stopped in afterAll (the last test stops it on purpose
 * to observe the shutdown sequence). These tests pin the behaviours the probe ladder and the
 * fake Gateway rely on.
 */

const TOKEN = `conformance-${Math.random().toString(36).slice(2)}-token`;
let gateway: RealGateway;
let dir: string;
const sessions: GatewaySession[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawops-conformance-'));
  gateway = await startRealGateway({ token: TOKEN });
});

afterAll(async () => {
  await Promise.all(sessions.map((s) => s.close()));
  await gateway?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function connect(options: Partial<ConnectOptions> = {}): Promise<ConnectResult> {
  // Generous handshake budget: the real Gateway delays failed loopback auth (250 ms, doubling).
  const result = await connectToGateway({ url: gateway.url, token: TOKEN, upgradeTimeoutMs: 5_000, handshakeTimeoutMs: 15_000, ...options });
  if (result.ok) sessions.push(result.session);
  expect(JSON.stringify(result)).not.toContain(TOKEN);
  return result;
}

function session(result: ConnectResult): GatewaySession {
  if (!result.ok) throw new Error(`expected hello-ok, got ${JSON.stringify(result)}`);
  return result.session;
}

describe(`real OpenClaw Gateway ${OPENCLAW_VERSION}`, () => {
  it('healthy connect: hello-ok with the real server version, and health answers', async () => {
    const result = await connect();
    expect(result).toMatchObject({
      ok: true,
      upgrade: { httpStatus: 101 },
      handshake: { challenge: true, protocol: 4, serverVersion: OPENCLAW_VERSION, authMethod: 'token', role: 'operator', scopes: ['operator.read'] },
    });
    const s = session(result);
    expect(s.hello.methods).toEqual(expect.arrayContaining(['health', 'status', 'channels.status', 'system-presence']));
    expect(s.hello.tickIntervalMs).toBe(30_000);
    const health = await s.call('health', {}, { timeoutMs: 10_000 });
    expect(health).toMatchObject({
      ok: true,
      payload: { ok: true, eventLoop: { degraded: expect.any(Boolean) }, modelRuntime: { degraded: expect.any(Boolean) } },
    });
    // Over loopback as cli/cli, a token-only client keeps operator.read.
    expect(await s.call('status', {}, { timeoutMs: 10_000 })).toMatchObject({ ok: true, payload: { runtimeVersion: OPENCLAW_VERSION } });
  });

  it('wrong token: rejected with AUTH_TOKEN_MISMATCH, close 1008', async () => {
    const result = await connect({ token: 'conformance-wrong-token' });
    expect(result).toMatchObject({
      ok: false,
      stage: 'handshake',
      handshake: { failure: 'rejected', error: { code: 'INVALID_REQUEST', detailsCode: 'AUTH_TOKEN_MISMATCH' }, close: { code: 1008 } },
    });
    if (result.ok || result.stage !== 'handshake') return;
    expect(result.handshake.close?.reason).toMatch(/gateway token mismatch/);
    expect(decodeClose({ code: 1008, beforeHello: true, errorCode: result.handshake.error?.code, detailsCode: result.handshake.error?.detailsCode }).kind).toBe(
      'auth-token-mismatch',
    );
  });

  it('no token and no device: NOT_PAIRED / DEVICE_IDENTITY_REQUIRED, close 1008', async () => {
    const result = await connect({ token: undefined });
    expect(result).toMatchObject({
      ok: false,
      handshake: {
        failure: 'rejected',
        error: { code: 'NOT_PAIRED', detailsCode: 'DEVICE_IDENTITY_REQUIRED' },
        close: { code: 1008, reason: 'device identity required' },
      },
    });
  });

  it('protocol range without 4: PROTOCOL_MISMATCH (error code INVALID_REQUEST), close 1002', async () => {
    for (const protocol of [
      { min: 2, max: 3 },
      { min: 5, max: 6 },
    ]) {
      const result = await connect({ protocol });
      expect(result).toMatchObject({
        ok: false,
        stage: 'handshake',
        handshake: {
          offeredProtocol: protocol,
          failure: 'rejected',
          error: { code: 'INVALID_REQUEST', detailsCode: 'PROTOCOL_MISMATCH', expectedProtocol: 4 },
          close: { code: 1002, reason: 'protocol mismatch' },
        },
      });
    }
  });

  it('a probe-mode client offering only protocol 3 is still accepted (restart-window compatibility)', async () => {
    const result = await connect({ protocol: { min: 3, max: 3 }, client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(result).toMatchObject({ ok: true, handshake: { protocol: 4 } });
  });

  it('token-only with a non-CLI id/mode: accepted with scopes cleared, status FORBIDDEN MISSING_SCOPE (even over loopback)', async () => {
    const result = await connect({ client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(result).toMatchObject({ ok: true, handshake: { requestedScopes: ['operator.read'], scopes: [] } });
    const s = session(result);
    expect(await s.call('health', {}, { timeoutMs: 10_000 })).toMatchObject({ ok: true });
    expect(await s.call('status', {}, { timeoutMs: 10_000 })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'missing scope: operator.read', detailsCode: 'MISSING_SCOPE', missingScope: 'operator.read' },
    });
  });

  it('device identity on loopback: auto-approved, device token issued and saved (0600), status and channels.status readable', async () => {
    const file = join(dir, 'identity', 'device.json');
    const identity = await loadOrCreateDeviceIdentity(file);
    // A non-CLI id/mode: the scopes must come from the device, not from the loopback CLI exception.
    const result = await connect({ identity, client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(result).toMatchObject({
      ok: true,
      handshake: { deviceId: identity.deviceId, deviceTokenIssued: true, scopes: ['operator.read'], pairing: { status: 'approved' } },
    });
    const deviceToken = identity.deviceTokenFor(gatewayKeyOf(gateway.url));
    expect(deviceToken).toBeTruthy();
    expect(JSON.stringify(result)).not.toContain(deviceToken!);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const s = session(result);
    const [status, channels] = await Promise.all([
      s.call('status', {}, { timeoutMs: 10_000 }),
      s.call('channels.status', { probe: true, timeoutMs: 5_000 }, { timeoutMs: 15_000 }),
    ]);
    expect(status).toMatchObject({ ok: true, payload: { runtimeVersion: OPENCLAW_VERSION } });
    expect(channels).toMatchObject({ ok: true, payload: { channels: {}, channelAccounts: {}, statusIssues: [] } });

    // The saved device token alone (no shared token) authenticates next time.
    const reloaded = await loadOrCreateDeviceIdentity(file);
    const again = await connect({ identity: reloaded, token: undefined, client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(again).toMatchObject({ ok: true, handshake: { authMethod: 'device-token', scopes: ['operator.read'] } });
    expect(await session(again).call('status', {}, { timeoutMs: 10_000 })).toMatchObject({ ok: true });

    // Observed: a valid device token carries the connect even when the shared token is wrong.
    const staleShared = await connect({ identity: reloaded, token: 'conformance-stale-token', client: { id: 'openclaw-probe', mode: 'probe' } });
    expect(staleShared).toMatchObject({ ok: true, handshake: { authMethod: 'device-token' } });
    // …so the shared token is only checked when the device token is left out.
    const sharedOnly = await connect({
      identity: reloaded,
      token: 'conformance-stale-token',
      useDeviceToken: false,
      client: { id: 'openclaw-probe', mode: 'probe' },
    });
    expect(sharedOnly).toMatchObject({ ok: false, handshake: { failure: 'rejected', error: { detailsCode: 'AUTH_TOKEN_MISMATCH' }, close: { code: 1008 } } });

    // A paired device whose metadata changed needs re-approval even on loopback: a real PAIRING_REQUIRED.
    const moved = await connect({ identity: reloaded, client: { id: 'openclaw-probe', mode: 'probe', platform: 'conformance-os' } });
    expect(moved).toMatchObject({
      ok: false,
      handshake: { failure: 'rejected', error: { code: 'NOT_PAIRED', detailsCode: 'PAIRING_REQUIRED' }, pairing: { status: 'pending' }, close: { code: 1008 } },
    });
    if (moved.ok || moved.stage !== 'handshake') return;
    expect(moved.handshake.error?.requestId).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
    // The close reason names the request too (cut at the 123-byte close-reason limit).
    expect(moved.handshake.close?.reason).toMatch(/^pairing required: .*\(requestId: /);
    expect(moved.handshake.close?.reason).toContain(moved.handshake.error!.requestId!.slice(0, 8));
  });

  it('a client that never sends connect: the Gateway closes 1000 with an empty reason after its handshake timer', async () => {
    // Raw ws: our client always answers the challenge.
    const started = performance.now();
    const close = await new Promise<{ code: number; reason: string; afterMs: number; challenge: boolean }>((resolve) => {
      let challenge = false;
      const ws = new WebSocket(gateway.url, { perMessageDeflate: false });
      ws.on('message', (data) => {
        challenge ||= String(data).includes('connect.challenge');
      });
      ws.on('error', () => undefined);
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), afterMs: performance.now() - started, challenge }));
    });
    expect(close).toMatchObject({ code: 1000, reason: '', challenge: true });
    expect(decodeClose({ code: close.code, beforeHello: true, closedAfterMs: close.afterMs }).kind).toBe('handshake-timeout');
  }, 40_000);

  it('non-JSON before connect: an immediate 1000, no error frame', async () => {
    const started = performance.now();
    const close = await new Promise<{ code: number; afterMs: number; frames: string[] }>((resolve) => {
      const frames: string[] = [];
      const ws = new WebSocket(gateway.url, { perMessageDeflate: false });
      ws.on('message', (data) => {
        frames.push(String(data));
        if (frames.length === 1) ws.send('this is not json');
      });
      ws.on('error', () => undefined);
      ws.on('close', (code) => resolve({ code, afterMs: performance.now() - started, frames }));
    });
    expect(close.code).toBe(1000);
    expect(close.frames).toHaveLength(1); // only the challenge
    expect(decodeClose({ code: close.code, beforeHello: true, closedAfterMs: close.afterMs }).kind).toBe('closed-immediately');
  });

  it('every frame of a check fits the frame limits many times over (measured: why 1 MiB and 64 levels)', async () => {
    // A raw client, to see each frame as sent: challenge, hello-ok, then health, status, channels.status, config.get.
    const frames = await new Promise<Array<{ what: string; bytes: number; depth: number }>>((resolve, reject) => {
      const seen: Array<{ what: string; bytes: number; depth: number }> = [];
      const ws = new WebSocket(gateway.url, { perMessageDeflate: false });
      const timer = setTimeout(() => reject(new Error(`only ${seen.map((frame) => frame.what).join(', ')}`)), 20_000);
      const send = (id: string, method: string, params: Record<string, unknown>) => ws.send(JSON.stringify({ type: 'req', id, method, params }));
      ws.on('message', (data) => {
        const text = String(data);
        const frame = JSON.parse(text) as { type: string; event?: string; id?: string };
        seen.push({ what: frame.type === 'event' ? `event ${frame.event}` : `res ${frame.id}`, bytes: Buffer.byteLength(text), depth: jsonDepth(text) });
        if (frame.event === 'connect.challenge') {
          send('c1', 'connect', {
            minProtocol: 4,
            maxProtocol: 4,
            client: { id: 'cli', version: 'conformance', platform: 'linux', mode: 'cli' },
            role: 'operator',
            scopes: ['operator.read'],
            auth: { token: TOKEN },
          });
        } else if (frame.id === 'c1') {
          send('r1', 'health', {});
          send('r2', 'status', {});
          send('r3', 'channels.status', { probe: true, timeoutMs: 5_000 });
          send('r4', 'config.get', {});
        }
        if (['r1', 'r2', 'r3', 'r4'].every((id) => seen.some((entry) => entry.what === `res ${id}`))) {
          clearTimeout(timer);
          ws.close();
          resolve(seen);
        }
      });
      ws.on('error', reject);
    });
    expect(frames.map((frame) => frame.what)).toEqual(expect.arrayContaining(['event connect.challenge', 'res c1', 'res r1', 'res r2', 'res r3', 'res r4']));
    for (const frame of frames) {
      expect(frame.bytes, frame.what).toBeLessThan(FRAME_LIMITS.maxBytes / 16);
      expect(frame.depth, frame.what).toBeLessThan(FRAME_LIMITS.maxDepth / 4);
    }
  });

  describe('the whole check (ladder → diagnosis) against the real Gateway', () => {
    const target = (overrides: Partial<CheckTarget> = {}): CheckTarget => ({
      ...urlTarget(gateway.url, 'CONFORMANCE_TOKEN', { CONFORMANCE_TOKEN: TOKEN }, 'real'),
      ...overrides,
    });
    const check = async (t: CheckTarget, deps: Partial<LadderDeps> = {}) => {
      const result = await createChecker({ connect: connectToGateway, ...deps }).check(t);
      expect(JSON.stringify(result)).not.toContain(TOKEN);
      return result;
    };

    it('healthy: every layer ok, the real server version, no verdicts (but the start-up note while the event loop is busy)', async () => {
      const { report, diagnosis } = await check(target({ device: 'never' }));
      expect(diagnosis.state).toBe('healthy');
      // A Gateway seconds old may still report a busy event loop (observed on 2026.9.6): then the
      // only verdict is that start-up information, and nothing else.
      const startup = diagnosis.verdicts.filter(
        (verdict) =>
          verdict.id === 'gateway-degraded' && verdict.severity === 'info' && verdict.evidence.some((line) => /^the Gateway started \d+ s ago/.test(line)),
      );
      expect(diagnosis.verdicts.filter((verdict) => !startup.includes(verdict))).toEqual([]);
      expect(diagnosis.version.running).toBe(OPENCLAW_VERSION);
      const statuses = Object.fromEntries(report.layers.map((layer) => [layer.layer, layer.status]));
      expect(statuses).toMatchObject({
        dns: 'ok',
        tcp: 'ok',
        http: 'ok',
        upgrade: 'ok',
        handshake: 'ok',
        health: startup.length ? 'warn' : 'ok',
        status: 'ok',
        channels: 'ok',
      });
      expect(report.layers.find((layer) => layer.layer === 'http')?.summary).toBe('/healthz live · /readyz ready');
    });

    it('wrong token → auth-rejected, with close 1008 "gateway token mismatch" in the evidence', async () => {
      const { diagnosis } = await check({ ...target({ device: 'never' }), token: 'conformance-wrong-token' });
      expect(diagnosis.state).toBe('unhealthy');
      expect(diagnosis.verdicts[0]).toMatchObject({ id: 'auth-rejected', layer: 'handshake' });
      expect(diagnosis.verdicts[0]!.evidence.join(' ')).toMatch(/AUTH_TOKEN_MISMATCH[\s\S]*close 1008/);
    });

    it('a client offering a protocol range without 4 → protocol-mismatch', async () => {
      const { diagnosis } = await check(target({ device: 'never' }), { protocol: { min: 2, max: 3 } });
      expect(diagnosis.verdicts[0]).toMatchObject({ id: 'protocol-mismatch', layer: 'handshake' });
      expect(diagnosis.verdicts[0]!.evidence.join(' ')).toContain('gateway expects protocol 4');
    });

    it('device identity on loopback: pairing auto-approved, status and channels.status readable', async () => {
      const identity = await loadOrCreateDeviceIdentity(join(dir, 'ladder-device.json'));
      const { report, diagnosis } = await check(target({ device: 'always' }), { identity });
      expect(diagnosis.state).toBe('healthy');
      const handshake = report.layers.find((layer) => layer.layer === 'handshake');
      expect(handshake?.evidence).toMatchObject({
        pairing: { status: 'approved' },
        deviceId: identity.deviceId,
        scopes: expect.arrayContaining(['operator.read']),
      });
      expect(report.client.deviceId).toBe(identity.deviceId);
      expect(report.layers.find((layer) => layer.layer === 'status')).toMatchObject({ status: 'ok', evidence: { runtimeVersion: OPENCLAW_VERSION } });
      expect(report.layers.find((layer) => layer.layer === 'channels')?.status).toBe('ok');
    });
  });

  it("the host agent's checks: loopback proven with the device identity (status, channels readable), loopback-only listeners, running = installed", async () => {
    const result = await agentChecksOn(gateway, TOKEN, dir);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(result.loopback).toMatchObject({ url: `ws://127.0.0.1:${gateway.port}`, ok: true, serverVersion: OPENCLAW_VERSION });
    const layers = Object.fromEntries(result.loopback.layers.map((layer) => [layer.layer, layer]));
    expect(layers.handshake).toMatchObject({ status: 'ok', evidence: { pairing: { status: 'approved' }, scopes: expect.arrayContaining(['operator.read']) } });
    expect(layers.status).toMatchObject({ status: 'ok', evidence: { runtimeVersion: OPENCLAW_VERSION } });
    expect(layers.channels?.status).toBe('ok');
    expect(result.listeners).toMatchObject({ available: true, listening: true, violations: [] });
    expect(result.listeners.bound).toContain('127.0.0.1');
    for (const address of result.listeners.bound) expect(['127.0.0.1', '::1']).toContain(address);
    expect(result.version).toMatchObject({ status: 'match', running: OPENCLAW_VERSION, installed: OPENCLAW_VERSION });
    expect(result.unit).toMatchObject({ available: false, reason: 'systemctl-missing' });
  });

  // Last: stops the Gateway.
  it('stopping the Gateway: a `shutdown` event, then 1012 "service restart"', async () => {
    const s = session(await connect());
    await gateway.stop();
    // Resolves with the close as soon as the socket has seen it (at once if it already has).
    expect(await s.call('health', {}, { timeoutMs: 5_000 })).toMatchObject({ ok: false, close: { code: 1012 } });
    expect(s.shutdown).toMatchObject({ reason: 'gateway stopping' });
    expect(s.closeEvidence).toEqual({ code: 1012, reason: 'service restart' });
    expect(decodeClose({ code: 1012, beforeHello: false, shutdown: true }).kind).toBe('restarting');
  });

  // After the stop: the same check now finds nothing listening.
  it('a stopped Gateway → refused', async () => {
    const { report, diagnosis } = await createChecker({ connect: connectToGateway }).check(
      urlTarget(gateway.url, 'CONFORMANCE_TOKEN', { CONFORMANCE_TOKEN: TOKEN }, 'real'),
    );
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'refused', layer: 'tcp' });
    expect(report.layers.find((layer) => layer.layer === 'handshake')?.status).toBe('not-reached');
  });
});
