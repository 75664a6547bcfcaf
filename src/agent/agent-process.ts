import { parseArgs } from 'node:util';
import type { CliIo } from '../cli.js';
import { configPathFrom } from '../cli.js';
import { readEnvOptions } from '../config/env.js';
import { loadConfigFile } from '../config/load.js';
import type { Env } from '../config/targets.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../log.js';
import { startAgent } from './start-agent.js';

/**
 * `clawops agent --gateway NAME [--config PATH]`: the host agent as a long-running process. Needs
 * Redis (REDIS_URL) and the gateway's token variable, no Slack. SIGTERM/SIGINT: the job in hand
 * finishes, then the worker and Redis close.
 */
export async function runAgentProcess(args: string[], env: Env, io: CliIo): Promise<number> {
  let values: { config?: string; gateway?: string };
  try {
    values = parseArgs({ args, options: { config: { type: 'string' }, gateway: { type: 'string' } }, strict: true }).values as typeof values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (!values.gateway) throw new UsageError('clawops agent needs --gateway NAME: the gateway whose host this is');
  const path = configPathFrom(values.config, env);
  if (!path) throw new UsageError('clawops agent needs a config file: pass --config PATH or set CLAWOPS_CONFIG (see examples/clawops.yaml)');
  const config = await loadConfigFile(path);
  const options = readEnvOptions(env);
  const logger = createLogger({ level: options.logLevel }).child({ component: 'agent', gateway: values.gateway });
  const agent = await startAgent({ config, gateway: values.gateway, env, redisUrl: options.redisUrl, prefix: options.redisPrefix, logger });
  io.stderr(`clawops agent: consuming ${agent.queue} (unit ${agent.settings.unit}, port ${agent.settings.port})\n`);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void agent.close().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}
