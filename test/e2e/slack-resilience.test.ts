/**
 * What must hold when things break around the bot: Redis down, a worker killed mid-check, Slack
 * rate-limiting, forged HTTP requests.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { GATEWAY_TOKEN, INCIDENTS, ONCALL, startBotHarness } from '../support/bot-harness.js';
import { freePort, startPrivateRedis, type PrivateRedis } from '../support/redis-server.js';
import { signedRequest, slashCommandBody, type ApiCall } from '../support/slack-emulator.js';
import { createLogger } from '../../src/log.js';
import { readEnvOptions } from '../../src/config/env.js';
import { startRuntime, type Runtime } from '../../src/app/composition-root.js';

const redisUrl = inject('redisUrl');
const finalUpdate = (ts: string) => (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('when Redis is down', () => {
  it('the command is acknowledged at once and told "the queue is unavailable" within 7 s, and the bot recovers when Redis returns', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    cleanups.push(() => gateway.close());
    const harness = await startBotHarness({ redisUrl: redis.url, gateways: { prod: { url: gateway.url } } });
    cleanups.push(async () => {
      await redis.restart().catch(() => undefined);
      await harness.close();
    });

    await redis.stop();
    const since = harness.emu.mark();
    const sentAt = Date.now();
    const ack = await harness.gateway('check prod');
    expect(ack.latencyMs).toBeLessThan(3_000);
    const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
    const ts = (placeholder.response as { ts: string }).ts;
    // The enqueue waits up to 5 s for Redis (a failover takes about 2): then it says so.
    const answer = await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 7_000 });
    expect(Date.now() - sentAt).toBeLessThan(7_000);
    expect(String(answer.params.text)).toContain('the check queue is unavailable');
    expect(String(answer.params.text)).toContain('clawops check prod');

    await redis.restart();
    await harness.runtime.redisReady();
    const again = harness.emu.mark();
    await harness.gateway('check prod');
    const next = await harness.emu.waitForCall('chat.postMessage', () => true, { since: again });
    const nextTs = (next.response as { ts: string }).ts;
    const verdict = await harness.emu.waitForCall('chat.update', finalUpdate(nextTs), { since: again, timeoutMs: 15_000 });
    expect(String(verdict.params.text)).toMatch(/^✅ prod healthy/);
  });
});

describe('Redis comes back empty (no persistence)', () => {
  it('the job schedulers are put back, so scheduled checks go on', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    cleanups.push(() => gateway.close());
    const harness = await startBotHarness({ redisUrl: redis.url, gateways: { prod: { url: gateway.url } }, monitoring: { checkIntervalSeconds: 3_600 } });
    cleanups.push(() => harness.close());
    expect((await harness.runtime.monitoring!.schedulesReady).upserted).toBe(1);
    const { Queue } = await import('bullmq');
    const queue = new Queue('monitor', { connection: { url: redis.url }, prefix: harness.prefix });
    queue.on('error', () => undefined);
    cleanups.push(() => queue.close());
    expect(await queue.getJobSchedulers(0, -1)).toHaveLength(1);

    await redis.restart();
    const deadline = Date.now() + 15_000;
    let schedulers = 0;
    while (Date.now() < deadline && schedulers === 0) {
      schedulers = (await queue.getJobSchedulers(0, -1).catch(() => [])).length;
      if (schedulers === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(schedulers).toBe(1);
    expect(harness.logs.some((line) => line.includes('Redis was restarted or replaced since the last connection'))).toBe(true);
  });
});

describe('a worker killed mid-check', () => {
  it('its job is recovered by another worker and the verdict is posted exactly once', async () => {
    // Each RPC answers after 1.5 s: long enough to kill the first worker while it waits.
    const gateway: FakeGateway = await startFakeGateway({ token: GATEWAY_TOKEN, mode: 'slow-rpc', rpcDelayMs: 1_500 });
    cleanups.push(() => gateway.close());
    const harness = await startBotHarness({ redisUrl, gateways: { prod: { url: gateway.url } }, roles: { bot: true, worker: false } });
    cleanups.push(() => harness.close());

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/worker-child.ts'], {
      env: { ...process.env, CLAWOPS_TEST_CHILD: JSON.stringify({ config: harness.config, env: harness.env }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const [ready] = (await once(child.stdout!, 'data')) as [Buffer];
    expect(ready.toString()).toContain('ready');

    const since = harness.emu.mark();
    await harness.gateway('check prod');
    await gateway.waitForConnects(1);
    child.kill('SIGKILL');
    await once(child, 'exit');

    // A second worker, in this process: its stalled-job check picks the orphaned job up.
    const second: Runtime = await startRuntime({
      config: harness.config,
      env: harness.env,
      options: readEnvOptions(harness.env),
      logger: createLogger({ level: 'silent' }),
      roles: { bot: false, worker: true },
      lockDurationMs: 1_000,
      stalledIntervalMs: 500,
    });
    cleanups.push(() => second.stop());

    const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
    const ts = (placeholder.response as { ts: string }).ts;
    const verdict = await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 20_000 });
    expect(String(verdict.params.text)).toMatch(/^✅ prod healthy/);
    // Give a duplicate every chance to show up: the post queue drains, then count.
    await second.workers!.posts.waitUntilReady();
    const postQueueIdle = async () => {
      for (;;) {
        const { Queue } = await import('bullmq');
        const queue = new Queue('posts', { connection: { url: redisUrl }, prefix: harness.prefix });
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
        await queue.close();
        if ((counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0) === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    await postQueueIdle();
    const finals = harness.emu.calls.slice(since).filter(finalUpdate(ts));
    expect(finals).toHaveLength(1);
    expect(gateway.connects.length).toBe(2);
  });
});

describe('Slack rate-limiting', () => {
  it('a 429 on the verdict update is waited out and retried', async () => {
    const gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    cleanups.push(() => gateway.close());
    const harness = await startBotHarness({ redisUrl, gateways: { prod: { url: gateway.url } } });
    cleanups.push(() => harness.close());
    harness.emu.failNext('chat.update', { status: 429, retryAfterSeconds: 1 });
    const since = harness.emu.mark();
    await harness.gateway('check prod');
    const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
    const ts = (placeholder.response as { ts: string }).ts;
    const ok = await harness.emu.waitForCall('chat.update', (call) => call.params.ts === ts && call.status === 200, { since, timeoutMs: 10_000 });
    expect(String(ok.params.text)).toMatch(/^✅ prod healthy/);
    const attempts = harness.emu.calls.slice(since).filter((call) => call.method === 'chat.update' && call.params.ts === ts);
    expect(attempts.map((call) => call.status)).toEqual([429, 200]);
  });
});

describe('HTTP mode', () => {
  it('accepts a signed slash command and refuses a bad signature or a stale timestamp with 401', async () => {
    const gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    cleanups.push(() => gateway.close());
    const port = await freePort();
    const signingSecret = 'http-mode-signing-secret';
    const harness = await startBotHarness({ redisUrl, gateways: { prod: { url: gateway.url } }, mode: 'http', httpPort: port, signingSecret });
    cleanups.push(() => harness.close());
    const url = `http://127.0.0.1:${port}/slack/events`;
    const body = slashCommandBody(
      harness.emu.slashCommandPayload({ command: '/gateway', text: 'check prod', user_id: ONCALL.id, channel_id: INCIDENTS.id, channel_name: INCIDENTS.name }),
    );

    const since = harness.emu.mark();
    const good = await signedRequest({ url, body, signingSecret });
    expect(good.status).toBe(200);
    const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
    const ts = (placeholder.response as { ts: string }).ts;
    await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 10_000 });

    const forged = await signedRequest({ url, body, signingSecret, badSignature: true });
    expect(forged.status).toBe(401);
    const stale = await signedRequest({ url, body, signingSecret, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    // Neither reached a handler: no new placeholder.
    expect(harness.emu.calls.slice(since).filter((call) => call.method === 'chat.postMessage')).toHaveLength(1);
  });
});

describe('graceful shutdown', () => {
  it('stops taking commands but lets the in-flight check finish and post; stopping twice is harmless', async () => {
    const gateway = await startFakeGateway({ token: GATEWAY_TOKEN, mode: 'slow-rpc', rpcDelayMs: 800 });
    cleanups.push(() => gateway.close());
    const harness = await startBotHarness({ redisUrl, gateways: { prod: { url: gateway.url } }, queue: { shutdownGraceMs: 10_000 } });
    cleanups.push(() => harness.close());
    const since = harness.emu.mark();
    await harness.gateway('check prod');
    await gateway.waitForConnects(1);
    // The check is in flight (its RPCs answer after 800 ms): stop now, twice.
    await Promise.all([harness.runtime.stop(), harness.runtime.stop()]);
    const placeholder = harness.emu.calls.slice(since).find((call) => call.method === 'chat.postMessage');
    const ts = (placeholder?.response as { ts: string }).ts;
    const finals = harness.emu.calls.slice(since).filter(finalUpdate(ts));
    expect(finals).toHaveLength(1);
    expect(String(finals[0]!.params.text)).toMatch(/^✅ prod healthy/);
    // The app no longer answers commands.
    await expect(harness.gateway('check prod')).rejects.toThrow();
  });
});
