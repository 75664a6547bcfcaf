import type { CliIo } from './cli-io.js';
import { readEnvOptions } from '../config/env.js';
import type { Env } from '../config/targets.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../log.js';
import { loadProcessConfig, parseProcessArgs, runUntilSignal } from './process-lifecycle.js';
import { startAgent } from './composition-root.js';

/**
 * `clawops agent --gateway NAME [--config PATH]`: the host agent as a long-running process. Needs
 * Redis (REDIS_URL, Sentinel, or the config file's `redis:`) and the gateway's token variable, no
 * Slack. SIGTERM/SIGINT: the job in hand finishes (within queue.shutdownGraceMs), then the worker
 * and Redis close; the process exits within the grace + 1.5 s even with Redis gone, and at once
 * on a second signal.
 */
export async function runAgentProcess(args: string[], env: Env, io: CliIo): Promise<number> {
  const values = parseProcessArgs(args, ['config', 'gateway']);
  if (!values.gateway) throw new UsageError('clawops agent needs --gateway NAME: the gateway whose host this is');
  const config = await loadProcessConfig('agent', values.config, env);
  const options = readEnvOptions(env, config.redis);
  const logger = createLogger({ level: options.logLevel }).child({ component: 'agent', gateway: values.gateway });
  const agent = await startAgent({ config, gateway: values.gateway, env, redisUrl: options.redisUrl, prefix: options.redisPrefix, logger });
  io.stderr(`clawops agent: consuming ${agent.queue} (unit ${agent.settings.unit}, port ${agent.settings.port})\n`);
  await runUntilSignal(() => agent.close({ graceMs: config.queue.shutdownGraceMs }), logger, { graceMs: config.queue.shutdownGraceMs });
  return 0;
}
