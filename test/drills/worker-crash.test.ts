/**
 * Drill: a worker is SIGKILLed mid-check while another runs. With the lock timings derived from
 * the default 15 s budget (lock 10 s, stalled sweep every 5 s), the other worker takes the check
 * over and answers it exactly once within 20 s of the kill (BullMQ's defaults made it 65 s).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../support/redis-server.js';
import { lockTimingsFor } from '../../src/queue/lock-timings.js';
import { DEFAULT_TIMEOUTS } from '../../src/config/fields.js';
import { counts, startDrill } from './support/drill.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('a worker killed mid-check', () => {
  it('is replaced by another within 20 s: one verdict, posted once', async () => {
    expect(lockTimingsFor(DEFAULT_TIMEOUTS.budgetMs)).toEqual({ lockDurationMs: 10_000, stalledIntervalMs: 5_000 });
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    // The first probe's RPCs hang (up to the 15 s budget): its worker is certainly mid-check when it
    // dies, however slow this machine is. The take-over probe then finds a healthy Gateway.
    const drill = await startDrill({
      gateways: 1,
      servers: 1,
      rpcDelayMs: 30_000,
      timeouts: { rpcMs: 14_000, channelsMs: 14_000 },
      redisEnv: { REDIS_URL: redis.url },
    });
    cleanups.push(() => drill.close());
    drill.start('bot');
    const first = drill.start('worker', { name: 'worker-1' });
    await Promise.all([drill.botConnected(), first.waitForLog((line) => line.msg === 'clawops started')]);

    await drill.check(drill.names);
    const gateway = drill.servers[0]!;
    await gateway.waitForConnects(1);
    gateway.setMode('healthy');
    // The second worker is up before the first dies (as in production: several workers run).
    const second = drill.start('worker', { name: 'worker-2' });
    await second.waitForLog((line) => line.msg === 'clawops started');
    expect(gateway.connects).toHaveLength(1);
    const killedAt = first.signal('SIGKILL');
    await first.exited;

    const [entry] = await drill.waitForTally((tally) => counts(tally).pending === 0, 30_000);
    expect(entry!.final).toBe('verdict');
    expect(entry!.text).toMatch(/^✅ gw-000 healthy/);
    expect(entry!.answeredAt! - killedAt).toBeLessThan(20_000);
    // Exactly once: one message, updated once with a verdict, and one take-over probe.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const [after] = drill.tally();
    expect(after!.messages).toHaveLength(1);
    expect(after!.messages[0]!.edits).toHaveLength(1);
    expect(gateway.connects).toHaveLength(2);
  });
});
