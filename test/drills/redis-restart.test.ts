/**
 * Drills: Redis restarts under 50 checks in flight, with and without persistence. Separate `bot`
 * and `worker` processes of the shipped bin, a private redis-server, slow fake Gateways.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../support/redis-server.js';
import { LEVEL } from './support/clawops-process.js';
import { ALERTS, counts, startDrill, type Drill } from './support/drill.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const connects = (drill: Drill) => drill.servers.reduce((sum, server) => sum + server.connects.length, 0);
async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Redis restarts with AOF on, down 3 s, 50 checks in flight', () => {
  it('every check is answered with its verdict, once; nothing is "failed inside clawops"', async () => {
    const redis = await startPrivateRedis({ appendonly: true });
    cleanups.push(() => redis.stop());
    const drill = await startDrill({ gateways: 50, servers: 5, rpcDelayMs: 1_500, redisEnv: { REDIS_URL: redis.url }, queue: { concurrency: 25 } });
    cleanups.push(() => drill.close());
    const bot = drill.start('bot');
    const worker = drill.start('worker');
    await Promise.all([drill.botConnected(), worker.waitForLog((line) => line.msg === 'clawops started')]);

    await drill.check(drill.names);
    // All accepted (a placeholder each), and the first checks are talking to their Gateways.
    await drill.waitForTally((tally) => counts(tally).missing === 0, 20_000);
    await until(() => connects(drill) >= 10, 20_000, 'checks in flight');
    expect(connects(drill)).toBeLessThan(50);

    await redis.stopGracefully();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await redis.restart();
    const back = Date.now();

    const tally = await drill.waitForTally((entries) => counts(entries).pending === 0, 60_000);
    expect(counts(tally)).toEqual({ checks: 50, verdicts: 50, apologies: 0, failed: 0, pending: 0, missing: 0, duplicates: 0 });
    expect(tally.every((entry) => /^✅ gw-\d{3} healthy/.test(entry.text))).toBe(true);
    expect(Math.max(...tally.map((entry) => entry.answeredAt ?? 0)) - back).toBeLessThan(30_000);
    expect(worker.logs.filter((line) => /failed inside clawops/.test(line.msg))).toEqual([]);
    // The outage was told once per process, and its end.
    for (const child of [bot, worker]) {
      expect(child.logs.filter((line) => line.level === LEVEL.error && line.msg.startsWith('Redis unavailable')).length).toBeLessThanOrEqual(2);
      expect(child.logs.some((line) => line.msg === 'Redis reachable again')).toBe(true);
    }
  });
});

describe('Redis restarts without persistence', () => {
  it('no "⏳ Checking…" stays: lost checks get a plain apology with Re-run, and the soft ground is said out loud', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    // budgetMs 4 s: a placeholder is stale after 2·4 + 5 + 2.5 + 5 = 20.5 s (src/queue/lock-timings.ts).
    const drill = await startDrill({
      gateways: 50,
      servers: 5,
      rpcDelayMs: 1_500,
      redisEnv: { REDIS_URL: redis.url },
      queue: { concurrency: 10 },
      timeouts: { budgetMs: 4_000 },
      alertsChannel: true,
    });
    cleanups.push(() => drill.close());
    const bot = drill.start('bot');
    const worker = drill.start('worker');
    await Promise.all([drill.botConnected(), worker.waitForLog((line) => line.msg === 'clawops started')]);
    // At boot: a warning in the log of each process, and one post in the alerts channel.
    for (const child of [bot, worker])
      await child.waitForLog((line) => line.level === LEVEL.warn && /^Redis keeps nothing across a restart/.test(line.msg), 10_000);

    await drill.check(drill.names);
    await drill.waitForTally((tally) => counts(tally).missing === 0, 20_000);
    await until(() => connects(drill) >= 10, 20_000, 'checks in flight');
    await redis.stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.restart();
    const back = Date.now();

    const tally = await drill.waitForTally((entries) => counts(entries).pending === 0, 60_000);
    const result = counts(tally);
    expect(result.pending).toBe(0);
    expect(result.duplicates).toBe(0);
    expect(result.missing).toBe(0);
    expect(result.failed).toBe(0);
    expect(result.verdicts + result.apologies).toBe(50);
    // Most of the queue died with Redis; each of those says so, with a Re-run button.
    expect(result.apologies).toBeGreaterThan(10);
    for (const entry of tally.filter((item) => item.final === 'apology')) {
      expect(entry.text).toMatch(/lost the queued check: its Redis restarted without persistence/);
      expect(JSON.stringify(entry.messages[0]!.blocks)).toContain('gateway_rerun');
    }
    // Stale after 20.5 s, swept every ~4 s: answered well within 40 s of Redis coming back.
    expect(Math.max(...tally.map((entry) => entry.answeredAt ?? 0)) - back).toBeLessThan(40_000);
    // The new, empty Redis is soft ground too: warned again, and posted once more (once per Redis instance).
    await bot.waitForLog((line) => line.msg === 'Redis was restarted or replaced since the last connection', 10_000);
    const warnings = (drill.emu.messages.get(ALERTS.id) ?? []).filter((message) => /Redis keeps nothing/.test(message.text ?? ''));
    expect(warnings).toHaveLength(2);
  });
});
