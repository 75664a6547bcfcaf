/**
 * Posting alert decisions and digests, with real BullMQ job state on real Redis and a recording
 * poster: the alert becomes the thread, follow-ups wait for it and go in it, a follow-up of an
 * alert that was never posted goes to the channel, and a retried post is not posted twice.
 */
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AlertNotPostedYet, createPostAlertProcessor } from '../../jobs/post-alert.js';
import { createDigestProcessor } from '../../jobs/digest.js';
import { alertJobId, alertJobOptions, type AlertPostJob } from '../../src/features/monitoring/alerts/post-job.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import { createMonitoring } from '../../src/features/monitoring/services.js';
import { JOBS, QUEUES } from '../../src/queue/names.js';
import { createAlertStateStore } from '../../src/features/monitoring/state/alert-state.js';
import { createLastStateStore } from '../../src/state/last-state.js';
import { authRejected } from '../support/monitoring-reports.js';
import type { CheckEnrichment } from '../../src/render/enrichment.js';
import { code, md } from '../../src/render/slack-text.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';
import { recordingPoster } from '../support/recording-poster.js';

const redisUrl = inject('redisUrl');
const T0 = Date.UTC(2026, 8, 15, 10, 0);
const INCIDENT = `prod-${T0}`;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function setup(options: { enrichment?: CheckEnrichment } = {}) {
  const prefix = uniquePrefix('alert-posting');
  const redis = new Redis(redisUrl);
  const queue = new Queue(QUEUES.alerts, { connection: { url: redisUrl }, prefix });
  cleanups.push(async () => {
    await queue.close();
    redis.disconnect();
    await deleteKeysWithPrefix(redisUrl, prefix);
  });
  const poster = recordingPoster();
  const post = createPostAlertProcessor({
    poster,
    threads: createAlertStateStore({ redis, prefix }),
    queue,
    redis,
    prefix,
    reminderIntervalMs: 3_600_000,
    ...(options.enrichment ? { enrichment: options.enrichment } : {}),
    logger: createLogger({ level: 'silent' }),
  });
  const job = (data: AlertPostJob, id: string) => ({ id, data }) as unknown as Job;
  return { prefix, redis, queue, poster, post, job };
}

const base = { subject: 'prod', incidentId: INCIDENT, verdict: 'auth-rejected', startedAt: T0, at: T0 + 180_000 };
const alert: AlertPostJob = { post: { ...base, kind: 'alert', failures: 3 }, channel: '#ops', report: authRejected({ at: T0 }) };
const reminder: AlertPostJob = { post: { ...base, kind: 'reminder', n: 1, at: T0 + 3_700_000 }, channel: '#ops' };

describe('posting alerts', () => {
  it('the alert shows the enrichment’s lines beside its verdict (what changed since the last good check)', async () => {
    const s = setup({
      enrichment: {
        annotationsFor: async (report) => [
          { slack: md`🧬 since last good: version ${code('2026.9.2')} → ${code('2026.9.6')}`, terminal: `since last good (${report.gateway.name})` },
        ],
      },
    });
    await s.post(s.job(alert, alertJobId(alert.post)));
    expect(s.poster.posted).toHaveLength(1);
    expect(s.poster.posted[0]!.blocks).toContain('since last good: version `2026.9.2` → `2026.9.6`');
  });

  it('a run after a failed attempt or a stall looks for its own post first; a first run does not', async () => {
    const s = setup();
    const asked: Array<number | undefined> = [];
    const post = s.poster.post.bind(s.poster);
    s.poster.post = async (target, message, options) => {
      asked.push(options?.reconcileSinceMs);
      return post(target, message, options);
    };
    const created = T0 + 200_000;
    const run = (attempts: { attemptsMade: number; attemptsStarted: number }, id: string) =>
      s.post({ id, data: alert, timestamp: created, ...attempts } as unknown as Job);
    await run({ attemptsMade: 0, attemptsStarted: 1 }, 'alert-first');
    await run({ attemptsMade: 1, attemptsStarted: 2 }, 'alert-failed-once');
    // A worker killed mid-post: BullMQ restarts the stalled job without counting a failure.
    await run({ attemptsMade: 0, attemptsStarted: 2 }, 'alert-stalled');
    expect(asked).toEqual([undefined, created, created]);
  });

  it('the alert opens the thread; a follow-up goes in it; a retry posts nothing twice', async () => {
    const s = setup();
    await s.post(s.job(alert, alertJobId(alert.post)));
    await s.post(s.job(alert, alertJobId(alert.post))); // retried after a lost ack
    await s.post(s.job(reminder, 'alert-r-1'));
    await s.post(s.job(reminder, 'alert-r-1'));
    expect(s.poster.posted.map((post) => [post.channel, post.threadTs, post.text.slice(0, 18)])).toEqual([
      ['C0OPS', undefined, '🚨 prod is DOWN: p'],
      ['C0OPS', '1700000000.000001', '⏰ prod still DOWN '],
    ]);
  });

  it('a follow-up whose alert is still queued waits (retried), and is never posted alone', async () => {
    const s = setup();
    await s.queue.add(JOBS.postAlert, alert, { ...alertJobOptions(alertJobId(alert.post)), delay: 60_000 });
    await expect(s.post(s.job(reminder, 'alert-r-1'))).rejects.toBeInstanceOf(AlertNotPostedYet);
    expect(s.poster.posted).toEqual([]);
  });

  it('a follow-up whose alert was never posted goes to the channel', async () => {
    const s = setup();
    await s.post(s.job(reminder, 'alert-r-1'));
    expect(s.poster.posted.map((post) => [post.channel, post.threadTs])).toEqual([['C0OPS', undefined]]);
  });
});

describe('posting the scheduled digest', () => {
  it('covers the time since the previous digest of its schedule, 24 h the first time, and posts once per firing', async () => {
    const s = setup();
    const config = ConfigSchema.parse({ gateways: { prod: { url: 'ws://prod.example:18789' } } });
    const clock = { now: T0 };
    const monitoring = createMonitoring({
      config,
      redis: s.redis,
      prefix: s.prefix,
      lastState: createLastStateStore({ redis: s.redis, prefix: s.prefix }),
      sections: () => [],
      now: () => clock.now,
    });
    const periods: Array<[number, number]> = [];
    const recording = {
      ...monitoring,
      digest: async (request: Parameters<typeof monitoring.digest>[0]) => (periods.push([request.fromMs, request.toMs]), monitoring.digest(request)),
    };
    const runDigest = createDigestProcessor({ monitoring: recording, poster: s.poster, redis: s.redis, prefix: s.prefix, now: () => clock.now });
    const data = { id: 'digest-abc', cron: '0 9 * * 1-5', tz: 'Europe/Berlin', channel: '#ops' };
    const firing = (id: string) => ({ id, data, timestamp: clock.now }) as unknown as Job;

    await runDigest(firing('repeat:digest-abc:1'));
    await runDigest(firing('repeat:digest-abc:1')); // the same firing, retried
    clock.now = T0 + 3 * 24 * 3_600_000; // Friday → Monday
    await runDigest(firing('repeat:digest-abc:2'));

    expect(periods).toEqual([
      [T0 - 24 * 3_600_000, T0],
      [T0, T0 + 3 * 24 * 3_600_000],
    ]);
    expect(s.poster.posted.map((post) => [post.channel, post.text.slice(0, 17)])).toEqual([
      ['C0OPS', '📋 Gateway digest'],
      ['C0OPS', '📋 Gateway digest'],
    ]);
  });
});
