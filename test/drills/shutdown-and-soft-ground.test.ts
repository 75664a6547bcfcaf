/**
 * Drills: stopping while Redis is down (every long-running process exits within its grace + 2 s,
 * and at once on a second signal); a wrong Redis password (one error line, not a flood; /readyz
 * says so); readiness of a healthy process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../support/redis-server.js';
import { LEVEL, type ClawopsProcess } from './support/clawops-process.js';
import { readyz, startDrill } from './support/drill.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const GRACE_MS = 4_000;
const started = (child: ClawopsProcess) => child.waitForLog((line) => line.msg === 'clawops started' || line.msg === 'host agent started', 30_000);

describe('SIGTERM while Redis is down', () => {
  it('worker, start, bot and agent each exit within the grace + 2 s', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const drill = await startDrill({ gateways: 2, servers: 1, redisEnv: { REDIS_URL: redis.url }, queue: { shutdownGraceMs: GRACE_MS }, agent: true });
    cleanups.push(() => drill.close());
    const processes = [drill.start('worker'), drill.start('start'), drill.start('bot'), drill.start('agent')];
    await Promise.all(processes.map(started));

    await redis.stop();
    // Everyone has noticed (one error line each), then the signal.
    await Promise.all(processes.map((child) => child.waitForLog((line) => line.level === LEVEL.error && line.msg.startsWith('Redis unavailable'), 10_000)));
    const signalled = processes.map((child) => child.signal('SIGTERM'));
    const exits = await Promise.all(processes.map((child) => child.exited));
    exits.forEach((exit, index) => {
      const took = exit.at - signalled[index]!;
      expect({ process: processes[index]!.name, withinBound: took <= GRACE_MS + 2_000, signal: exit.signal }).toEqual({
        process: processes[index]!.name,
        withinBound: true,
        signal: null,
      });
    });
  });

  it.each([
    ['worker', ['bot', 'worker']],
    ['start', ['start']],
    // The agent's host check runs its loopback ladder against the same slow fake Gateway: work in flight.
    ['agent', ['bot', 'worker', 'agent']],
  ] as const)('a second signal ends `%s` at once, with its work in flight and Redis gone', async (target, roles) => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    // A long grace and a check that cannot finish: only the second signal can end this quickly.
    const withAgent = target === 'agent';
    const drill = await startDrill({
      gateways: 1,
      servers: 1,
      rpcDelayMs: 60_000,
      timeouts: { rpcMs: 50_000, channelsMs: 50_000, budgetMs: 55_000 },
      redisEnv: { REDIS_URL: redis.url },
      queue: { shutdownGraceMs: 30_000 },
      agent: withAgent,
    });
    cleanups.push(() => drill.close());
    const children = roles.map((role) => drill.start(role));
    await Promise.all([drill.botConnected(), ...children.map(started)]);
    await drill.check(drill.names);
    // The worker's outside probe, and with an agent its loopback ladder too, are now stuck in RPC.
    await drill.servers[0]!.waitForConnects(withAgent ? 2 : 1);
    await redis.stop();

    const child = children.find((candidate) => candidate.name === target)!;
    child.signal('SIGTERM');
    await child.waitForLog((line) => line.msg === 'shutting down', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(child.running()).toBe(true);
    const second = child.signal('SIGTERM');
    const exit = await child.exited;
    expect(exit.at - second).toBeLessThan(1_500);
    expect(exit.code).toBe(130);
    expect(child.logs.some((line) => line.msg === 'second signal: exiting now')).toBe(true);
  });
});

describe('the bot and the worker with a wrong Redis password', () => {
  it('log the refusal once at error (no flood), and /readyz says why it is not ready', async () => {
    const redis = await startPrivateRedis({ password: 'the-right-password' });
    cleanups.push(() => redis.stop());
    const wrong = redis.url.replace('the-right-password', 'a-wrong-password');
    const drill = await startDrill({ gateways: 1, servers: 1, redisEnv: { REDIS_URL: wrong } });
    cleanups.push(() => drill.close());
    const bot = drill.start('bot');
    const worker = drill.start('worker');
    const healthy = drill.start('start', { name: 'start (right password)', env: { REDIS_URL: redis.url } });
    await Promise.all([started(bot), started(worker), started(healthy)]);
    // Let the retry loops run for a while.
    await new Promise((resolve) => setTimeout(resolve, 6_000));

    for (const child of [bot, worker]) {
      const errors = child.logs.filter((line) => line.level >= LEVEL.error);
      expect(errors.map((line) => line.msg)).toEqual([expect.stringMatching(/^Redis unavailable: Redis refused clawops' credentials \(WRONGPASS\)/)]);
      expect(child.logs.filter((line) => line.level === LEVEL.warn).length).toBeLessThan(5);
      expect(child.logs.length).toBeLessThan(40);
      // The password is nowhere in what the process said.
      expect(JSON.stringify(child.logs)).not.toContain('a-wrong-password');
      const ready = await readyz(child);
      expect(ready.status).toBe(503);
      expect(ready.body.components.redis).toMatchObject({ ok: false, detail: expect.stringContaining("refused clawops' credentials") });
    }
    const ready = await readyz(healthy);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      ready: true,
      components: { redis: { ok: true }, slack: { ok: true }, workers: { ok: true, detail: '4/4 workers running' } },
    });
  });
});
