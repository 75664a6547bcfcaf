import { parseArgs } from 'node:util';
import type { CliIo } from './cli.js';
import { configPathFrom } from './cli.js';
import { loadConfigFile } from './config/load.js';
import { readEnvOptions } from './config/env.js';
import type { Env } from './config/targets.js';
import { UsageError } from './errors.js';
import { createLogger } from './log.js';
import { startRuntime } from './runtime.js';

/**
 * `clawops start | bot | worker`: a long-running process. SIGTERM/SIGINT stop it gracefully:
 * no new commands, in-flight checks finish (bounded), queues and Redis closed; a second signal
 * during shutdown changes nothing (stop is idempotent).
 */
export async function runProcess(command: string, args: string[], env: Env, io: CliIo): Promise<number> {
  if (command === 'agent') {
    // The host agent needs Redis and no Slack: its own process (src/agent/).
    const { runAgentProcess } = await import('./agent/agent-process.js');
    return runAgentProcess(args, env, io);
  }
  let values: { config?: string };
  try {
    values = parseArgs({ args, options: { config: { type: 'string' } }, strict: true }).values as { config?: string };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const path = configPathFrom(values.config, env);
  if (!path) throw new UsageError(`clawops ${command} needs a config file: pass --config PATH or set CLAWOPS_CONFIG (see examples/clawops.yaml)`);
  const config = await loadConfigFile(path);
  const options = readEnvOptions(env);
  if (!options.slack) throw new UsageError(`Slack is not configured: ${options.slackProblem}`);
  const logger = createLogger({ level: options.logLevel });
  const runtime = await startRuntime({ config, env, options, logger, roles: { bot: command !== 'worker', worker: command !== 'bot' } });

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      void runtime.stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        resolve();
      });
    };
    // `on`, not `once`: a second signal during shutdown must not kill the process mid-drain;
    // runtime.stop() is idempotent, so it only waits for the same shutdown.
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });
  logger.info('stopped');
  return 0;
}
