/**
 * Diagnosis once per check, its result carried in job data: the check request diagnoses each report
 * with the enrichment's context (here: history's version change, on real Redis), records that same
 * result, and the post job carries it; the poster renders it without diagnosing again, and an old
 * post job without it (enqueued by an older worker) still parses and renders the same answer.
 * Scheduled checks likewise into the alert job. Real BullMQ queues and real monitoring stores.
 */
import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createCheckRequestProcessor } from '../../jobs/check-request.js';
import { renderPost } from '../../jobs/post-check-result.js';
import { createScheduledCheckProcessor } from '../../jobs/scheduled-check.js';
import { createPostAlertProcessor } from '../../jobs/post-alert.js';
import type { CheckResult } from '../../src/check/checker.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { diagnose, type Diagnose } from '../../src/diagnosis/diagnose.js';
import { carriedDiagnosis, DIAGNOSIS_TEXT_MAX } from '../../src/diagnosis/diagnosis-schema.js';
import { createAlertEnqueuer, AlertPostJobSchema } from '../../src/features/monitoring/alerts/post-job.js';
import { createMonitor } from '../../src/features/monitoring/alerts/monitor.js';
import { createMonitoring, type MonitoringServices } from '../../src/features/monitoring/services.js';
import { createLogger } from '../../src/log.js';
import { createCoalescer } from '../../src/queue/coalesce.js';
import { postJobId, QUEUES } from '../../src/queue/names.js';
import { PostCheckResultJobSchema } from '../../src/queue/payloads.js';
import { combineEnrichments } from '../../src/render/combined-enrichment.js';
import type { CheckEnrichment } from '../../src/render/enrichment.js';
import { code, md } from '../../src/render/slack-text.js';
import type { ProbeReport } from '../../src/report/report.js';
import { createLastStateStore } from '../../src/state/last-state.js';
import { authRejected, healthy, resultOf, tcpFailure } from '../support/monitoring-reports.js';
import { recordingPoster } from '../support/recording-poster.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');
const MIN = 60_000;
const T0 = Date.UTC(2026, 8, 15, 6, 0);
const VERSION_NOTE = 'the failure began with a version change 2026.9.2 → 2026.9.6';
const logger = createLogger({ level: 'silent' });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Every diagnosis the code under test makes, by gateway: it is handed this one, never imports its own. */
function countingDiagnose(): Diagnose & { calls: string[] } {
  const calls: string[] = [];
  return Object.assign((report: ProbeReport, context?: Parameters<Diagnose>[1]) => (calls.push(report.gateway.name), diagnose(report, context)), { calls });
}

/**
 * prod was up on 2026.9.2, then seen failing on 2026.9.6 (history, real Redis): its next failure's
 * diagnosis context says the failure began with that change. The fingerprint's part of the
 * enrichment is stood in for by a line beside every failing verdict.
 */
async function setup(reports: Record<string, ProbeReport>) {
  const prefix = uniquePrefix('check-diagnosis');
  const redis = new Redis(redisUrl);
  const posts = new Queue(QUEUES.posts, { connection: { url: redisUrl }, prefix });
  const alerts = new Queue(QUEUES.alerts, { connection: { url: redisUrl }, prefix });
  cleanups.push(async () => {
    await Promise.all([posts.close(), alerts.close()]);
    redis.disconnect();
    await deleteKeysWithPrefix(redisUrl, prefix);
  });
  const config = ConfigSchema.parse({
    gateways: { prod: { url: 'ws://prod.example:18789' }, staging: { url: 'ws://staging.example:18789' } },
    monitoring: { alerts: { channel: '#ops' } },
  });
  const monitoring: MonitoringServices = createMonitoring({
    config,
    redis,
    prefix,
    lastState: createLastStateStore({ redis, prefix }),
    sections: () => [],
    now: () => T0,
  });
  await monitoring.record(resultOf(healthy({ at: T0 - 2 * MIN, version: '2026.9.2' })), 'schedule');
  await monitoring.record(resultOf(authRejected({ at: T0 - MIN, version: '2026.9.6' })), 'schedule');
  const sinceLastGood: CheckEnrichment = {
    annotationsFor: async (_report, diagnosis) =>
      diagnosis.state === 'healthy' ? [] : [{ slack: md`🧬 since last good: version ${code('2026.9.2')} → ${code('2026.9.6')}`, terminal: 'since last good' }],
  };
  const enrichment = combineEnrichments(monitoring.enrichment, sinceLastGood);
  const coalescer = createCoalescer({
    redis,
    prefix,
    windowMs: 0,
    maxWaitMs: 5_000,
    run: async (gateway) => structuredClone(reports[gateway]!),
  });
  const recorded: CheckResult[] = [];
  const record = async (result: CheckResult, source: 'command' | 'schedule') => {
    recorded.push(result);
    await monitoring.record(result, source);
  };
  return { prefix, redis, posts, alerts, monitoring, enrichment, coalescer, recorded, record };
}

const checkJob = (gateways: string[]) =>
  ({
    data: {
      requestId: randomUUID(),
      gateways,
      requestedAt: T0,
      source: 'command',
      requestedBy: 'U0ONCALL',
      slack: { channel: 'C0INCIDENTS', ts: '1700000000.000100' },
    },
  }) as unknown as Job;

describe('a Slack check: one diagnosis, carried in the post job', () => {
  it('diagnoses each report once, with the context; the post job carries it, the poster renders it, history records it', async () => {
    const s = await setup({ prod: tcpFailure('refused', { at: T0 }), staging: healthy({ name: 'staging', at: T0 }) });
    const counted = countingDiagnose();
    const process = createCheckRequestProcessor({
      coalescer: s.coalescer,
      posts: s.posts,
      knownGateways: () => ['prod', 'staging'],
      gatewayConcurrency: 2,
      enrichment: s.enrichment,
      diagnose: counted,
      onReport: (result) => s.record(result, 'command'),
      logger,
    });
    const job = checkJob(['prod', 'staging']);
    await process(job);
    expect(counted.calls.sort()).toEqual(['prod', 'staging']);

    // The post job as Redis holds it: it parses, and carries one diagnosis per report, in order.
    const stored = await s.posts.getJob(postJobId((job.data as { requestId: string }).requestId));
    const data = PostCheckResultJobSchema.parse(stored!.data);
    expect(data.reports.map((report) => report.gateway.name)).toEqual(['prod', 'staging']);
    expect(data.diagnoses).toHaveLength(2);
    const [prod, staging] = data.diagnoses!;
    expect(prod!.verdicts[0]!.notes.join('\n')).toContain(VERSION_NOTE);
    expect(staging!.state).toBe('healthy');
    // What was recorded is what is posted: the same diagnosis, the context's note included.
    const recordedOf = (gateway: string) => s.recorded.find((result) => result.report.gateway.name === gateway)!.diagnosis;
    expect(prod).toEqual(recordedOf('prod'));
    expect(staging).toEqual(recordedOf('staging'));
    const [entry] = await s.monitoring.history.recent('prod', 1);
    expect(entry).toMatchObject({ at: T0, state: prod!.state, verdict: prod!.verdicts[0]!.id, source: 'command' });
    expect((await s.monitoring.lastState.all()).get('prod')).toMatchObject({ state: prod!.state, verdict: prod!.verdicts[0]!.id });

    // The poster renders the carried diagnoses: nothing is diagnosed again.
    const message = await renderPost(data, s.enrichment, counted);
    expect(counted.calls).toHaveLength(2);
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain(VERSION_NOTE);
    expect(blocks).toContain('since last good: version `2026.9.2` → `2026.9.6`');
    expect(message.text).toContain('prod UNHEALTHY: refused');

    // An old post job (no diagnoses) still parses, falls back to diagnosing, and reads the same.
    const { diagnoses: _dropped, ...old } = stored!.data as Record<string, unknown>;
    const oldData = PostCheckResultJobSchema.parse(old);
    expect(oldData.diagnoses).toBeUndefined();
    expect(await renderPost(oldData, s.enrichment, counted)).toEqual(message);
    expect(counted.calls).toHaveLength(4);
  });

  it('refuses diagnoses that are not one per report', async () => {
    const s = await setup({ prod: tcpFailure('refused', { at: T0 }), staging: healthy({ name: 'staging', at: T0 }) });
    const process = createCheckRequestProcessor({
      coalescer: s.coalescer,
      posts: s.posts,
      knownGateways: () => ['prod', 'staging'],
      gatewayConcurrency: 1,
      logger,
    });
    const job = checkJob(['prod', 'staging']);
    await process(job);
    const stored = (await s.posts.getJob(postJobId((job.data as { requestId: string }).requestId)))!.data as { diagnoses: unknown[] };
    const misaligned = PostCheckResultJobSchema.safeParse({ ...stored, diagnoses: stored.diagnoses.slice(0, 1) });
    expect(misaligned.success).toBe(false);
    expect(misaligned.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['diagnoses', 'diagnoses must be one per report']]);
  });

  it('a diagnosis beyond the job-data bounds is not carried: the post job diagnoses again, and still answers', async () => {
    const s = await setup({ prod: tcpFailure('refused', { at: T0 }) });
    const oversized: Diagnose = (report, context) => ({ ...diagnose(report, context), headline: 'x'.repeat(DIAGNOSIS_TEXT_MAX + 1) });
    expect(carriedDiagnosis(oversized(tcpFailure('refused')))).toBeUndefined();
    const process = createCheckRequestProcessor({
      coalescer: s.coalescer,
      posts: s.posts,
      knownGateways: () => ['prod'],
      gatewayConcurrency: 1,
      enrichment: s.enrichment,
      diagnose: oversized,
      logger,
    });
    const job = checkJob(['prod']);
    await process(job);
    const data = PostCheckResultJobSchema.parse((await s.posts.getJob(postJobId((job.data as { requestId: string }).requestId)))!.data);
    expect(data.diagnoses).toBeUndefined();
    expect((await renderPost(data, s.enrichment)).text).toContain('prod UNHEALTHY: refused');
  });
});

describe('a scheduled check: one diagnosis, carried in the alert job', () => {
  it('the alert job carries the recorded diagnosis; the alert renders it, and an old alert job without it reads the same', async () => {
    const s = await setup({ prod: tcpFailure('refused', { at: T0 }) });
    const counted = countingDiagnose();
    const monitor = createMonitor({
      store: s.monitoring.alerts,
      incidents: s.monitoring.incidents,
      maintenance: s.monitoring.maintenance,
      policy: { failureThreshold: 1, successThreshold: 1, reminderIntervalMs: 3_600_000 },
      canPost: true,
      watched: () => ['prod'],
      intervalMs: () => MIN,
      enqueue: createAlertEnqueuer({ queue: s.alerts, channel: '#ops' }),
      now: () => T0 + 1_000,
      logger,
    });
    const scheduled = createScheduledCheckProcessor({
      coalescer: s.coalescer,
      enrichment: s.enrichment,
      diagnose: counted,
      knownGateways: () => ['prod'],
      record: (result) => s.record(result, 'schedule'),
      monitor,
      requestedAt: () => T0,
      logger,
    });
    expect(await scheduled({ data: { gateway: 'prod' } } as unknown as Job)).toMatchObject({ gateway: 'prod', state: 'unhealthy', posts: 1 });
    expect(counted.calls).toEqual(['prod']);

    const [stored] = await s.alerts.getJobs(['waiting']);
    const data = AlertPostJobSchema.parse(stored!.data);
    expect(data.post.kind).toBe('alert');
    expect(data.diagnosis).toEqual(s.recorded[0]!.diagnosis);
    expect(data.diagnosis!.verdicts[0]!.notes.join('\n')).toContain(VERSION_NOTE);

    const poster = recordingPoster();
    const post = createPostAlertProcessor({
      poster,
      threads: s.monitoring.alerts,
      queue: s.alerts,
      redis: s.redis,
      prefix: s.prefix,
      enrichment: s.enrichment,
      diagnose: counted,
      reminderIntervalMs: 3_600_000,
      logger,
    });
    await post({ id: 'carried', data: stored!.data, attemptsMade: 0 } as unknown as Job);
    expect(counted.calls).toHaveLength(1);
    const { diagnosis: _dropped, ...old } = stored!.data as Record<string, unknown>;
    expect(AlertPostJobSchema.parse(old).diagnosis).toBeUndefined();
    await post({ id: 'old-shape', data: old, attemptsMade: 0 } as unknown as Job);
    expect(counted.calls).toHaveLength(2);
    const [fromCarried, fromOld] = poster.posted;
    expect(fromCarried!.blocks).toContain(VERSION_NOTE);
    expect(fromCarried!.blocks).toContain('since last good: version `2026.9.2` → `2026.9.6`');
    expect([fromOld!.text, fromOld!.blocks]).toEqual([fromCarried!.text, fromCarried!.blocks]);
  });

  it('refuses a diagnosis without its report', () => {
    const report = tcpFailure('refused', { at: T0 });
    const post = { kind: 'alert', subject: 'prod', incidentId: `prod-${T0}`, verdict: 'refused', startedAt: T0, at: T0, failures: 3 };
    const parsed = AlertPostJobSchema.safeParse({ post, channel: '#ops', diagnosis: diagnose(report) });
    expect(parsed.success).toBe(false);
    expect(AlertPostJobSchema.safeParse({ post, channel: '#ops', report, diagnosis: diagnose(report) }).success).toBe(true);
  });
});
