/**
 * The alert monitor on real Redis with an injected clock: thresholds, reminders, the resolve, a
 * restart in the middle of an incident, duplicate probes, the lost-network suppression, and a
 * crash between deciding and saving — each decision becomes exactly one job on the alerts queue.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createMonitor, type Monitor } from '../../src/features/monitoring/alerts/monitor.js';
import { alertJobId, createAlertEnqueuer } from '../../src/features/monitoring/alerts/post-job.js';
import type { AlertPost } from '../../src/features/monitoring/alerts/policy.js';
import { createLogger } from '../../src/log.js';
import { QUEUES } from '../../src/queue/names.js';
import { createAlertStateStore, type AlertStateStore } from '../../src/features/monitoring/state/alert-state.js';
import { createIncidentLog } from '../../src/features/monitoring/state/incidents.js';
import { createMaintenanceStore } from '../../src/features/monitoring/state/maintenance.js';
import { authRejected, healthy, resultOf, tcpFailure } from '../support/monitoring-reports.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');
const MIN = 60_000;
const T0 = Date.UTC(2026, 8, 15, 10, 0);

interface Setup {
  prefix: string;
  redis: Redis;
  queue: Queue;
  clock: { now: number };
  monitor(overrides?: { store?: AlertStateStore; watched?: string[] }): Monitor;
  jobs(): Promise<Array<{ id: string; post: AlertPost }>>;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function setup(): Setup {
  const prefix = uniquePrefix('monitor');
  const redis = new Redis(redisUrl);
  const queue = new Queue(QUEUES.alerts, { connection: { url: redisUrl }, prefix });
  cleanups.push(async () => {
    await queue.close();
    redis.disconnect();
    await deleteKeysWithPrefix(redisUrl, prefix);
  });
  const clock = { now: T0 };
  return {
    prefix,
    redis,
    queue,
    clock,
    // A new monitor over new store objects is what a restarted process builds.
    monitor: (overrides = {}) =>
      createMonitor({
        store: overrides.store ?? createAlertStateStore({ redis, prefix }),
        incidents: createIncidentLog({ redis, prefix, retentionMs: 8 * 24 * 60 * MIN }),
        maintenance: createMaintenanceStore({ redis, prefix }),
        policy: { failureThreshold: 3, successThreshold: 2, reminderIntervalMs: 60 * MIN },
        canPost: true,
        watched: () => overrides.watched ?? ['prod'],
        intervalMs: () => MIN,
        enqueue: createAlertEnqueuer({ queue, channel: '#ops-alerts' }),
        now: () => clock.now,
        logger: createLogger({ level: 'silent' }),
      }),
    jobs: async () =>
      (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']))
        .map((job) => ({ id: job.id!, post: job.data.post as AlertPost }))
        .sort((a, b) => a.post.at - b.post.at || a.id.localeCompare(b.id)),
  };
}

/** One scheduled result at the clock's minute `minute`. */
async function observe(s: Setup, monitor: Monitor, minute: number, report: (at: { at: number; name?: string }) => ReturnType<typeof healthy>, name = 'prod') {
  s.clock.now = T0 + minute * MIN;
  return monitor.observe(resultOf(report({ at: s.clock.now, name })));
}

describe('the alert monitor', () => {
  it('alerts once after the threshold, reminds in the thread, survives a restart without re-alerting, resolves', async () => {
    const s = setup();
    let monitor = s.monitor();
    const refused = (at: { at: number }) => tcpFailure('refused', at);
    expect((await observe(s, monitor, 0, refused)).posts).toEqual([]);
    expect((await observe(s, monitor, 1, refused)).posts).toEqual([]);
    expect((await observe(s, monitor, 2, refused)).posts.map((post) => post.kind)).toEqual(['alert']);
    await observe(s, monitor, 3, refused);

    // clawops restarts in the middle of the incident.
    monitor = s.monitor();
    expect((await observe(s, monitor, 4, refused)).posts).toEqual([]);
    expect((await observe(s, monitor, 62, refused)).posts.map((post) => post.kind)).toEqual(['reminder']);
    expect((await observe(s, monitor, 63, authRejected)).posts.map((post) => post.kind)).toEqual(['verdict-changed']);
    await observe(s, monitor, 64, healthy);
    monitor = s.monitor();
    expect((await observe(s, monitor, 65, healthy)).posts.map((post) => post.kind)).toEqual(['resolved']);

    const incident = `prod-${T0}`;
    expect((await s.jobs()).map((job) => job.id)).toEqual([
      alertJobId({ kind: 'alert', incidentId: incident }),
      `alert-${incident}-reminder-1`,
      `alert-${incident}-verdict-changed-1`,
      `alert-${incident}-resolved`,
    ]);
    const jobs = await s.jobs();
    expect(jobs[0]!.post).toMatchObject({ kind: 'alert', subject: 'prod', verdict: 'refused', startedAt: T0, failures: 3 });
    expect(jobs[3]!.post).toMatchObject({ kind: 'resolved', startedAt: T0, endedAt: T0 + 64 * MIN });
    // The alert job carries the report (names and evidence, not a token).
    const alertJob = await s.queue.getJob(jobs[0]!.id);
    expect(alertJob?.data.report.gateway.name).toBe('prod');
    expect(alertJob?.data.channel).toBe('#ops-alerts');
  });

  it('the same probe seen twice (coalesced) counts once', async () => {
    const s = setup();
    const monitor = s.monitor();
    const report = tcpFailure('refused', { at: T0 });
    await monitor.observe(resultOf(report));
    expect(await monitor.observe(resultOf(report))).toEqual({ posts: [], skipped: 'duplicate' });
    await observe(s, monitor, 1, (at) => tcpFailure('refused', at));
    expect((await s.jobs()).length).toBe(0);
  });

  it('every gateway unreachable at once: one "clawops lost its network" alert, no gateway alerts', async () => {
    const s = setup();
    const monitor = s.monitor({ watched: ['a', 'b'] });
    const timeout = (at: { at: number; name?: string }) => tcpFailure('timeout', at);
    let minute = 0;
    for (let round = 0; round < 4; round++) {
      await observe(s, monitor, minute++, timeout, 'a');
      await observe(s, monitor, minute++, timeout, 'b');
    }
    const jobs = await s.jobs();
    expect(jobs.map((job) => [job.post.kind, job.post.subject, job.post.verdict])).toEqual([['alert', '_network', 'unreachable']]);
    // Back: the network's resolve, still no gateway alert.
    await observe(s, monitor, minute++, healthy, 'a');
    await observe(s, monitor, minute++, healthy, 'b');
    expect((await s.jobs()).map((job) => [job.post.kind, job.post.subject])).toEqual([
      ['alert', '_network'],
      ['resolved', '_network'],
    ]);
  });

  it('a crash after enqueuing but before saving: the repeated decision is the same job, not a second alert', async () => {
    const s = setup();
    const real = createAlertStateStore({ redis: s.redis, prefix: s.prefix });
    let failSave = false;
    const flaky: AlertStateStore = { ...real, saveIf: async (...args) => (failSave ? Promise.reject(new Error('crash before save')) : real.saveIf(...args)) };
    const monitor = s.monitor({ store: flaky });
    const refused = (at: { at: number }) => tcpFailure('refused', at);
    await observe(s, monitor, 0, refused);
    await observe(s, monitor, 1, refused);
    failSave = true;
    await expect(observe(s, monitor, 2, refused)).rejects.toThrow('crash before save');
    failSave = false;
    // The next result is the third failure again (the state was not saved): the same alert job.
    expect((await observe(s, monitor, 3, refused)).posts.map((post) => post.kind)).toEqual(['alert']);
    expect((await s.jobs()).map((job) => job.id)).toEqual([`alert-prod-${T0}`]);
  });

  it('results of one gateway evaluated at the same time are each counted once (the save that loses reads again)', async () => {
    const s = setup();
    // Two workers' monitors over the same Redis.
    const [one, two] = [s.monitor(), s.monitor()];
    s.clock.now = T0;
    await Promise.all([one.observe(resultOf(tcpFailure('refused', { at: T0 }))), two.observe(resultOf(tcpFailure('refused', { at: T0 + 1 })))]);
    await Promise.all([one.observe(resultOf(tcpFailure('refused', { at: T0 + 2 }))), two.observe(resultOf(tcpFailure('refused', { at: T0 + 3 })))]);
    const stored = (await createAlertStateStore({ redis: s.redis, prefix: s.prefix }).get(['prod'])).get('prod');
    expect(stored?.state).toMatchObject({ phase: 'down', failures: 4 });
    expect((await s.jobs()).map((job) => job.id)).toEqual([`alert-prod-${T0}`]);
  });

  it('maintenance silences the alert; the first result after the window alerts if still down', async () => {
    const s = setup();
    const monitor = s.monitor();
    await createMaintenanceStore({ redis: s.redis, prefix: s.prefix }).start('prod', { startedAt: T0, until: T0 + 10 * MIN, by: 'U0ONCALL' });
    for (let minute = 0; minute < 10; minute++) await observe(s, monitor, minute, (at) => tcpFailure('refused', at));
    expect(await s.jobs()).toEqual([]);
    await observe(s, monitor, 10, (at) => tcpFailure('refused', at));
    expect((await s.jobs()).map((job) => [job.post.kind, job.post.startedAt])).toEqual([['alert', T0]]);
  });
});
