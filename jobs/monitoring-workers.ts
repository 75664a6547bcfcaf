import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { createAlertEnqueuer } from '../src/features/monitoring/alerts/post-job.js';
import { createMonitor } from '../src/features/monitoring/alerts/monitor.js';
import type { CheckResult } from '../src/check/checker.js';
import type { CheckEnrichment } from '../src/render/enrichment.js';
import type { Diagnose } from '../src/diagnosis/diagnose.js';
import type { Config } from '../src/config/schema.js';
import { gatewayNames } from '../src/config/targets.js';
import type { Logger } from '../src/log.js';
import type { MonitoringServices } from '../src/features/monitoring/services.js';
import type { Coalescer } from '../src/queue/coalesce.js';
import { JOBS, QUEUES } from '../src/queue/names.js';
import type { SlackPoster } from '../src/slack/poster.js';
import { createDigestProcessor } from './digest.js';
import { createPostAlertProcessor } from './post-alert.js';
import { createScheduledCheckProcessor } from './scheduled-check.js';
import { checkIntervalMs, desiredSchedules, reconcileSchedules } from './schedules.js';
import { logWorkerError } from '../src/health/worker-errors.js';
import type { RedisHealth } from '../src/health/redis-health.js';

/**
 * The watching side of a worker: the job schedulers reconciled with the config at boot, one
 * worker for scheduled checks and digests, one for alert posts. Started next to the check workers
 * (jobs/workers.ts) by the composition root, and closed with them.
 */
export interface MonitoringWorkers {
  monitor: Worker;
  alerts: Worker;
  /** Resolves once the schedulers match the config (boot does not wait for Redis). */
  schedulesReady: Promise<{ upserted: number; removed: string[] }>;
  /** Puts the schedulers back (a Redis that came back empty has none). */
  reconcile(): Promise<{ upserted: number; removed: string[] }>;
  close(options?: { graceMs?: number }): Promise<void>;
}

export interface MonitoringWorkersDeps {
  config: Config;
  connection: Redis;
  /** The fail-fast connection state lives on (history, alert state, markers). */
  stateRedis: Redis;
  prefix: string;
  monitoring: MonitoringServices;
  coalescer: Coalescer;
  poster: SlackPoster;
  enrichment?: CheckEnrichment;
  /** The diagnosis of scheduled checks and of alerts without one (default: src/diagnosis/diagnose.ts). */
  diagnose?: Diagnose;
  /** How a scheduled result is recorded (default: last state and history). */
  record?: (result: CheckResult) => Promise<void>;
  now: () => number;
  logger: Logger;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  redisHealth?: RedisHealth;
}

export function startMonitoringWorkers(deps: MonitoringWorkersDeps): MonitoringWorkers {
  const { config, logger } = deps;
  const settings = config.monitoring;
  // The config does not change while the process runs: sort the names once, not per check.
  const configured = gatewayNames(config);
  const monitorQueue = new Queue(QUEUES.monitor, { connection: deps.connection, prefix: deps.prefix });
  const alertQueue = new Queue(QUEUES.alerts, { connection: deps.connection, prefix: deps.prefix });
  for (const queue of [monitorQueue, alertQueue]) queue.on('error', (error) => logWorkerError(logger, deps.redisHealth, error, `queue error (${queue.name})`));
  const lock = {
    ...(deps.lockDurationMs ? { lockDuration: deps.lockDurationMs } : {}),
    ...(deps.stalledIntervalMs ? { stalledInterval: deps.stalledIntervalMs } : {}),
  };

  const schedulesReady = reconcileSchedules(monitorQueue, desiredSchedules(config), logger);
  schedulesReady.catch((error: unknown) => logger.error({ err: error }, 'could not reconcile the schedules with the config'));

  const monitor = createMonitor({
    store: deps.monitoring.alerts,
    incidents: deps.monitoring.incidents,
    maintenance: deps.monitoring.maintenance,
    policy: {
      failureThreshold: settings.alerts.failureThreshold,
      successThreshold: settings.alerts.successThreshold,
      reminderIntervalMs: settings.alerts.reminderIntervalMinutes * 60_000,
    },
    canPost: settings.alerts.channel !== undefined,
    watched: () => deps.monitoring.watched(),
    intervalMs: (gateway) => checkIntervalMs(config, gateway),
    enqueue: createAlertEnqueuer({ queue: alertQueue, channel: settings.alerts.channel }),
    now: deps.now,
    logger: logger.child({ component: 'alerts' }),
  });
  const scheduledCheck = createScheduledCheckProcessor({
    coalescer: deps.coalescer,
    ...(deps.enrichment ? { enrichment: deps.enrichment } : {}),
    ...(deps.diagnose ? { diagnose: deps.diagnose } : {}),
    knownGateways: () => configured,
    record: deps.record ?? ((result) => deps.monitoring.record(result, 'schedule')),
    monitor,
    requestedAt: (gateway) => {
      const windowMs = config.queue.coalesceWindowMs;
      // The coalescer shares results that started ≥ requestedAt − window: shift so that means ≥ now − maxAge.
      return deps.now() + windowMs - Math.min(windowMs, checkIntervalMs(config, gateway) / 2);
    },
    logger,
  });
  const digest = createDigestProcessor({ monitoring: deps.monitoring, poster: deps.poster, redis: deps.stateRedis, prefix: deps.prefix, now: deps.now });
  const monitorWorker = new Worker(
    QUEUES.monitor,
    async (job: Job) => {
      if (job.name === JOBS.digest) return digest(job);
      return scheduledCheck(job);
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: settings.concurrency, ...lock },
  );
  const alertWorker = new Worker(
    QUEUES.alerts,
    createPostAlertProcessor({
      poster: deps.poster,
      threads: deps.monitoring.alerts,
      queue: alertQueue,
      redis: deps.stateRedis,
      prefix: deps.prefix,
      ...(deps.enrichment ? { enrichment: deps.enrichment } : {}),
      ...(deps.diagnose ? { diagnose: deps.diagnose } : {}),
      reminderIntervalMs: settings.alerts.reminderIntervalMinutes * 60_000,
      logger,
    }),
    { connection: deps.connection, prefix: deps.prefix, concurrency: 2, ...lock },
  );
  monitorWorker.on('failed', (job: Job | undefined, error: Error) => logger.warn({ err: error, jobId: job?.id, job: job?.name }, 'scheduled job failed'));
  alertWorker.on('failed', (job: Job | undefined, error: Error) =>
    logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'posting an alert failed'),
  );
  for (const worker of [monitorWorker, alertWorker]) worker.on('error', (error) => logWorkerError(logger, deps.redisHealth, error, 'worker error'));

  let closing: Promise<void> | undefined;
  return {
    monitor: monitorWorker,
    alerts: alertWorker,
    schedulesReady,
    reconcile: () => reconcileSchedules(monitorQueue, desiredSchedules(config), logger),
    close(options = {}) {
      closing ??= (async () => {
        const graceMs = options.graceMs ?? 20_000;
        const graceful = Promise.all([monitorWorker.close(), alertWorker.close()]);
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
        if ((await Promise.race([graceful.then(() => 'done' as const), timer])) === 'timeout') {
          logger.warn({ graceMs }, 'in-flight scheduled checks did not finish in time; stopping them');
          await Promise.all([monitorWorker.close(true), alertWorker.close(true)]);
        }
        // With Redis gone a queue's close waits for a reconnect: the runtime's grace bounds it.
        await Promise.all([monitorQueue.close(), alertQueue.close()]);
      })();
      return closing;
    },
  };
}
