import { randomUUID } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { settleAll } from '../settle-all.js';
import type { Config } from '../config/schema.js';
import type { EnvOptions } from '../config/env.js';
import { gatewayNames, resolveTarget, urlTarget, type CheckTarget, type Env } from '../config/targets.js';
import type { Logger } from '../log.js';
import { createChecker, type CheckResult } from '../check/checker.js';
import type { Diagnose } from '../diagnosis/diagnose.js';
import { runJointCheck } from '../check/joint-check.js';
import { createUnitTokenBook } from '../check/unit-token-book.js';
import { resolveAgentSettings, type AgentSettings } from '../config/agent-settings.js';
import { createHostCheckRequester } from '../queue/host-check-requester.js';
import { connectToGateway } from '../openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../openclaw/device-identity.js';
import type { DeviceIdentity } from '../openclaw/types.js';
import { identityPath } from '../config/paths.js';
import { createCoalescer } from '../queue/coalesce.js';
import { createProducerConnection, createWorkerConnection } from '../queue/connection.js';
import { createCheckProducer } from '../queue/producer.js';
import type { SlackApp } from '../slack/app.js';
import { boltLoggerFrom } from '../slack/bolt-logger.js';
import { createSlackPoster } from '../slack/poster.js';
import { createGroupMembership } from '../slack/user-groups.js';
import { createAuditLog } from '../state/audit.js';
import { createLastStateStore } from '../state/last-state.js';
import { registerCommands } from '../../commands/index.js';
import { startWorkers, type Workers } from '../../jobs/workers.js';
import { startMonitoringWorkers, type MonitoringWorkers } from '../../jobs/monitoring-workers.js';
import { createMonitoringFeature } from '../features/monitoring/feature.js';
import type { DigestSectionProvider } from '../render/digest-section.js';
import type { LadderDeps } from '../probes/ladder.js';
import { existsSync } from 'node:fs';
import { tailnetSettingsFor } from '../config/sections/tailscale.js';
import { ladderProbesFor } from '../probes/tailnet/from-config.js';
import { createExposureStore } from '../state/exposure-record.js';
import { createAclFeature } from '../features/acl/feature.js';
import { createOffboardingFeature } from '../features/offboarding/feature.js';
import { offboardingProcessors, startOffboardingWorker } from '../../jobs/offboarding-worker.js';
import { combineEnrichments } from '../render/combined-enrichment.js';
import { Queue, Worker, type Job } from 'bullmq';
import { describeRedisTarget } from '../config/redis-target.js';
import { createRedisHealth, type RedisHealth } from '../health/redis-health.js';
import { createReadiness, type Readiness } from '../health/readiness.js';
import { watchRedisPersistence } from '../health/persistence-watch.js';
import { lockTimingsFor, staleAfterMsFor } from '../queue/lock-timings.js';
import { QUEUES } from '../queue/names.js';
import { message, section } from '../render/blocks.js';
import { md } from '../render/slack-text.js';
import { posterClientOptions } from '../slack/poster.js';
import { createPendingChecks } from '../state/pending-checks.js';
import { createCheckResultPublisher } from '../../jobs/post-check-result.js';
import { createStalePlaceholderSweeper, startStalePlaceholderSweeper } from '../../jobs/stale-placeholders.js';
import { createHostCheckProcessor } from '../../jobs/host-checks.js';
import { UsageError } from '../errors.js';
import { runHostChecks, type HostCheckDeps } from '../host/run-host-checks.js';
import { hostCheckQueueName } from '../queue/host-check-job.js';
import { logWorkerError } from '../health/worker-errors.js';
import type { CommandDeps } from '../../commands/deps.js';
import { requestCheck } from '../../commands/request-check.js';
import { createTriggersFeature } from '../features/triggers/feature.js';
import { createAcceptFeature } from '../features/accept/feature.js';
import { createAcceptCheck } from '../features/accept/check-runner.js';
import { createMetricsFeature, type MetricsFeature } from '../features/metrics/index.js';
import { wireMetricsSources } from './metrics-sources.js';
import { createFingerprintFeature, createRedisFingerprintStore } from '../features/fingerprint/index.js';
import { createSlackFileUploader, createTicketFeature, knownSecrets } from '../features/fingerprint/ticket/index.js';
import { fingerprintLookup } from './fingerprint-lookup.js';

/**
 * THE composition root (the only one): every long-running process is built here from config +
 * environment — Redis connections, queues, the Bolt app, the workers, the feature slices
 * (monitoring, acl, offboarding) — and stopped in order. `bot` takes commands, `worker` runs checks
 * and posts, `start` is both in one process (`startRuntime`); `agent` is the host agent on a
 * gateway host (`startAgent`, below). Nothing imports src/app/ (dependency-cruiser enforces it).
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
  /**
   * The diagnosis the check paths use (default src/diagnosis/diagnose.ts): a test wraps it to count
   * that a check is diagnosed once, and that what is recorded is what is posted.
   */
  diagnose?: Diagnose;
}

export interface Runtime {
  slack?: SlackApp;
  workers?: Workers;
  monitoring?: MonitoringWorkers;
  /** Redis reachable, Slack connected, workers running: what /readyz serves. */
  readiness: Readiness;
  redisHealth: RedisHealth;
  /** `/metrics` and `/probe` (src/features/metrics/): the health server serves its routes. */
  metrics: MetricsFeature;
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
  const metrics = createMetricsFeature({
    config,
    logger: logger.child({ component: 'metrics' }),
    role: runtime.roles.bot && runtime.roles.worker ? 'start' : runtime.roles.bot ? 'bot' : 'worker',
    readiness,
    now,
  });
  const hooks = metrics.hooks;
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
    const client = new WebClient(slack.botToken, {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
      logger: boltLoggerFrom(logger),
    });
    const postClient = new WebClient(slack.botToken, {
      ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
      ...posterClientOptions(),
      logger: boltLoggerFrom(logger),
    });
    const stateRedis = connect('state', createProducerConnection(options.redisUrl));
    const requestPathConnections: Redis[] = [stateRedis];
    const poster = createSlackPoster({ client: postClient, redis: stateRedis, prefix });
    const pending = createPendingChecks({ redis: stateRedis, prefix });
    const audit = createAuditLog({ redis: stateRedis, prefix });
    const lastState = createLastStateStore({ redis: stateRedis, prefix });
    // Sections other parts contribute to the health digest (tailnet, offboarding) join this list.
    const digestSections: DigestSectionProvider[] = [...(runtime.digestSections ?? [])];
    const monitoring = createMonitoringFeature({ config, redis: stateRedis, prefix, lastState, sections: () => digestSections, now });
    const exposures = createExposureStore({ redis: stateRedis, prefix });
    // The ACL audit (`/gateway acl`, when the admin API is configured) and the digest's tailnet section.
    const { acl, digestSection: tailnetSection } = createAclFeature({ config, env: runtime.env, exposures });
    digestSections.push(tailnetSection);
    // Offboarding (checklists, reminders, the users poll, the reminder under every verdict), when configured.
    const offboardingLogger = logger.child({ component: 'offboarding' });
    // Its own connections, outside the readiness watch (as before the slices): a producer for its queue, and a worker connection below.
    const offboardingConnections: Redis[] = [];
    const offboardingConnection = (role: 'producer' | 'worker') => {
      const connection = role === 'producer' ? createProducerConnection(options.redisUrl) : createWorkerConnection(options.redisUrl);
      connection.on('error', (error) => offboardingLogger.debug({ err: error }, `redis (offboarding ${role}) error`));
      offboardingConnections.push(connection);
      return connection;
    };
    const offboarding = config.offboarding
      ? createOffboardingFeature({
          config,
          env: runtime.env,
          prefix,
          redis: stateRedis,
          producerConnection: offboardingConnection('producer'),
          client,
          poster,
          audit,
          groups: createGroupMembership({ client }),
          logger: offboardingLogger,
          now,
          newId: randomUUID,
        })
      : undefined;
    let offboardingWorker: Worker | undefined;
    if (offboarding) {
      closers.push(async () => {
        if (offboardingWorker)
          await offboardingWorker.close().catch((error: unknown) => offboardingLogger.warn({ err: error }, 'closing the offboarding worker'));
        await offboarding.close();
        for (const connection of offboardingConnections) connection.disconnect();
      });
      digestSections.push(offboarding.digestSection);
    }
    // The success fingerprint (its diff beside verdicts, `/gateway fingerprint`) and the ticket bundle.
    const fingerprints = createFingerprintFeature({
      store: createRedisFingerprintStore({ redis: stateRedis, prefix }),
      logger: logger.child({ component: 'fingerprint' }),
    });
    const tickets = createTicketFeature({
      fingerprints: fingerprints.store,
      secrets: () => knownSecrets({ config, env: runtime.env, identityPath: identityPath(config.identity.path, runtime.env) }),
      poster,
      uploader: createSlackFileUploader(client),
      logger: logger.child({ component: 'ticket' }),
      now,
    });
    const enrichment = combineEnrichments(monitoring.enrichment, offboarding?.enrichment, fingerprints.enrichment);
    // Every result, typed or scheduled, feeds history (and alerts, for scheduled ones), the exposure record and the fingerprints.
    // The stores share no key: their writes go out together (one wait, not three in a row), and one
    // that fails does not keep the others from recording; the first failure is the caller's to log.
    const recordResult = (result: CheckResult, source: 'command' | 'schedule') =>
      settleAll([monitoring.record(result, source), exposures.record(result.report), fingerprints.record(result)]);

    // The config and the environment do not change while the process runs: each gateway's target is
    // resolved once, not per check (resolving compares it with every other gateway: O(fleet)).
    const targets = new Map<string, CheckTarget>();
    const targetOf = (gateway: string): CheckTarget => {
      let target = targets.get(gateway);
      if (!target) targets.set(gateway, (target = resolveTarget(config, gateway, runtime.env)));
      return target;
    };
    // Sorted once: every scheduled check asks whether its gateway is still configured.
    const configuredGateways = gatewayNames(config);
    const longestBudget = Math.max(...configuredGateways.map((name) => targetOf(name).timeouts.budgetMs));
    const derived = lockTimingsFor(longestBudget);
    const timings = {
      lockDurationMs: runtime.lockDurationMs ?? derived.lockDurationMs,
      stalledIntervalMs: runtime.stalledIntervalMs ?? derived.stalledIntervalMs,
    };
    // What /metrics reads on scrape (cached): queue depths, last states, alert phases, open checklists.
    closers.push(wireMetricsSources(metrics, { config, redis: stateRedis, prefix, lastState, alerts: monitoring.alerts }));
    const result: Runtime = {
      metrics,
      readiness,
      redisHealth,
      stop: async () => undefined,
      redisReady: async () => {
        await Promise.all(
          requestPathConnections.map((connection) =>
            connection.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => connection.once('ready', () => resolve())),
          ),
        );
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
      const checker = createChecker({
        connect: connectToGateway,
        identity,
        now: () => new Date(now()),
        ...ladderProbesFor(tailnet, { exposure: true, config, env: runtime.env }),
        ...runtime.ladder,
      });
      const workerRedis: Redis = connect('worker', createWorkerConnection(options.redisUrl));
      // Gateways with a host agent: ask it while the ladder runs (closed before Redis, after the workers).
      const hostChecks = createHostCheckRequester({
        connection: stateRedis,
        eventsConnection: () => connect('host-check events', createWorkerConnection(options.redisUrl)),
        prefix,
        logger: logger.child({ component: 'host-checks' }),
      });
      closers.push(() => hostChecks.close());
      const unitTokens = createUnitTokenBook();
      const coalescer = createCoalescer({
        redis: stateRedis,
        prefix,
        windowMs: config.queue.coalesceWindowMs,
        maxWaitMs: longestBudget + 5_000,
        now,
        onShared: (gateway) => hooks.coalesced(gateway),
        run: async (gateway) => {
          const countedHostChecks = {
            request: (...args: Parameters<typeof hostChecks.request>) => (hooks.triggered('agent'), hostChecks.request(...args)),
            close: () => hostChecks.close(),
          };
          const report = await runJointCheck(
            { checker, hostChecks: countedHostChecks, unitTokens },
            { ...targetOf(gateway), ...(await monitoring.targetExtras(gateway).catch(() => ({}))) },
            resolveAgentSettings(config, gateway),
          );
          hooks.probed(report);
          return report;
        },
      });
      // /probe: a gateway through the coalescer (shared with Slack and the schedule), a listed URL directly.
      metrics.attachProber({
        gateway: (name) => coalescer.probe(name, now()),
        target: (target) => checker.probe(urlTarget(target.url, target.tokenEnv ?? config.defaults.tokenEnv, runtime.env, 'target')),
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
        knownGateways: () => configuredGateways,
        enrichment,
        ...(runtime.diagnose ? { diagnose: runtime.diagnose } : {}),
        // The check's own diagnosis (made once, with the enrichment's context): recorded as it is posted.
        onReport: (result, source) => {
          hooks.answered(result, source === 'button' ? 'button' : source === 'terminal' ? 'terminal' : 'slash');
          return recordResult(result, 'command');
        },
        onPostFailed: (givenUp) => (givenUp ? hooks.postGivenUp() : hooks.postRetried()),
        logger: logger.child({ component: 'worker' }),
        ...timings,
      });
      result.workers = workers;
      if (offboarding) {
        offboardingWorker = startOffboardingWorker({
          connection: offboardingConnection('worker'),
          prefix,
          logger: offboardingLogger,
          processors: offboardingProcessors(offboarding.jobs),
        });
        offboarding.schedulePoll().catch((error: unknown) => offboardingLogger.warn({ err: error }, 'could not schedule the tailnet users poll'));
      }
      // Scheduled checks, alerts and digests: closed together with the check workers, sharing the grace.
      const watching = startMonitoringWorkers({
        config,
        connection: workerRedis,
        stateRedis,
        prefix,
        monitoring,
        coalescer,
        poster,
        enrichment,
        ...(runtime.diagnose ? { diagnose: runtime.diagnose } : {}),
        record: (result) => (hooks.answered(result, 'schedule'), recordResult(result, 'schedule')),
        now,
        logger: logger.child({ component: 'monitoring' }),
        redisHealth,
        ...timings,
      });
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
      const counting = {
        sweep: async () => {
          const counts = await sweeper.sweep();
          hooks.placeholdersSwept(counts);
          return counts;
        },
      };
      const sweeping = startStalePlaceholderSweeper(counting, runtime.sweepIntervalMs ?? Math.min(10_000, Math.max(1_000, Math.round(staleAfterMs / 5))));
      closers.push(async () => {
        sweeping.stop();
        await Promise.allSettled([checksQueue.close(), postsQueue.close()]);
      });
      result.sweepStalePlaceholders = () => counting.sweep();
      // Bolt (and its Socket Mode client, undici, express) only where commands are taken: a worker
      // posts through the Web API client alone, and never loads it (~30 MB of a worker's RSS).
      const { createSlackApp } = await import('../slack/app.js');
      const app = createSlackApp({ slack, logger });
      readiness.set('slack', false, 'connecting');
      app.onConnectionChange((connected, detail) => readiness.set('slack', connected, detail));
      // `/gateway accept`: a fresh check from this node with its own lane to the host agents (src/features/accept/).
      const acceptHostChecks = createHostCheckRequester({
        connection: stateRedis,
        eventsConnection: () => connect('accept host-check events', createWorkerConnection(options.redisUrl)),
        prefix,
        logger: logger.child({ component: 'accept' }),
      });
      closers.push(() => acceptHostChecks.close());
      const groups = createGroupMembership({ client });
      const accept = createAcceptFeature({
        config,
        check: await createAcceptCheck({ config, env: runtime.env, hostChecks: acceptHostChecks, ...(runtime.ladder ? { ladder: runtime.ladder } : {}), now }),
        ...(acl ? { acl } : {}),
        record: (result) => recordResult(result, 'command'),
        fingerprints: fingerprintLookup(fingerprints),
        groups,
        audit,
        now,
        logger: logger.child({ component: 'accept' }),
      });
      const commandDeps: CommandDeps = {
        config,
        producer,
        poster,
        groups,
        audit,
        lastState,
        logger: logger.child({ component: 'commands' }),
        now,
        newId: randomUUID,
        acl,
        monitoring,
        offboarding: offboarding?.commands,
        pending,
        accept,
        fingerprints,
        tickets,
      };
      registerCommands(app.app, commandDeps);
      // Incident triggers in the opted-in channels (src/features/triggers/): the Check runs the normal check path, in the thread.
      createTriggersFeature({
        config,
        redis: stateRedis,
        prefix,
        poster,
        groups,
        logger: logger.child({ component: 'triggers' }),
        requestCheck: ({ requester, gateway, threadTs, reply }) =>
          requestCheck(commandDeps, { requester, gateways: [gateway], source: 'button', commandText: `trigger check ${gateway}`, reply, threadTs }),
      })?.registerSlack(app.app);
      offboarding?.registerSlack(app.app);
      // Stop taking commands first: the app is closed before the queues and Redis.
      await app.start();
      closers.push(() => app.stop());
      result.slack = app;
    }

    let stopping: Promise<void> | undefined;
    result.stop = () => (stopping ??= stopAll());
    logger.info(
      {
        roles: runtime.roles,
        gateways: gatewayNames(config).length,
        slackMode: slack.mode,
        redis: describeRedisTarget(options.redisUrl),
        redisFrom: options.redisFrom,
        redisReachable: redisHealth.state().reachable,
      },
      'clawops started',
    );
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

/**
 * `clawops agent --gateway <name>`: a BullMQ worker on the gateway host. It connects OUT to the
 * same Redis (no inbound port), consumes only its gateway's queue, one job at a time, and answers
 * each with the fixed host checks. The token it compares and proves loopback with comes from its
 * own environment (the gateway's `tokenEnv`), never from a job.
 */
export interface AgentOptions {
  config: Config;
  gateway: string;
  env: Env;
  redisUrl: string;
  prefix: string;
  logger: Logger;
  /** Test seams: where the device identity lives, the host's programs and files, the ladder. */
  identityPath?: string;
  host?: Partial<Omit<HostCheckDeps, 'checker'>>;
  ladder?: Partial<LadderDeps>;
  /** Jobs older than this are refused (default 5 min: generous for clock skew between hosts). */
  maxAgeMs?: number;
}

export interface HostAgent {
  settings: AgentSettings;
  queue: string;
  worker: Worker;
  /** The job in hand finishes within the grace; then Redis is dropped, reachable or not. */
  close(options?: { graceMs?: number }): Promise<void>;
}

export async function startAgent(options: AgentOptions): Promise<HostAgent> {
  const { config, gateway, env, logger } = options;
  const target = resolveTarget(config, gateway, env);
  const settings = resolveAgentSettings(config, gateway);
  if (!settings) throw new UsageError(`gateway \`${gateway}\` has no enabled agent: add gateways.${gateway}.agent to the config`);
  if (target.token === undefined)
    logger.warn(
      { gateway, tokenEnv: target.tokenEnv },
      'the gateway token is not set here: loopback is checked with the device identity alone and unit drift is not compared on this host',
    );

  const identity = await loadAgentIdentity(options.identityPath ?? identityPath(config.identity.path, env), logger);
  const checker = createChecker({ connect: connectToGateway, ...(identity ? { identity } : {}), ...options.ladder });
  const queue = hostCheckQueueName(gateway);
  const connection = createWorkerConnection(options.redisUrl);
  const redisHealth = createRedisHealth({ logger, target: describeRedisTarget(options.redisUrl) });
  redisHealth.watch('agent', connection);
  const processor = createHostCheckProcessor({
    gateway,
    maxAgeMs: options.maxAgeMs ?? 5 * 60_000,
    logger,
    runChecks: () => runHostChecks(settings, target, { ...options.host, checker }),
  });
  // One job at a time: the checks are cheap, and a burst of requests must not become a burst of handshakes.
  const worker = new Worker(queue, processor, { connection, prefix: options.prefix, concurrency: 1 });
  worker.on('failed', (job: Job | undefined, error: Error) => logger.warn({ jobId: job?.id, reason: error.message.slice(0, 300) }, 'host-check job failed'));
  worker.on('completed', (job: Job) => logger.info({ jobId: job.id }, 'host checks answered'));
  worker.on('error', (error) => logWorkerError(logger, redisHealth, error, 'agent worker error'));
  await worker.waitUntilReady();
  logger.info({ gateway, queue, unit: settings.unit, port: settings.port, bind: settings.bind, deviceId: identity?.deviceId }, 'host agent started');

  let closing: Promise<void> | undefined;
  return {
    settings,
    queue,
    worker,
    close({ graceMs = 20_000 } = {}) {
      closing ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<'late'>((resolve) => {
          timer = setTimeout(() => resolve('late'), graceMs);
          timer.unref();
        });
        const closed = worker.close().then(
          () => 'closed' as const,
          () => 'closed' as const,
        );
        if ((await Promise.race([closed, late])) === 'late') {
          logger.warn({ graceMs }, 'the agent did not stop within the grace (Redis unreachable?): dropping the connection');
          void worker.close(true).catch(() => undefined);
        }
        clearTimeout(timer);
        connection.disconnect();
      })();
      return closing;
    },
  };
}

async function loadAgentIdentity(path: string, logger: Logger): Promise<DeviceIdentity | undefined> {
  try {
    return await loadOrCreateDeviceIdentity(path);
  } catch (error) {
    logger.warn({ err: error }, 'device identity unavailable: loopback is checked token-only');
    return undefined;
  }
}
