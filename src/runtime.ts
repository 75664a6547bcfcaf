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
  /** Test seams: lock timings for stalled-job recovery, a ladder override (TLS CAs, lookups). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  ladder?: Partial<LadderDeps>;
  now?: () => number;
  /** Digest sections contributed from outside (tests); the built-in ones are added below. */
  digestSections?: DigestSectionProvider[];
}

export interface Runtime {
  slack?: SlackApp;
  workers?: Workers;
  monitoring?: MonitoringWorkers;
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
  const closers: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        logger.warn({ err: error }, 'error while stopping');
      }
    }
  };

  try {
    const client = new webApi.WebClient(slack.botToken, {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
      logger: boltLoggerFrom(logger),
    });
    const stateRedis = createProducerConnection(options.redisUrl);
    const requestPathConnections: Redis[] = [stateRedis];
    stateRedis.on('error', (error) => logger.debug({ err: error }, 'redis (state) error'));
    closers.push(async () => stateRedis.disconnect());
    const poster = createSlackPoster({ client, redis: stateRedis, prefix });
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
    const enrichment = combineEnrichments(monitoring.enrichment, offboarding?.enrichment);
    // Every result, typed or scheduled, feeds history (and alerts, for scheduled ones) and the exposure record.
    const recordResult = async (result: CheckResult, source: 'command' | 'schedule') => {
      await monitoring.record(result, source);
      await exposures.record(result.report);
    };

    const result: Runtime = {
      stop: async () => undefined,
      redisReady: async () => {
        await Promise.all(requestPathConnections.map((connection) => (connection.status === 'ready' ? undefined : new Promise<void>((resolve) => connection.once('ready', () => resolve())))));
      },
    };

    if (runtime.roles.worker) {
      const identity = await loadIdentity(config, runtime.env, logger);
      // tailscaled from `tailscale:` (or its default socket when it exists here); exposure for publicAddress gateways.
      const tailnet = tailnetSettingsFor(config.tailscale, existsSync);
      logger.info({ tailscaled: tailnet?.socketPath ?? 'none: tailnet layers skipped' }, 'tailnet layers');
      const checker = createChecker({ connect: connectToGateway, identity, now: () => new Date(now()), ...ladderProbesFor(tailnet, { exposure: true, config, env: runtime.env }), ...runtime.ladder });
      const workerRedis: Redis = createWorkerConnection(options.redisUrl);
      workerRedis.on('error', (error) => logger.debug({ err: error }, 'redis (worker) error'));
      closers.push(async () => workerRedis.disconnect());
      // Gateways with a host agent: ask it while the ladder runs (closed before Redis, after the workers).
      const hostChecks = createHostCheckRequester({ connection: stateRedis, eventsConnection: () => createWorkerConnection(options.redisUrl), prefix, logger: logger.child({ component: 'host-checks' }) });
      closers.push(() => hostChecks.close());
      const unitTokens = createUnitTokenBook();
      const longestBudget = Math.max(...gatewayNames(config).map((name) => resolveTarget(config, name, runtime.env).timeouts.budgetMs));
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
        coalescer,
        concurrency: config.queue.concurrency,
        gatewayConcurrency: config.queue.gatewayConcurrency,
        knownGateways: () => gatewayNames(config),
        enrichment,
        onReport: (report) => recordResult({ report, diagnosis: diagnose(report) }, 'command'),
        logger: logger.child({ component: 'worker' }),
        lockDurationMs: runtime.lockDurationMs,
        stalledIntervalMs: runtime.stalledIntervalMs,
      });
      closers.push(() => workers.close({ graceMs: config.queue.shutdownGraceMs }));
      result.workers = workers;
      offboarding?.startWorker();
      // Scheduled checks, alerts and digests (closed before the check workers).
      const watching = startMonitoringWorkers({ config, connection: workerRedis, stateRedis, prefix, monitoring, coalescer, poster, enrichment, record: (result) => recordResult(result, 'schedule'), now, logger: logger.child({ component: 'monitoring' }), lockDurationMs: runtime.lockDurationMs, stalledIntervalMs: runtime.stalledIntervalMs });
      closers.push(() => watching.close({ graceMs: config.queue.shutdownGraceMs }));
      result.monitoring = watching;
    }

    if (runtime.roles.bot) {
      const producerRedis = createProducerConnection(options.redisUrl);
      requestPathConnections.push(producerRedis);
      producerRedis.on('error', (error) => logger.debug({ err: error }, 'redis (producer) error'));
      closers.push(async () => producerRedis.disconnect());
      const producer = createCheckProducer({ connection: producerRedis, prefix });
      closers.push(() => producer.close());
      const app = createSlackApp({ slack, logger });
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
      });
      offboarding?.registerSlack(app.app);
      // Stop taking commands first: the app is closed before the queues and Redis.
      await app.start();
      closers.push(() => app.stop());
      result.slack = app;
    }

    let stopping: Promise<void> | undefined;
    result.stop = () => (stopping ??= stopAll());
    logger.info({ roles: runtime.roles, gateways: gatewayNames(config).length, slackMode: slack.mode }, 'clawops started');
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
