/**
 * `/gateway check` with a host agent, end to end: real Bolt against the Slack emulator, the bot's
 * worker and two agents on real BullMQ/Redis, the fault-injecting Gateway on loopback. The outside
 * URL of `prod` points at a blackhole (a path that swallows everything) while its agent's loopback
 * check reaches the real fake Gateway: both views, one verdict. `down` has nothing listening at all.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startAgent, type HostAgent } from '../../src/app/composition-root.js';
import { createLogger } from '../../src/log.js';
import { createProducerConnection, createWorkerConnection } from '../../src/queue/connection.js';
import { hostCheckQueueName } from '../../src/queue/host-check-job.js';
import { captureLogs, GATEWAY_TOKEN, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { reservedClosedPort, startBlackholeServer, startFakeGateway, type BlackholeServer, type FakeGateway } from '../support/fake-gateway.js';
import { FIXED_COMMANDS, scriptedHost } from '../support/host-scripts.js';
import type { ApiCall } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');
const STALE = 'stale-unit-token-from-install-time';
const TIMEOUTS = { tcpMs: 800, httpMs: 800, upgradeMs: 800, handshakeMs: 1_000, rpcMs: 1_000, channelsMs: 1_500, budgetMs: 3_000 };
const DEADLINE_MS = 2_500;

const finalUpdate = (ts: string) => (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');

describe('/gateway check with a host agent', () => {
  let dir: string;
  let gateway: FakeGateway;
  let hole: BlackholeServer;
  let stray: Server;
  let downPort: number;
  let harness: BotHarness;
  const agents: Record<string, HostAgent | undefined> = {};
  const agentLogs = captureLogs();
  // prod's unit still bakes the token of install time; down's unit failed on a missing EnvironmentFile.
  let prodHost: ReturnType<typeof scriptedHost>;
  const downHost = scriptedHost({ unit: { activeState: 'failed', environmentFiles: ['/nonexistent/openclaw/gateway.env'] } });

  const startHostAgent = async (name: 'prod' | 'down', exec: typeof downHost.exec) => {
    agents[name] = await startAgent({
      config: harness.config,
      gateway: name,
      env: harness.env,
      redisUrl,
      prefix: harness.prefix,
      logger: createLogger({ level: 'debug', destination: agentLogs.destination }),
      identityPath: join(dir, `${name}-agent-device.json`),
      host: { exec },
    });
  };

  /** Sends the command and returns the final message and how long it took from the ack. */
  const check = async (name: string) => {
    const since = harness.emu.mark();
    await harness.gateway(`check ${name}`);
    const started = performance.now();
    const placeholder = await harness.emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳'), { since });
    const ts = (placeholder.response as { ts: string }).ts;
    const update = await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 15_000 });
    return { text: String(update.params.text), blocks: JSON.stringify(update.params.blocks), elapsedMs: performance.now() - started };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clawops-e2e-agent-'));
    mkdirSync(join(dir, 'npm', 'openclaw'), { recursive: true });
    writeFileSync(join(dir, 'npm', 'openclaw', 'package.json'), JSON.stringify({ name: 'openclaw', version: '2026.9.6' }));
    prodHost = scriptedHost({ unit: { environment: `NODE_ENV=production OPENCLAW_GATEWAY_TOKEN=${STALE}` }, npmRoot: join(dir, 'npm') });
    gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    hole = await startBlackholeServer();
    // Something else bound to the Gateway's port on a second local address: not the configured bind.
    stray = await new Promise<Server>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(gateway.port, '127.0.0.2', () => resolve(server));
    });
    downPort = await reservedClosedPort();
    harness = await startBotHarness({
      redisUrl,
      gateways: {
        prod: { url: hole.url, timeouts: TIMEOUTS, agent: { port: gateway.port, deadlineMs: DEADLINE_MS } },
        down: { url: `ws://127.0.0.1:${downPort}`, timeouts: TIMEOUTS, agent: { port: downPort, deadlineMs: DEADLINE_MS } },
      },
      // Every check probes afresh: no result of one test is shared with the next.
      queue: { coalesceWindowMs: 0 },
    });
    await startHostAgent('prod', prodHost.exec);
    await startHostAgent('down', downHost.exec);
  });

  afterAll(async () => {
    for (const agent of Object.values(agents)) await agent?.close();
    await harness?.close();
    await gateway?.close();
    await hole?.close();
    await new Promise((resolve) => stray?.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loopback ok + outside blackholed → the network path, not the Gateway; the drifted unit token and the stray bind beside it', async () => {
    const connects = gateway.connects.length;
    const { text, blocks } = await check('prod');
    expect(text).toMatch(/^🔴 prod UNHEALTHY: network-path — on its host the Gateway answers: 127\.0\.0\.1:\d+ hello-ok 2026\.9\.6/);
    expect(blocks).toContain('Gateway fine, path broken');
    expect(blocks).toContain('from outside alone this read as');
    expect(blocks).toContain('*Host agent* loopback ok');
    expect(blocks).toContain('unit-token-drift');
    expect(blocks).toContain('bind-not-loopback');
    expect(blocks).toContain('127.0.0.2');
    // The agent really shook hands with the Gateway over loopback; the outside reached only the blackhole.
    expect(gateway.connects.length).toBe(connects + 1);
    expect(hole.connections).toBeGreaterThan(0);
  });

  it('Gateway down → the Gateway itself, with what the host knows about its unit', async () => {
    const { text, blocks } = await check('down');
    expect(text).toMatch(/^🔴 down UNHEALTHY: gateway-down — on its host too: 127\.0\.0\.1:\d+ tcp: 127\.0\.0\.1:\d+ refused/);
    expect(blocks).toContain('Gateway failing on its host');
    expect(blocks).toContain(`nothing listens on port ${downPort} on the host`);
    expect(blocks).toContain('openclaw-gateway is failed (failed)');
    expect(blocks).toContain('is missing: systemd refuses to start the unit');
  });

  it('the agent rejects a job carrying unexpected fields or commands, and runs nothing for it', async () => {
    const producer = createProducerConnection(redisUrl);
    producer.on('error', () => undefined);
    const queue = new Queue(hostCheckQueueName('down'), { connection: producer, prefix: harness.prefix });
    const eventsRedis = createWorkerConnection(redisUrl);
    const events = new QueueEvents(hostCheckQueueName('down'), { connection: eventsRedis, prefix: harness.prefix });
    try {
      await events.waitUntilReady();
      const calls = downHost.calls.length;
      const job = await queue.add('host-checks', {
        requestId: '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c',
        gateway: 'down',
        requestedAt: Date.now(),
        command: 'systemctl',
        args: ['stop', 'openclaw-gateway'],
      });
      const outcome = await job.waitUntilFinished(events, 5_000).then(
        () => 'completed',
        (error: Error) => error.message,
      );
      expect(outcome).toMatch(/^refused: invalid job data: .*Unrecognized keys?: .*command/);
      expect(downHost.calls.length).toBe(calls);
    } finally {
      await events.close();
      eventsRedis.disconnect();
      await queue.close();
      producer.disconnect();
    }
    for (const call of [...prodHost.calls, ...downHost.calls])
      expect(
        FIXED_COMMANDS.some((pattern) => pattern.test(call)),
        call,
      ).toBe(true);
  });

  it('agent stopped → said so, and the verdict from outside alone, within the deadline', async () => {
    await agents.prod!.close();
    agents.prod = undefined;
    const { text, blocks, elapsedMs } = await check('prod');
    expect(text).toMatch(/^🔴 prod UNHEALTHY: /);
    expect(text).not.toContain('network-path');
    expect(blocks).toContain('agent-silent');
    expect(blocks).toContain(`the host agent did not answer within ${DEADLINE_MS} ms: this verdict is from outside alone`);
    expect(blocks).toContain('*Host agent* no answer within');
    // The check waits for the agent no longer than its deadline (≤ the check budget), then posts.
    expect(elapsedMs).toBeLessThan(TIMEOUTS.budgetMs + 1_500);
  });

  it('never puts a token in Slack, Redis job data or the logs', () => {
    const everything = [JSON.stringify(harness.emu.calls), harness.logs.join('\n'), agentLogs.lines.join('\n')].join('\n');
    expect(agentLogs.lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(GATEWAY_TOKEN);
    expect(everything).not.toContain(STALE);
  });
});
