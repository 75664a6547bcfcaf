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
import { identityPath } from '../paths.js';
import type { LadderDeps } from '../probes/ladder.js';
import { createWorkerConnection } from '../queue/connection.js';
import { hostCheckQueueName } from '../queue/host-check-job.js';

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
  close(): Promise<void>;
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
  connection.on('error', (error) => logger.debug({ err: error }, 'redis (agent) error'));
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
  worker.on('error', (error) => logger.warn({ err: error }, 'agent worker error'));
  await worker.waitUntilReady();
  logger.info({ gateway, queue, unit: settings.unit, port: settings.port, bind: settings.bind, deviceId: identity?.deviceId }, 'host agent started');

  let closing: Promise<void> | undefined;
  return {
    settings,
    queue,
    worker,
    close() {
      closing ??= (async () => {
        await worker.close();
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
