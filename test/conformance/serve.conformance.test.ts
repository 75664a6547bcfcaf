import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChecker, type CheckResult } from '../../src/check/checker.js';
import { urlTarget, type CheckTarget } from '../../src/config/targets.js';
import { connectToGateway } from '../../src/openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../../src/openclaw/device-identity.js';
import type { DeviceIdentity } from '../../src/openclaw/types.js';
import type { LadderDeps } from '../../src/probes/ladder.js';
import { startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { serveRoute, startServeFront, type ServeFront } from '../support/serve-front.js';
import { createVethNamespace, type VethNamespace } from '../support/veth-namespace.js';
import { OPENCLAW_VERSION, startRealGateway, type RealGateway } from './support/gateway-harness.js';
import { postedVerdict } from './support/slack-verdict.js';

/**
 * The deployment the runbook recommends, with the real Gateway as the judge: OpenClaw 2026.9.6 on
 * loopback behind a Tailscale-Serve-like TLS front (test/support/serve-front.ts), and the same
 * Gateway reached from "another host" — a network namespace on a veth pair with 100.64/10
 * addresses, the Gateway bound to its root end (`gateway.bind: custom`; it keeps 127.0.0.1 too).
 * One Gateway for the file; the tests run in order: untrusted front → the fix the verdict names,
 * applied with the real CLI → pairing through the front → the remote host → the Gateway stopped.
 * `/gateway check` (the Slack bot and worker against the emulator) posts the same verdicts.
 * Fails, never skips, when the Gateway (or the namespace) cannot be set up.
 */

const TOKEN = `serve-conformance-${Math.random().toString(36).slice(2)}-token`;
const NAME = 'gw-serve.example-tailnet.ts.net';
let dir: string;
let netns: VethNamespace | undefined;
let netnsError: unknown;
let gateway: RealGateway;
let front: ServeFront;
let slack: BotHarness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawops-serve-conformance-'));
  try {
    netns = await createVethNamespace();
  } catch (error) {
    netnsError = error; // the remote-host tests fail with it; the Serve tests still run on loopback
  }
  gateway = await startRealGateway({ token: TOKEN, ...(netns ? { bind: { mode: 'custom' as const, host: netns.hostAddress } } : {}) });
  front = await startServeFront({ routes: serveRoute(NAME, gateway.port) });
  // The Slack bot and its worker (real Bolt against the emulator, BullMQ on Redis) checking the same Gateway.
  slack = await startBotHarness({
    redisUrl: inject('redisUrl'),
    gateways: { serve: { url: front.url(), tokenEnv: 'SERVE_TOKEN' } },
    env: { SERVE_TOKEN: TOKEN },
    runtime: { ladder: { tls: { ca: front.ca }, lookup: front.lookup } },
    queue: { coalesceWindowMs: 0 },
  });
});

afterAll(async () => {
  await slack?.close();
  await front?.close();
  await gateway?.stop();
  await netns?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const throughFront = (overrides: Partial<CheckTarget> = {}): CheckTarget => ({
  ...urlTarget(front.url(), 'SERVE_TOKEN', { SERVE_TOKEN: TOKEN }, 'serve'),
  ...overrides,
});

async function check(target: CheckTarget, deps: Partial<LadderDeps> = {}): Promise<CheckResult> {
  const result = await createChecker({ connect: connectToGateway, tls: { ca: front.ca }, lookup: front.lookup, ...deps }).check(target);
  expect(JSON.stringify(result)).not.toContain(TOKEN);
  return result;
}

/** `/gateway check serve`: the verdict the bot posts; the token never in anything sent to Slack. */
async function slackVerdict(): Promise<{ text: string; blocks: string }> {
  const posted = await postedVerdict(slack, 'serve');
  expect(posted.calls).not.toContain(TOKEN);
  return posted;
}

/** `openclaw config set gateway.trustedProxies '[…]' --strict-json`, split as a shell would. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

/** Polls until `done` says yes or the deadline passes (the Gateway applies config in the background). */
async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, deadlineMs: number): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

let identity: DeviceIdentity;
let trustedLine: string;

describe(`real OpenClaw Gateway ${OPENCLAW_VERSION} behind a Serve-like front`, () => {
  it('no gateway.trustedProxies → proxy-untrusted (the token is fine), and the Gateway logs why', async () => {
    const { diagnosis, report } = await check(throughFront({ device: 'never' }));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'proxy-untrusted', layer: 'upgrade' });
    expect(diagnosis.failedLayer).toBe('upgrade');
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      'upgrade answered HTTP 403 proxy_attribution_required',
      '/readyz 403 proxy_attribution_required',
      '/healthz 200 {"ok":true,"status":"live"}',
      'token from SERVE_TOKEN (set): not the problem',
    ]);
    expect(diagnosis.verdicts.map((verdict) => verdict.id)).not.toContain('auth-rejected');
    expect(report.layers.find((layer) => layer.layer === 'http')?.status).toBe('ok');
    expect(await gateway.logTail(400)).toMatch(/unattributable proxy-shaped traffic from 127\.0\.0\.1/);
    trustedLine = /`(openclaw config set gateway\.trustedProxies [^`]+)`/.exec(diagnosis.verdicts[0]!.do)?.[1] ?? '';
    expect(trustedLine).toBe(`openclaw config set gateway.trustedProxies '["127.0.0.1/32","::1/128"]' --strict-json`);

    // /gateway check says the same in Slack.
    const posted = await slackVerdict();
    expect(posted.text).toContain('serve UNHEALTHY: proxy-untrusted — upgrade answered HTTP 403 proxy_attribution_required');
    expect(posted.blocks).toContain('openclaw config set gateway.trustedProxies');
  });

  it("the verdict's own command, run with the real CLI, fixes it without a restart", async () => {
    const set = await gateway.cli(shellWords(trustedLine).slice(1));
    expect(set, set.stderr).toMatchObject({ code: 0 });
    expect(set.stdout).toMatch(/Updated gateway\.trustedProxies\. Change will apply without restarting the gateway\./);
    const after = await until(
      () => check(throughFront({ device: 'never' })),
      (result) => result.report.layers.find((layer) => layer.layer === 'upgrade')?.status === 'ok',
      15_000,
    );
    expect(after.report.layers.find((layer) => layer.layer === 'upgrade')?.evidence).toMatchObject({ httpStatus: 101 });
  });

  it('trusted, token-only through the front: a remote client, scopes cleared → scope-limited', async () => {
    const { diagnosis, report } = await check(throughFront({ device: 'never' }));
    expect(report.layers.find((layer) => layer.layer === 'handshake')?.evidence).toMatchObject({ serverVersion: OPENCLAW_VERSION, scopes: [] });
    expect(diagnosis).toMatchObject({ state: 'degraded', verdicts: [{ id: 'scope-limited' }] });
    expect((await slackVerdict()).text).toContain('serve degraded: scope-limited');
  });

  it('with a device: pairing-required showing the request id; after `openclaw devices approve <id>` → healthy', async () => {
    identity = await loadOrCreateDeviceIdentity(join(dir, 'front-device.json'));
    const pending = await check(throughFront({ device: 'auto' }), { identity });
    const pairing = pending.diagnosis.verdicts.find((verdict) => verdict.id === 'pairing-required');
    expect(pairing).toMatchObject({ severity: 'warning', layer: 'handshake' });
    const requestId = /request id (\S+)/.exec(pairing!.evidence[0] ?? '')?.[1];
    expect(requestId).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
    expect(pairing!.do).toContain(identity.deviceId);

    const approved = await gateway.cli(['devices', 'approve', requestId!]);
    expect(approved, `${approved.stdout}\n${approved.stderr}`).toMatchObject({ code: 0 });

    const { diagnosis, report } = await check(throughFront({ device: 'auto' }), { identity });
    expect(diagnosis.state).toBe('healthy');
    // Seconds after a start the event loop may still be busy: said as information, never as a problem.
    expect(diagnosis.verdicts.filter((verdict) => verdict.severity !== 'info')).toEqual([]);
    expect(report.layers.find((layer) => layer.layer === 'handshake')?.evidence).toMatchObject({ pairing: { status: 'approved' }, scopes: ['operator.read'] });
    expect(report.layers.find((layer) => layer.layer === 'status')).toMatchObject({ status: 'ok', evidence: { runtimeVersion: OPENCLAW_VERSION } });
    expect(report.layers.find((layer) => layer.layer === 'channels')?.evidence).toMatchObject({ policy: { read: true } });
    expect(report.gatewayConfig).toMatchObject({ source: 'config.get', available: true, trustedProxies: ['127.0.0.1/32', '::1/128'], tokenSource: 'redacted' });
    expect(report.layers.find((layer) => layer.layer === 'handshake')?.evidence?.uptimeMs).toBeGreaterThan(0);
  });

  describe('from another host (a network namespace over a veth pair, 100.64/10)', () => {
    /** The real CLI (`clawops check … --json`) as a process inside the namespace. */
    async function remoteCheck(name: string): Promise<{ code: number | null; result: Pick<CheckResult, 'report' | 'diagnosis'> }> {
      if (!netns) throw netnsError instanceof Error ? netnsError : new Error(String(netnsError));
      const config = join(dir, 'remote.yaml');
      await writeFile(
        config,
        [
          `identity: { path: ${join(dir, 'remote-device.json')} }`,
          'gateways:',
          `  remote-token: { url: "ws://${netns.hostAddress}:${gateway.port}", tokenEnv: REMOTE_TOKEN, device: never }`,
          // The same Gateway under a second name, checked with the device identity.
          `  remote-device: { url: "ws://${netns.hostAddress}:${gateway.port}", tokenEnv: REMOTE_TOKEN, device: auto, aliasOf: remote-token }`,
          '',
        ].join('\n'),
      );
      const run = await netns.exec([process.execPath, '--import', 'tsx', 'src/app/bin.ts', 'check', name, '--config', config, '--json'], {
        env: { PATH: process.env.PATH, HOME: dir, REMOTE_TOKEN: TOKEN, NO_COLOR: '1' },
        cwd: process.cwd(),
        timeoutMs: 60_000,
      });
      expect(run.stdout).not.toContain(TOKEN);
      expect(run.stderr).not.toContain(TOKEN);
      // One gateway named: `--json` prints its {report, diagnosis}.
      expect(run.stdout.trim(), `clawops check exited ${run.code}: ${run.stderr.slice(0, 500)}`).not.toBe('');
      return { code: run.code, result: JSON.parse(run.stdout) as Pick<CheckResult, 'report' | 'diagnosis'> };
    }

    it('token-only from the remote host: hello-ok with scopes cleared → scope-limited (exit 1)', async () => {
      const { code, result } = await remoteCheck('remote-token');
      expect(result.report.layers.find((layer) => layer.layer === 'handshake')?.evidence).toMatchObject({ serverVersion: OPENCLAW_VERSION, scopes: [] });
      expect(result.diagnosis).toMatchObject({ state: 'degraded', verdicts: [{ id: 'scope-limited' }] });
      expect(code).toBe(1);
    });

    it('with its device: pairing pending with a request id; approved on the Gateway host → healthy from the remote host', async () => {
      const first = await remoteCheck('remote-device');
      const pairing = first.result.diagnosis.verdicts.find((verdict) => verdict.id === 'pairing-required');
      const requestId = /request id (\S+)/.exec(pairing?.evidence[0] ?? '')?.[1];
      expect(requestId, JSON.stringify(first.result.diagnosis.verdicts)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/);
      const approved = await gateway.cli(['devices', 'approve', requestId!]);
      expect(approved, `${approved.stdout}\n${approved.stderr}`).toMatchObject({ code: 0 });
      const second = await remoteCheck('remote-device');
      expect(second.result.diagnosis.state).toBe('healthy');
      expect(second.result.report.layers.find((layer) => layer.layer === 'status')).toMatchObject({
        status: 'ok',
        evidence: { runtimeVersion: OPENCLAW_VERSION },
      });
      expect(second.code).toBe(0);
    });
  });

  // Last: stops the Gateway, the front stays.
  it('the Gateway stopped, the front still up → gateway-down-behind-proxy (502, empty body, on /healthz and the upgrade)', async () => {
    await gateway.stop();
    const { diagnosis } = await check(throughFront({ device: 'never' }));
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-down-behind-proxy', layer: 'http' });
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      `TCP 127.0.0.1:${front.port} connected: the front answers`,
      '/healthz 502 (empty body)',
      'upgrade HTTP 502 (empty body)',
      'the Gateway behind the front does not answer it',
    ]);
    expect((await slackVerdict()).text).toContain('serve UNHEALTHY: gateway-down-behind-proxy');
  });
});
