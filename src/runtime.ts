import { randomUUID } from 'node:crypto';
import { webApi } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { Config } from './config/schema.js';
import type { EnvOptions } from './config/env.js';
import { gatewayNames, resolveTarget, type Env } from './config/targets.js';
import type { Logger } from './log.js';
import { createChecker, type CheckResult } from './check/checker.js';
import { diagnose } from './diagnosis/diagnose.js';
import { runJointCheck } from './check/joint-check.js';
import { createUnitTokenBook } from './check/unit-token-book.js';
import { resolveAgentSettings } from './config/agent-settings.js';
import { createHostCheckRequester } from './queue/host-check-requester.js';
import { connectToGateway } from './openclaw/client.js';
import { loadOrCreateDeviceIdentity } from './openclaw/device-identity.js';
import type { DeviceIdentity } from './openclaw/types.js';
import { identityPath } from './paths.js';
import { createCoalescer } from './queue/coalesce.js';
import { createProducerConnection, createWorkerConnection } from './queue/connection.js';
import { createCheckProducer } from './queue/producer.js';
import { createSlackApp, type SlackApp } from './slack/app.js';
import { boltLoggerFrom } from './slack/bolt-logger.js';
import { createSlackPoster } from './slack/poster.js';
import { createGroupMembership } from './slack/user-groups.js';
import { createAuditLog } from './state/audit.js';
import { createLastStateStore } from './state/last-state.js';
import { registerCommands } from '../commands/index.js';
import { startWorkers, type Workers } from '../jobs/workers.js';
import { startMonitoringWorkers, type MonitoringWorkers } from '../jobs/monitoring-workers.js';
import { createMonitoring } from './monitoring/services.js';
import type { DigestSectionProvider } from './render/digest-section.js';
import type { LadderDeps } from './probes/ladder.js';
import { existsSync } from 'node:fs';
import { tailnetSettingsFor } from './config/sections/tailscale.js';
import { ladderProbesFor } from './probes/tailnet/from-config.js';
import { createExposureStore } from './state/exposure-record.js';
import { adminApiFromConfig } from './tailscale/admin-api-config.js';
import { createAclAuditService } from './tailscale/acl-service.js';
import { createTailnetDigestSection } from './tailscale/tailnet-digest-section.js';
import { createOffboardingRuntime } from './offboarding/wiring.js';
import { combineEnrichments } from './check/combined-enrichment.js';
import { Queue } from 'bullmq';
import { describeRedisTarget } from './config/redis-target.js';
import { createRedisHealth, type RedisHealth } from './health/redis-health.js';
import { createReadiness, type Readiness } from './health/readiness.js';
import { watchRedisPersistence } from './health/persistence-watch.js';
import { lockTimingsFor, staleAfterMsFor } from './queue/lock-timings.js';
import { QUEUES } from './queue/names.js';
import { message, section } from './render/blocks.js';
import { md } from './render/slack-text.js';
import { posterClientOptions } from './slack/poster.js';
import { createPendingChecks } from './state/pending-checks.js';
import { createCheckResultPublisher } from '../jobs/post-check-result.js';
import { createStalePlaceholderSweeper, startStalePlaceholderSweeper } from '../jobs/stale-placeholders.js';
import { createFingerprintFeature, createRedisFingerprintStore } from './features/fingerprint/index.js';
import { createSlackFileUploader, createTicketFeature, knownSecrets } from './features/ticket/index.js';

/**
 * The composition root for the long-running processes: builds Redis connections, queues, the Bolt
 * app and the workers from config + environment, and stops them in order. `bot` takes commands,
 * `worker` runs checks and posts; `start` is both in one process.
 */
export interface RuntimeOptions {
  config: Config;
  env: Env;
  options: EnvOptions;
  logger: Logger;
  roles: { bot: boolean; worker: boolean };
  /**
   * Test seams: lock timings for stalled-job recovery (default: derived from the check budget,
   * src/queue/lock-timings.ts), when a placeholder counts as stale and how often the sweeper
   * looks, a ladder override (TLS CAs, lookups).
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  staleAfterMs?: number;
  sweepIntervalMs?: number;
  ladder?: Partial<LadderDeps>;
  now?: () => number;
  /** Digest sections contributed from outside (tests); the built-in ones are added below. */
  digestSections?: DigestSectionProvider[];
}

export interface Runtime {
  slack?: SlackApp;
  workers?: Workers;
  monitoring?: MonitoringWorkers;
  /** Redis reachable, Slack connected, workers running: what /readyz serves. */
  readiness: Readiness;
  redisHealth: RedisHealth;
  /** One pass of the stale-placeholder sweeper (bot role), for tests and drills. */
  sweepStalePlaceholders?: () => Promise<Record<string, number>>;
  /** Resolves when the connection commands enqueue through is ready (after an outage). */
  redisReady(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRuntime(runtime: RuntimeOptions): Promise<Runtime> {
  const { config, options, logger } = runtime;
  if (!options.slack) throw new Error(`Slack is not configured: ${options.slackProblem ?? 'set SLACK_BOT_TOKEN'}`);
  const slack = options.slack;
  const prefix = options.redisPrefix;
  const now = runtime.now ?? Date.now;
  const graceMs = config.queue.shutdownGraceMs;
  // Closed in reverse order, each within what is left of the grace; then every Redis connection is
  // dropped, which also ends any call still waiting on a Redis that is not there.
  const closers: Array<(leftMs: number) => Promise<unknown>> = [];
  const connections: Redis[] = [];
  const readiness = createReadiness(now);
  const redisHealth = createRedisHealth({ logger, target: describeRedisTarget(options.redisUrl) });
  readiness.probe('redis', () => ({ ok: redisHealth.state().reachable, detail: redisHealth.state().detail }));
  const stopAll = async () => {
    readiness.stopping();
    const deadline = Date.now() + graceMs;
    for (const close of closers.reverse()) {
      const left = Math.max(0, deadline - Date.now());
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), left);
          timer.unref();
        });
        if ((await Promise.race([close(left), timeout])) === 'timeout') logger.warn({ graceMs }, 'a part of clawops did not stop within the grace: leaving it');
      } catch (error) {
        logger.warn({ err: error }, 'error while stopping');
      } finally {
        clearTimeout(timer);
      }
    }
    for (const connection of connections) connection.disconnect();
  };
  const connect = (name: string, connection: Redis): Redis => {
    connections.push(connection);
    redisHealth.watch(name, connection);
    return connection;
  };

  try {
    // Reads (user groups, directory lookups) may retry in the client; posting may not (see poster.ts).
    const client = new webApi.WebClient(slack.botToken, {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
      logger: boltLoggerFrom(logger),
    });
    const postClient = new webApi.WebClient(slack.botToken, { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), ...posterClientOptions(), logger: boltLoggerFrom(logger) });
    const stateRedis = connect('state', createProducerConnection(options.redisUrl));
    const requestPathConnections: Redis[] = [stateRedis];
    const poster = createSlackPoster({ client: postClient, redis: stateRedis, prefix });
    const pending = createPendingChecks({ redis: stateRedis, prefix });
    const audit = createAuditLog({ redis: stateRedis, prefix });
    const lastState = createLastStateStore({ redis: stateRedis, prefix });
    // Sections other parts contribute to the health digest (tailnet, offboarding) join this list.
    const digestSections: DigestSectionProvider[] = [...(runtime.digestSections ?? [])];
    const monitoring = createMonitoring({ config, redis: stateRedis, prefix, lastState, sections: () => digestSections, now });
    const exposures = createExposureStore({ redis: stateRedis, prefix });
    // The ACL audit (`/gateway acl`, the digest's tailnet section), when the admin API is configured.
    const acl = config.tailscale?.adminApi ? createAclAuditService({ config, admin: adminApiFromConfig(config.tailscale.adminApi, runtime.env) }) : undefined;
    digestSections.push(createTailnetDigestSection({ config, exposures, acl }));
    // Offboarding (checklists, reminders, the users poll, the reminder under every verdict), when configured.
    const offboarding = createOffboardingRuntime({ config, env: runtime.env, redisUrl: options.redisUrl, prefix, redis: stateRedis, client, poster, audit, groups: createGroupMembership({ client }), logger: logger.child({ component: 'offboarding' }), now, newId: randomUUID });
    if (offboarding) {
      closers.push(() => offboarding.close());
      digestSections.push(offboarding.digestSection);
    }
    // The success fingerprint (its diff beside verdicts, `/gateway fingerprint`) and the ticket bundle.
    const fingerprints = createFingerprintFeature({ store: createRedisFingerprintStore({ redis: stateRedis, prefix }), logger: logger.child({ component: 'fingerprint' }) });
    const tickets = createTicketFeature({ fingerprints: fingerprints.store, secrets: () => knownSecrets({ config, env: runtime.env, identityPath: identityPath(config.identity.path, runtime.env) }), poster, uploader: createSlackFileUploader(client), logger: logger.child({ component: 'ticket' }), now });
    const enrichment = combineEnrichments(monitoring.enrichment, offboarding?.enrichment, fingerprints.enrichment);
    // Every result, typed or scheduled, feeds history (and alerts, for scheduled ones), the exposure record and the fingerprints.
    const recordResult = async (result: CheckResult, source: 'command' | 'schedule') => {
      await monitoring.record(result, source);
      await exposures.record(result.report);
      await fingerprints.record(result);
    };

    const longestBudget = Math.max(...gatewayNames(config).map((name) => resolveTarget(config, name, runtime.env).timeouts.budgetMs));
    const derived = lockTimingsFor(longestBudget);
    const timings = { lockDurationMs: runtime.lockDurationMs ?? derived.lockDurationMs, stalledIntervalMs: runtime.stalledIntervalMs ?? derived.stalledIntervalMs };
    const result: Runtime = {
      readiness,
      redisHealth,
      stop: async () => undefined,
      redisReady: async () => {
        await Promise.all(requestPathConnections.map((connection) => (connection.status === 'ready' ? undefined : new Promise<void>((resolve) => connection.once('ready', () => resolve())))));
      },
    };
    // Without persistence, queued checks die with Redis: say so at boot (and in the alerts channel, once).
    const alertsChannel = config.monitoring.alerts.channel;
    watchRedisPersistence({
      redis: stateRedis,
      prefix,
      logger,
      ...(alertsChannel ? { announce: (text: string) => poster.post({ channel: alertsChannel }, message(md`${text}`, [section(md`${text}`)])) } : {}),
      // A Redis that came back empty has lost the job schedulers too: put them back.
      onReplaced: () => void result.monitoring?.reconcile().catch((error: unknown) => logger.warn({ err: error }, 'could not restore the schedules')),
    });

    if (runtime.roles.worker) {
      const identity = await loadIdentity(config, runtime.env, logger);
      // tailscaled from `tailscale:` (or its default socket when it exists here); exposure for publicAddress gateways.
      const tailnet = tailnetSettingsFor(config.tailscale, existsSync);
      logger.info({ tailscaled: tailnet?.socketPath ?? 'none: tailnet layers skipped' }, 'tailnet layers');
      const checker = createChecker({ connect: connectToGateway, identity, now: () => new Date(now()), ...ladderProbesFor(tailnet, { exposure: true, config, env: runtime.env }), ...runtime.ladder });
      const workerRedis: Redis = connect('worker', createWorkerConnection(options.redisUrl));
      // Gateways with a host agent: ask it while the ladder runs (closed before Redis, after the workers).
      const hostChecks = createHostCheckRequester({ connection: stateRedis, eventsConnection: () => connect('host-check events', createWorkerConnection(options.redisUrl)), prefix, logger: logger.child({ component: 'host-checks' }) });
      closers.push(() => hostChecks.close());
      const unitTokens = createUnitTokenBook();
      const coalescer = createCoalescer({
        redis: stateRedis,
        prefix,
        windowMs: config.queue.coalesceWindowMs,
        maxWaitMs: longestBudget + 5_000,
        now,
        run: async (gateway) => runJointCheck({ checker, hostChecks, unitTokens }, { ...resolveTarget(config, gateway, runtime.env), ...(await monitoring.targetExtras(gateway).catch(() => ({}))) }, resolveAgentSettings(config, gateway)),
      });
      const workers = startWorkers({
        connection: workerRedis,
        prefix,
        poster,
        pending,
        redisHealth,
        postRetryWindowMs: config.queue.postRetryWindowMs,
        coalescer,
        concurrency: config.queue.concurrency,
        gatewayConcurrency: config.queue.gatewayConcurrency,
        knownGateways: () => gatewayNames(config),
        enrichment,
        onReport: (report) => recordResult({ report, diagnosis: diagnose(report) }, 'command'),
        logger: logger.child({ component: 'worker' }),
        ...timings,
      });
      result.workers = workers;
      offboarding?.startWorker();
      // Scheduled checks, alerts and digests: closed together with the check workers, sharing the grace.
      const watching = startMonitoringWorkers({ config, connection: workerRedis, stateRedis, prefix, monitoring, coalescer, poster, enrichment, record: (result) => recordResult(result, 'schedule'), now, logger: logger.child({ component: 'monitoring' }), redisHealth, ...timings });
      closers.push((leftMs) => Promise.all([watching.close({ graceMs: leftMs }), workers.close({ graceMs: leftMs })]));
      result.monitoring = watching;
      readiness.probe('workers', () => {
        const all = [workers.checks, workers.posts, watching.monitor, watching.alerts];
        const running = all.filter((worker) => worker.isRunning()).length;
        return { ok: running === all.length, detail: `${running}/${all.length} workers running` };
      });
      logger.info({ budgetMs: longestBudget, ...timings }, 'stalled checks are taken over within lockDurationMs + stalledIntervalMs');
    }

    if (runtime.roles.bot) {
      const producerRedis = connect('producer', createProducerConnection(options.redisUrl));
      requestPathConnections.push(producerRedis);
      const producer = createCheckProducer({ connection: producerRedis, prefix });
      closers.push(() => producer.close());
      // No "⏳ Checking…" stays forever (jobs/stale-placeholders.ts): reads the queues fail-fast.
      const checksQueue = new Queue(QUEUES.checks, { connection: producerRedis, prefix });
      const postsQueue = new Queue(QUEUES.posts, { connection: producerRedis, prefix });
      for (const queue of [checksQueue, postsQueue]) queue.on('error', () => undefined);
      const staleAfterMs = runtime.staleAfterMs ?? staleAfterMsFor(longestBudget, timings);
      const sweeper = createStalePlaceholderSweeper({
        pending,
        poster,
        checks: checksQueue,
        posts: postsQueue,
        publish: createCheckResultPublisher({ poster, enrichment, pending, logger }),
        staleAfterMs,
        logger: logger.child({ component: 'sweeper' }),
        now,
      });
      const sweeping = startStalePlaceholderSweeper(sweeper, runtime.sweepIntervalMs ?? Math.min(10_000, Math.max(1_000, Math.round(staleAfterMs / 5))));
      closers.push(async () => {
        sweeping.stop();
        await Promise.allSettled([checksQueue.close(), postsQueue.close()]);
      });
      result.sweepStalePlaceholders = () => sweeper.sweep();
      const app = createSlackApp({ slack, logger });
      readiness.set('slack', false, 'connecting');
      app.onConnectionChange((connected, detail) => readiness.set('slack', connected, detail));
      registerCommands(app.app, {
        config,
        producer,
        poster,
        groups: createGroupMembership({ client }),
        audit,
        lastState,
        logger: logger.child({ component: 'commands' }),
        now,
        newId: randomUUID,
        acl,
        monitoring,
        offboarding: offboarding?.commands,
        pending,
        fingerprints,
        tickets,
      });
      offboarding?.registerSlack(app.app);
      // Stop taking commands first: the app is closed before the queues and Redis.
      await app.start();
      closers.push(() => app.stop());
      result.slack = app;
    }

    let stopping: Promise<void> | undefined;
    result.stop = () => (stopping ??= stopAll());
    logger.info({ roles: runtime.roles, gateways: gatewayNames(config).length, slackMode: slack.mode, redis: describeRedisTarget(options.redisUrl), redisReachable: redisHealth.state().reachable }, 'clawops started');
    return result;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function loadIdentity(config: Config, env: Env, logger: Logger): Promise<DeviceIdentity | undefined> {
  const path = identityPath(config.identity.path, env);
  try {
    return await loadOrCreateDeviceIdentity(path);
  } catch (error) {
    logger.warn({ err: error }, 'device identity unavailable: checking token-only');
    return undefined;
  }
}
