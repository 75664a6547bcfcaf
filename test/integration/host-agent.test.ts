/**
 * The host agent against real things: the live kernel socket table (listeners on 127.0.0.1 and on a
 * second loopback address, same port), the fault-injecting Gateway over loopback with a device
 * identity, and real BullMQ on real Redis between the worker's requester and the agent.
 * systemd does not run here: `systemctl show` is played from scripts (test/support/host-scripts.ts).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAgent, type HostAgent } from '../../src/app/composition-root.js';
import { createChecker } from '../../src/check/checker.js';
import { resolveAgentSettings } from '../../src/config/agent-settings.js';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { resolveTarget } from '../../src/config/targets.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { runHostChecks } from '../../src/host/run-host-checks.js';
import { tokenFingerprint } from '../../src/report/token-fingerprint.js';
import { createLogger } from '../../src/log.js';
import { connectToGateway } from '../../src/openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../../src/openclaw/device-identity.js';
import { createProducerConnection, createWorkerConnection } from '../../src/queue/connection.js';
import { hostCheckQueueName } from '../../src/queue/host-check-job.js';
import { createHostCheckRequester, type HostCheckRequester } from '../../src/queue/host-check-requester.js';
import { captureLogs } from '../support/bot-harness.js';
import { reservedClosedPort, SAMPLE_CHANNELS, startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { serveConfigFor, startFakeTailscaled, type FakeTailscaled } from '../support/fake-tailscaled.js';
import { serveRoute, startServeFront } from '../support/serve-front.js';
import { FIXED_COMMANDS, scriptedHost } from '../support/host-scripts.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');
const TOKEN = 'host-agent-test-token-0123456789';
const STALE = 'host-agent-stale-token-9876543210';

const listen = (host: string, port: number) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });

let dir: string;
let gateway: FakeGateway;
let stray: Server; // 127.0.0.2 on the Gateway's port: not the Gateway's bind
let config: Config;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clawops-host-agent-'));
  // A remote-like Gateway: token-only clients get no scopes, so only the device makes channels readable.
  gateway = await startFakeGateway({ token: TOKEN, grantScopes: false, channels: SAMPLE_CHANNELS });
  stray = await listen('127.0.0.2', gateway.port);
  mkdirSync(join(dir, 'npm', 'openclaw'), { recursive: true });
  writeFileSync(join(dir, 'npm', 'openclaw', 'package.json'), JSON.stringify({ name: 'openclaw', version: '2026.9.7' }));
  writeFileSync(join(dir, 'gateway.env'), `# rotated last week\nOPENCLAW_GATEWAY_TOKEN=${STALE}\n`, { mode: 0o600 });
  config = ConfigSchema.parse({
    gateways: {
      prod: {
        url: 'ws://100.101.102.103:18789',
        tokenEnv: 'HOST_AGENT_TEST_TOKEN',
        timeouts: { tcpMs: 800, httpMs: 800, upgradeMs: 800, handshakeMs: 1_500, rpcMs: 1_500, channelsMs: 2_000, budgetMs: 4_000 },
        agent: { port: gateway.port, deadlineMs: 3_000 },
      },
    },
  });
});
afterAll(async () => {
  await new Promise((resolve) => stray?.close(resolve));
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux')('runHostChecks on this host', () => {
  it('loopback proven with the device identity, the second address caught, the unit token drift and a stale process found', async () => {
    const identity = await loadOrCreateDeviceIdentity(join(dir, 'device.json'));
    const host = scriptedHost({ unit: { environment: 'NODE_ENV=production', environmentFiles: [join(dir, 'gateway.env')] }, npmRoot: join(dir, 'npm') });
    const settings = resolveAgentSettings(config, 'prod')!;
    const target = resolveTarget(config, 'prod', { HOST_AGENT_TEST_TOKEN: TOKEN });
    const result = await runHostChecks(settings, target, { checker: createChecker({ connect: connectToGateway, identity }), exec: host.exec });

    expect(result.listeners).toMatchObject({
      available: true,
      listening: true,
      bound: expect.arrayContaining(['127.0.0.1', '127.0.0.2']),
      allowed: ['127.0.0.1'],
    });
    expect(result.listeners.violations).toEqual([expect.objectContaining({ address: '127.0.0.2', kind: 'other-loopback', severity: 'warning' })]);
    expect(result.loopback).toMatchObject({ url: `ws://127.0.0.1:${gateway.port}`, ok: true, serverVersion: '2026.9.6' });
    const statuses = Object.fromEntries(result.loopback.layers.map((layer) => [layer.layer, layer.status]));
    expect(statuses).toMatchObject({ tcp: 'ok', http: 'ok', upgrade: 'ok', handshake: 'ok', health: 'ok', status: 'ok', channels: 'warn' });
    expect(gateway.connects.at(-1)).toMatchObject({ hasToken: true, device: expect.objectContaining({ id: identity.deviceId, signatureValid: true }) });
    expect(result.unit).toMatchObject({
      tokenSource: `EnvironmentFile:${join(dir, 'gateway.env')}`,
      tokenDrift: true,
      unitTokenFingerprint: tokenFingerprint(STALE),
      configuredTokenFingerprint: tokenFingerprint(TOKEN),
    });
    expect(result.version).toMatchObject({ status: 'stale-process', running: '2026.9.6', installed: '2026.9.7' });
    for (const call of host.calls)
      expect(
        FIXED_COMMANDS.some((pattern) => pattern.test(call)),
        call,
      ).toBe(true);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(STALE);

    // The host's findings as verdicts, beside a healthy view from outside.
    const { report } = await createChecker({ connect: connectToGateway }).check({ ...target, url: gateway.url, device: 'never' });
    const verdicts = diagnose({ ...report, host: { agent: { status: 'answered', deadlineMs: 3_000 }, ...result } }).verdicts.map((verdict) => verdict.id);
    expect(verdicts).toEqual(expect.arrayContaining(['unit-token-drift', 'bind-not-loopback', 'stale-process', 'channel-silent']));
  });
});

describe.skipIf(process.platform !== 'linux')('the Gateway behind Serve, seen from its host', () => {
  let tailscaled: FakeTailscaled;
  beforeAll(async () => {
    tailscaled = await startFakeTailscaled();
  });
  afterAll(async () => {
    await tailscaled?.close();
  });

  const NAME = 'gw-prod.example-tailnet.ts.net';
  const CONFIG_TOKEN = 'openclaw-json-token-5b2c9e7a41';

  async function hostChecks(openclawJson: string) {
    const identity = await loadOrCreateDeviceIdentity(join(dir, 'serve-device.json'));
    const configPath = join(dir, 'openclaw.json');
    writeFileSync(configPath, openclawJson, { mode: 0o600 });
    const host = scriptedHost({ unit: { environment: `OPENCLAW_CONFIG_PATH=${configPath}` } });
    const settings = { ...resolveAgentSettings(config, 'prod')!, tailscaledSocket: tailscaled.socketPath };
    const target = resolveTarget(config, 'prod', { HOST_AGENT_TEST_TOKEN: TOKEN });
    const result = await runHostChecks(settings, target, { checker: createChecker({ connect: connectToGateway, identity }), exec: host.exec });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
    expect(JSON.stringify(result)).not.toContain(CONFIG_TOKEN);
    return { result, target };
  }

  it('Serve forwards to another port: outside gateway-down-behind-proxy, the host names both ports; openclaw.json read by fingerprint', async () => {
    const wrongPort = await reservedClosedPort();
    tailscaled.setServe(serveConfigFor(NAME, wrongPort));
    const { result, target } = await hostChecks(`// JSON5, as OpenClaw writes it
{
  gateway: { mode: 'local', port: ${gateway.port}, bind: 'lan', tailscale: { mode: 'serve' }, auth: { mode: 'token', token: '${CONFIG_TOKEN}' } },
  channels: { telegram: { botToken: '123:bot-token-never-read', dmPolicy: 'pairing' } },
}
`);
    expect(result.serve).toEqual({
      available: true,
      gatewayPort: gateway.port,
      routes: [
        {
          hostPort: `${NAME}:443`,
          mount: '/',
          target: `http://127.0.0.1:${wrongPort}`,
          targetHost: '127.0.0.1',
          targetPort: wrongPort,
          toGateway: false,
          funnel: false,
        },
      ],
    });
    expect(result.gatewayConfig).toEqual({
      source: 'file',
      path: join(dir, 'openclaw.json'),
      available: true,
      bind: 'lan',
      port: gateway.port,
      tailscaleMode: 'serve',
      authMode: 'token',
      tokenSource: 'config',
      tokenFingerprint: tokenFingerprint(CONFIG_TOKEN),
    });
    expect(JSON.stringify(result)).not.toContain('bot-token-never-read');

    // From outside: the front on this host forwards where Serve says, to nothing.
    const front = await startServeFront({ routes: serveRoute(NAME, wrongPort) });
    try {
      const { report } = await createChecker({ connect: connectToGateway, tls: { ca: front.ca }, lookup: front.lookup }).check({
        ...target,
        url: front.url(),
        device: 'never',
      });
      const diagnosis = diagnose({ ...report, host: { agent: { status: 'answered', deadlineMs: 3_000 }, ...result } });
      expect(diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-down-behind-proxy' });
      expect(diagnosis.verdicts[0]!.evidence[1]).toBe(
        `Serve forwards ${NAME}:443 to 127.0.0.1:${wrongPort} but the Gateway listens on ${gateway.port} (host agent)`,
      );
      expect(diagnosis.verdicts[0]!.notes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^on its host the Gateway answers/),
          'gateway.tailscale.mode is serve but gateway.bind is lan: Serve and Funnel need bind loopback (a carried-over bind crash-loops the Gateway)',
        ]),
      );
    } finally {
      await front.close();
    }
  });

  it('Funnel on the route to the Gateway → public-exposure (critical); auth.mode none → auth-none (critical)', async () => {
    tailscaled.setServe(serveConfigFor(NAME, gateway.port, { funnel: true }));
    const { result } = await hostChecks(JSON.stringify({ gateway: { port: gateway.port, auth: { mode: 'none' } } }));
    expect(result.serve?.routes).toEqual([expect.objectContaining({ toGateway: true, funnel: true })]);
    const { report } = await createChecker({ connect: connectToGateway }).check({
      ...resolveTarget(config, 'prod', { HOST_AGENT_TEST_TOKEN: TOKEN }),
      url: gateway.url,
      device: 'never',
    });
    const diagnosis = diagnose({ ...report, host: { agent: { status: 'answered', deadlineMs: 3_000 }, ...result } });
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts.find((verdict) => verdict.id === 'public-exposure')).toMatchObject({
      severity: 'critical',
      evidence: [`(host agent) Funnel is on for ${NAME}:443 → http://127.0.0.1:${gateway.port}: the Gateway is reachable from the internet`],
    });
    expect(diagnosis.verdicts.find((verdict) => verdict.id === 'auth-none')).toMatchObject({
      severity: 'critical',
      evidence: [`(host agent) ${join(dir, 'openclaw.json')}: gateway.auth.mode is none`],
    });
  });

  it('no tailscaled on the host and an unreadable openclaw.json are values, not failures; config.get on loopback stands in', async () => {
    const identity = await loadOrCreateDeviceIdentity(join(dir, 'serve-device.json'));
    const settings = { ...resolveAgentSettings(config, 'prod')!, tailscaledSocket: join(dir, 'no-such.sock'), openclawConfig: join(dir, 'missing.json') };
    const result = await runHostChecks(settings, resolveTarget(config, 'prod', { HOST_AGENT_TEST_TOKEN: TOKEN }), {
      checker: createChecker({ connect: connectToGateway, identity }),
      exec: scriptedHost({ unit: { loadState: 'not-found' } }).exec,
    });
    expect(result.serve).toEqual({ available: false, reason: 'socket-missing', gatewayPort: gateway.port, routes: [] });
    expect(result.gatewayConfig).toMatchObject({ source: 'config.get', available: true, tokenSource: 'redacted' });
  });
});

describe('the agent and the requester over real Redis', () => {
  let prefix: string;
  let agent: HostAgent | undefined;
  let requester: HostCheckRequester;
  let producer: ReturnType<typeof createProducerConnection>;
  const logs = captureLogs();
  const host = scriptedHost({ unit: { loadState: 'not-found' } });

  beforeAll(async () => {
    prefix = uniquePrefix('agent');
    producer = createProducerConnection(redisUrl);
    producer.on('error', () => undefined);
    requester = createHostCheckRequester({
      connection: producer,
      eventsConnection: () => createWorkerConnection(redisUrl),
      prefix,
      logger: createLogger({ level: 'silent' }),
    });
    agent = await startAgent({
      config,
      gateway: 'prod',
      env: { HOST_AGENT_TEST_TOKEN: TOKEN },
      redisUrl,
      prefix,
      logger: createLogger({ level: 'debug', destination: logs.destination }),
      identityPath: join(dir, 'agent-device.json'),
      host: { exec: host.exec },
    });
  });
  afterAll(async () => {
    await agent?.close();
    await requester?.close();
    producer?.disconnect();
    if (prefix) await deleteKeysWithPrefix(redisUrl, prefix);
  });

  it('answers "run the host checks" with the host evidence', async () => {
    const answer = await requester.request('prod', { deadlineMs: 3_000 });
    expect(answer.status).toBe('answered');
    if (answer.status !== 'answered') return;
    expect(answer.result).toMatchObject({ gateway: 'prod', loopback: { ok: true }, unit: { unitFound: false } });
    expect(answer.waitedMs).toBeLessThan(3_000);
  });

  it('refuses a job carrying a command, a path or another gateway, and runs nothing for it', async () => {
    const queue = new Queue(hostCheckQueueName('prod'), { connection: producer, prefix });
    const eventsRedis = createWorkerConnection(redisUrl);
    const events = new QueueEvents(hostCheckQueueName('prod'), { connection: eventsRedis, prefix });
    try {
      await events.waitUntilReady();
      const calls = host.calls.length;
      const base = { requestId: '0d6f3c52-9a8b-4c7d-8e6f-5a4b3c2d1e0f', gateway: 'prod', requestedAt: Date.now() };
      const attempts = [
        { name: 'host-checks', data: { ...base, command: 'cat /etc/shadow' }, reason: /refused: invalid job data: .*Unrecognized key.*command/ },
        {
          name: 'host-checks',
          data: { ...base, requestId: '1d6f3c52-9a8b-4c7d-8e6f-5a4b3c2d1e0f', unit: 'sshd', args: ['--now'] },
          reason: /refused: invalid job data/,
        },
        { name: 'exec', data: { ...base, requestId: '2d6f3c52-9a8b-4c7d-8e6f-5a4b3c2d1e0f' }, reason: /refused: unknown job name "exec"/ },
        {
          name: 'host-checks',
          data: { ...base, requestId: '3d6f3c52-9a8b-4c7d-8e6f-5a4b3c2d1e0f', gateway: 'staging' },
          reason: /refused: this agent checks prod, not staging/,
        },
      ];
      for (const attempt of attempts) {
        const job = await queue.add(attempt.name, attempt.data, { attempts: 3 });
        const outcome = await job.waitUntilFinished(events, 5_000).then(
          () => 'completed',
          (error: Error) => error.message,
        );
        expect(outcome).toMatch(attempt.reason);
        // UnrecoverableError: no retry despite attempts: 3.
        expect((await queue.getJob(job.id!))?.attemptsMade).toBe(1);
      }
      expect(host.calls.length).toBe(calls);
      expect(logs.lines.filter((line) => line.includes('host-check job refused'))).toHaveLength(attempts.length);
      expect(logs.lines.join('\n')).not.toContain('/etc/shadow');
    } finally {
      await events.close();
      eventsRedis.disconnect();
      await queue.close();
    }
  });

  it('a stopped agent: silent within the deadline, and its unanswered job taken back', async () => {
    await agent!.close();
    agent = undefined;
    const started = performance.now();
    const answer = await requester.request('prod', { deadlineMs: 1_000 });
    const elapsed = performance.now() - started;
    expect(answer.status).toBe('silent');
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2_000);
    const queue = new Queue(hostCheckQueueName('prod'), { connection: producer, prefix });
    try {
      expect(await queue.getJobCounts('wait', 'active')).toEqual({ wait: 0, active: 0 });
    } finally {
      await queue.close();
    }
  });

  it('never logs the token', () => {
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.join('\n')).not.toContain(TOKEN);
  });
});
