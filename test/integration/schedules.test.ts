/**
 * Job schedulers follow the config: created at boot, updated when an interval or digest changes,
 * removed when a gateway leaves — on real Redis, with BullMQ's own scheduler API.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { desiredSchedules, jitterOffset, reconcileSchedules } from '../../jobs/schedules.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import { QUEUES } from '../../src/queue/names.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');
const logger = createLogger({ level: 'silent' });

const config = (gateways: Record<string, Record<string, unknown>>, monitoring: Record<string, unknown> = {}) =>
  ConfigSchema.parse({
    monitoring,
    gateways: Object.fromEntries(Object.entries(gateways).map(([name, extra]) => [name, { url: `ws://${name}.example:18789`, ...extra }])),
  });

describe('schedules reconciled with the config', () => {
  const prefix = uniquePrefix('schedules');
  let queue: Queue;
  beforeAll(() => {
    queue = new Queue(QUEUES.monitor, { connection: { url: redisUrl }, prefix });
  });
  afterAll(async () => {
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await deleteKeysWithPrefix(redisUrl, prefix);
  });

  const schedulers = async () =>
    Object.fromEntries(
      (await queue.getJobSchedulers(0, -1)).map((scheduler) => [
        scheduler.key,
        { every: scheduler.every, offset: scheduler.offset, pattern: scheduler.pattern, tz: scheduler.tz, name: scheduler.name },
      ]),
    );

  const ids = (all: Record<string, unknown>) => ({
    checks: Object.keys(all)
      .filter((key) => !key.startsWith('digest-'))
      .sort(),
    digests: Object.keys(all).filter((key) => key.startsWith('digest-')).length,
  });

  it('creates one per gateway and digest, updates what changed, removes what left, and leaves others alone', async () => {
    // A scheduler that is not ours (another part of clawops) survives every reconciliation.
    await queue.upsertJobScheduler('tailnet-poll', { every: 300_000 }, { name: 'tailnet-poll' });

    const first = config(
      { prod: {}, staging: {}, lab: { checkIntervalSeconds: 300 } },
      { digests: [{ cron: '0 9 * * 1-5', tz: 'Europe/Berlin', channel: '#ops' }] },
    );
    await reconcileSchedules(queue, desiredSchedules(first), logger);
    let now = await schedulers();
    expect(ids(now)).toEqual({ checks: ['check-lab', 'check-prod', 'check-staging', 'tailnet-poll'], digests: 1 });
    expect(now['check-prod']).toEqual({ every: 60_000, offset: jitterOffset('prod', 60_000), pattern: undefined, tz: undefined, name: 'scheduled-check' });
    expect(now['check-lab']).toMatchObject({ every: 300_000, offset: jitterOffset('lab', 300_000) });
    const digestId = Object.keys(now).find((key) => key.startsWith('digest-'))!;
    expect(now[digestId]).toMatchObject({ pattern: '0 9 * * 1-5', tz: 'Europe/Berlin', name: 'digest' });
    // Each scheduler has its next job waiting, delayed to its jittered slot.
    const delayed = await queue.getDelayed();
    expect(
      delayed
        .filter((job) => job.name === 'scheduled-check')
        .map((job) => job.data.gateway)
        .sort(),
    ).toEqual(['lab', 'prod', 'staging']);

    // Boot again with the same config: nothing changes.
    await reconcileSchedules(queue, desiredSchedules(first), logger);
    expect(await schedulers()).toEqual(now);

    // staging leaves, prod checks every 30 s, a new gateway joins, the digest moves to 08:30.
    const second = config(
      { prod: { checkIntervalSeconds: 30 }, lab: { checkIntervalSeconds: 300 }, edge: {} },
      { digests: [{ cron: '30 8 * * 1-5', tz: 'Europe/Berlin', channel: '#ops' }] },
    );
    const result = await reconcileSchedules(queue, desiredSchedules(second), logger);
    expect(result.removed.sort()).toEqual(['check-staging', digestId].sort());
    now = await schedulers();
    expect(ids(now)).toEqual({ checks: ['check-edge', 'check-lab', 'check-prod', 'tailnet-poll'], digests: 1 });
    expect(now['check-prod']).toMatchObject({ every: 30_000, offset: jitterOffset('prod', 30_000) });
    expect(Object.values(now).find((scheduler) => scheduler.name === 'digest')).toMatchObject({ pattern: '30 8 * * 1-5' });
    expect((await queue.getDelayed()).some((job) => job.data.gateway === 'staging')).toBe(false);

    // Monitoring switched off: every schedule of ours goes.
    await reconcileSchedules(queue, desiredSchedules(config({ prod: {} }, { enabled: false })), logger);
    expect(Object.keys(await schedulers())).toEqual(['tailnet-poll']);
  });
});
