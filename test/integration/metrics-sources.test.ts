/**
 * What /metrics reads from Redis, on real Redis and real BullMQ queues: the last states, the alert
 * phases, the open offboarding checklists and the queue depths — read once per `metrics.cacheSeconds`
 * however often it is scraped, and kept (with `clawops_metrics_source_up 0`) when Redis stops answering.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ConfigSchema } from '../../src/config/schema.js';
import { createMetricsFeature } from '../../src/features/metrics/index.js';
import { wireMetricsSources } from '../../src/app/metrics-sources.js';
import { createLogger } from '../../src/log.js';
import { OffboardingSchema } from '../../src/features/offboarding/model.js';
import { createOffboardingStore } from '../../src/features/offboarding/store.js';
import { QUEUES } from '../../src/queue/names.js';
import { createProducerConnection } from '../../src/queue/connection.js';
import { createAlertStateStore } from '../../src/features/monitoring/state/alert-state.js';
import { createLastStateStore } from '../../src/state/last-state.js';
import { deleteKeysWithPrefix, startPrivateRedis, uniquePrefix } from '../support/redis-server.js';
import { authRejected, healthy, resultOf } from '../support/monitoring-reports.js';

const redisUrl = inject('redisUrl');
const prefix = uniquePrefix('metrics');
const logger = createLogger({ level: 'silent' });
const config = ConfigSchema.parse({
  gateways: { prod: { url: 'ws://127.0.0.1:18789' }, staging: { url: 'ws://127.0.0.1:18790' } },
  offboarding: { channel: '#ops' },
  metrics: { cacheSeconds: 5 },
});
let redis: Redis;

beforeAll(() => {
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis?.disconnect();
  await deleteKeysWithPrefix(redisUrl, prefix);
});

const value = (text: string, series: string) => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics sources on real Redis', () => {
  it('exports the last states, alert phases, open checklists and queue depths', async () => {
    let clock = Date.now();
    const feature = createMetricsFeature({ config, logger, role: 'start', now: () => clock });
    const lastState = createLastStateStore({ redis, prefix });
    const alerts = createAlertStateStore({ redis, prefix });
    await lastState.record(resultOf(healthy({ name: 'prod', at: clock - 60_000 })));
    await lastState.record(resultOf(authRejected({ name: 'staging', at: clock - 30_000 })));
    await redis.hset(
      `${prefix}:alerts:state`,
      'staging',
      JSON.stringify({
        state: {
          phase: 'down',
          failures: 3,
          successes: 0,
          firstFailureAt: clock - 180_000,
          incident: { id: 'staging-1', startedAt: clock - 180_000, downAt: clock - 60_000, verdict: 'auth-rejected', alerted: true, reminders: 0, changes: 0 },
        },
      }),
    );
    const store = createOffboardingStore({ redis, prefix });
    await store.create(
      OffboardingSchema.parse({
        id: '00000001-0000-4000-8000-000000000000',
        subject: { login: 'departed@example.test' },
        trigger: { kind: 'command' },
        openedAt: clock - 2 * 3_600_000,
        devices: [],
        groups: [],
        review: { tagOwners: [], tests: [], acls: 0, grants: 0 },
        gateways: [],
      }),
    );
    const checks = new Queue(QUEUES.checks, { connection: redis, prefix });
    await checks.add('check-request', { n: 1 });
    await checks.add('check-request', { n: 2 });
    await checks.add('check-request', { n: 3 }, { delay: 60_000 });
    const close = wireMetricsSources(feature, { config, redis, prefix, lastState, alerts });
    try {
      const text = await feature.scrape();
      expect(value(text, 'clawops_gateway_up{gateway="prod"}')).toBe(1);
      expect(value(text, 'clawops_gateway_up{gateway="staging"}')).toBe(0);
      expect(value(text, 'clawops_gateway_state{gateway="staging",state="unhealthy"}')).toBe(1);
      expect(value(text, 'clawops_gateway_verdict_info{gateway="staging",id="auth-rejected"}')).toBe(1);
      expect(value(text, 'clawops_gateway_version_info{gateway="prod",version="2026.9.6"}')).toBe(1);
      expect(value(text, 'clawops_gateway_last_success_timestamp_seconds{gateway="prod"}')).toBeCloseTo((clock - 60_000) / 1_000, 0);
      expect(value(text, 'clawops_gateway_last_success_timestamp_seconds{gateway="staging"}')).toBeUndefined();
      expect(value(text, 'clawops_alert_state{gateway="staging",state="down"}')).toBe(1);
      expect(value(text, 'clawops_alert_incidents_open')).toBe(1);
      expect(value(text, 'clawops_offboarding_checklists_open')).toBe(1);
      expect(value(text, 'clawops_offboarding_oldest_checklist_age_seconds')).toBeCloseTo(7_200, 0);
      expect(value(text, 'clawops_queue_jobs{queue="checks",state="waiting"}')).toBe(2);
      expect(value(text, 'clawops_queue_jobs{queue="checks",state="delayed"}')).toBe(1);
      expect(value(text, 'clawops_queue_jobs{queue="posts",state="waiting"}')).toBe(0);
      expect(value(text, 'clawops_metrics_source_up{source="queues"}')).toBe(1);

      // Within the cache interval a scrape reads nothing: a new job shows only once it has passed.
      await checks.add('check-request', { n: 4 });
      for (let scrape = 0; scrape < 5; scrape++) expect(value(await feature.scrape(), 'clawops_queue_jobs{queue="checks",state="waiting"}')).toBe(2);
      clock += 5_000;
      expect(value(await feature.scrape(), 'clawops_queue_jobs{queue="checks",state="waiting"}')).toBe(3);
    } finally {
      await close();
      await checks.close();
    }
  });

  it('reads each queue once per cache interval, however many scrapes (not per scrape per job)', async () => {
    let clock = Date.now();
    const feature = createMetricsFeature({ config, logger, role: 'worker', now: () => clock });
    const calls: string[] = [];
    const queue = new Queue(QUEUES.posts, { connection: redis, prefix });
    feature.attachQueues([
      {
        name: queue.name,
        getJobCounts: (...states: string[]) => (calls.push(queue.name), queue.getJobCounts(...(states as Parameters<Queue['getJobCounts']>))),
      },
    ]);
    try {
      await Promise.all(Array.from({ length: 20 }, () => feature.scrape()));
      for (let scrape = 0; scrape < 10; scrape++) await feature.scrape();
      expect(calls).toEqual(['posts']);
      clock += 5_000;
      await Promise.all(Array.from({ length: 5 }, () => feature.scrape()));
      expect(calls).toEqual(['posts', 'posts']);
    } finally {
      await queue.close();
    }
  });

  it('keeps the last values and says the source is down when Redis stops answering', async () => {
    const own = await startPrivateRedis();
    // The fail-fast state connection the runtime gives the metrics sources.
    const connection = createProducerConnection(own.url);
    connection.on('error', () => undefined);
    await new Promise<void>((resolve) => (connection.status === 'ready' ? resolve() : connection.once('ready', () => resolve())));
    let clock = Date.now();
    const feature = createMetricsFeature({ config, logger, role: 'start', now: () => clock });
    const lastState = createLastStateStore({ redis: connection, prefix });
    await lastState.record(resultOf(healthy({ name: 'prod' })));
    const close = wireMetricsSources(feature, { config, redis: connection, prefix, lastState, alerts: createAlertStateStore({ redis: connection, prefix }) });
    try {
      const before = await feature.scrape();
      expect(value(before, 'clawops_gateway_up{gateway="prod"}')).toBe(1);
      expect(value(before, 'clawops_metrics_source_up{source="state"}')).toBe(1);
      await own.stop();
      clock += 10_000;
      const after = await feature.scrape();
      expect(value(after, 'clawops_metrics_source_up{source="state"}')).toBe(0);
      expect(value(after, 'clawops_metrics_source_up{source="queues"}')).toBe(0);
      expect(value(after, 'clawops_gateway_up{gateway="prod"}')).toBe(1);
    } finally {
      await close();
      connection.disconnect();
      await own.stop().catch(() => undefined);
    }
  });
});
