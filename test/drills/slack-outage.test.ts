/**
 * Drill: Slack answers 5xx on chat.update for 70 s — the verdicts are held, not dropped, and posted
 * when Slack is back. The real numbers: a 70 s outage against the default 15-minute post window
 * (the old 6 attempts gave up after ≈ 31 s and posted nothing).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../support/redis-server.js';
import { MAX_POST_DELAY_MS } from '../../src/queue/post-retry.js';
import { counts, startDrill } from './support/drill.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const OUTAGE_MS = 70_000;

describe('Slack answers 5xx on chat.update for 70 s', () => {
  it('nothing is lost: all 5 verdicts are posted in place after the outage ends, once each', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const drill = await startDrill({ gateways: 5, servers: 1, redisEnv: { REDIS_URL: redis.url } });
    cleanups.push(() => drill.close());
    drill.start('bot');
    const worker = drill.start('worker');
    await Promise.all([drill.botConnected(), worker.waitForLog((line) => line.msg === 'clawops started')]);

    const outageEnds = drill.proxy.outage('chat.update', 503, OUTAGE_MS);
    await drill.check(drill.names);
    await drill.waitForTally((tally) => counts(tally).missing === 0, 20_000);

    // Half-way through, nothing answered yet, nothing given up on, and no apology from the sweeper
    // (its post jobs are waiting out the outage: "on its way").
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
    expect(counts(drill.tally()).pending).toBe(5);
    expect(drill.proxy.callsTo('chat.update', 'outage').length).toBeGreaterThanOrEqual(10);

    const tally = await drill.waitForTally((entries) => counts(entries).pending === 0, OUTAGE_MS / 2 + 40_000);
    expect(counts(tally)).toEqual({ checks: 5, verdicts: 5, apologies: 0, failed: 0, pending: 0, missing: 0, duplicates: 0 });
    for (const entry of tally) {
      expect(entry.text).toMatch(/^✅ gw-\d{3} healthy/);
      // After the outage, within one backoff step (15 s at most) and a little.
      expect(entry.answeredAt!).toBeGreaterThanOrEqual(outageEnds);
      expect(entry.answeredAt! - outageEnds).toBeLessThan(MAX_POST_DELAY_MS + 5_000);
    }
    // One warning per held answer, no error (nothing was given up on), no flood of retries in the log.
    expect(worker.logs.filter((line) => line.msg.startsWith('posting to Slack failed'))).toHaveLength(5);
    expect(worker.logs.filter((line) => line.msg === 'gave up posting the answer to Slack')).toEqual([]);
  });
});
