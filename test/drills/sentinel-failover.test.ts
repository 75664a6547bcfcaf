/**
 * Drill: Redis high availability on Redis's own engine. A master, a replica and three sentinels
 * (real redis-server and redis-sentinel processes on free ports); bot, worker and agent find the
 * master through REDIS_SENTINELS. The master is killed while checks are being sent: every check
 * sent during the failover is answered exactly once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSentinelGroup } from '../support/redis-sentinel.js';
import { counts, startDrill } from './support/drill.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('the Redis master dies and Sentinel promotes the replica', () => {
  it('checks sent before, during and after the failover are each answered once, by bot and worker that followed the new master', async () => {
    const group = await startSentinelGroup();
    cleanups.push(() => group.stop());
    const drill = await startDrill({
      gateways: 24,
      servers: 3,
      rpcDelayMs: 800,
      redisEnv: { REDIS_SENTINELS: group.sentinels, REDIS_SENTINEL_NAME: group.name },
      agent: true,
    });
    cleanups.push(() => drill.close());
    const bot = drill.start('bot');
    const worker = drill.start('worker');
    const agent = drill.start('agent');
    await Promise.all([
      drill.botConnected(),
      worker.waitForLog((line) => line.msg === 'clawops started'),
      agent.waitForLog((line) => line.msg === 'host agent started'),
    ]);
    // Each found the master through the sentinels (the log says where, never with a password).
    for (const child of [bot, worker, agent])
      await child.waitForLog((line) => line.msg === 'Redis reachable' && String(line.redis).startsWith(`sentinel ${group.name} via 127.0.0.1:`), 10_000);

    // 24 commands over ~3.6 s; the master is killed after the sixth.
    const sending = drill.check(drill.names, { spacingMs: 150 });
    await new Promise((resolve) => setTimeout(resolve, 6 * 150));
    const failover = await group.killMasterAndWaitForFailover();
    await sending;

    const tally = await drill.waitForTally((entries) => counts(entries).pending === 0 && counts(entries).missing === 0, 60_000);
    const result = counts(tally);
    // Exactly one message per command, none left "Checking…", no duplicates, none refused.
    expect(result).toEqual({ checks: 24, verdicts: 24, apologies: 0, failed: 0, pending: 0, missing: 0, duplicates: 0 });
    // Every one was accepted (an enqueue waits out the failover) and got its verdict.
    expect(tally.every((entry) => /^✅ gw-\d{3} healthy/.test(entry.text))).toBe(true);
    expect(failover.tookMs).toBeLessThan(10_000);
    // Everyone followed the new master.
    for (const child of [bot, worker, agent]) await child.waitForLog((line) => line.msg === 'Redis reachable again', 15_000);
    expect(await group.masterPort()).toBe(failover.to);
  });
});
