import { Worker, type Job } from 'bullmq';
import { createHostCheckProcessor } from '../../jobs/host-checks.js';
import { createChecker } from '../check/checker.js';
import { resolveAgentSettings, type AgentSettings } from '../config/agent-settings.js';
import type { Config } from '../config/schema.js';
import { resolveTarget, type Env } from '../config/targets.js';
import { UsageError } from '../errors.js';
import { runHostChecks, type HostCheckDeps } from '../host/run-host-checks.js';
import type { Logger } from '../log.js';
import { connectToGateway } from '../openclaw/client.js';
import { loadOrCreateDeviceIdentity } from '../openclaw/device-identity.js';
import type { DeviceIdentity } from '../openclaw/types.js';
import { identityPath } from '../config/paths.js';
import type { LadderDeps } from '../probes/ladder.js';
import { createWorkerConnection } from '../queue/connection.js';
import { hostCheckQueueName } from '../queue/host-check-job.js';
import { describeRedisTarget } from '../config/redis-target.js';
import { createRedisHealth } from '../health/redis-health.js';
import { logWorkerError } from '../health/worker-errors.js';

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
  if (target.token === undefined) logger.warn({ gateway, tokenEnv: target.tokenEnv }, 'the gateway token is not set here: loopback is checked with the device identity alone and unit drift is not compared on this host');

  const identity = await loadIdentity(options.identityPath ?? identityPath(config.identity.path, env), logger);
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
        const closed = worker.close().then(() => 'closed' as const, () => 'closed' as const);
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

async function loadIdentity(path: string, logger: Logger): Promise<DeviceIdentity | undefined> {
  try {
    return await loadOrCreateDeviceIdentity(path);
  } catch (error) {
    logger.warn({ err: error }, 'device identity unavailable: loopback is checked token-only');
    return undefined;
  }
}
