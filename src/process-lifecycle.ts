import { parseArgs } from 'node:util';
import { configPathFrom } from './cli.js';
import { loadConfigFile } from './config/load.js';
import type { Config } from './config/schema.js';
import type { Env } from './config/targets.js';
import { UsageError } from './errors.js';
import type { Logger } from './log.js';

/** The flags of a long-running process, parsed strictly; a bad flag is a usage error. */
export function parseProcessArgs<K extends string>(args: string[], names: readonly K[]): Partial<Record<K, string>> {
  try {
    const options = Object.fromEntries(names.map((name) => [name, { type: 'string' as const }]));
    return parseArgs({ args, options, strict: true }).values as Partial<Record<K, string>>;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A long-running process needs a config file: --config, else $CLAWOPS_CONFIG, else ./clawops.yaml. */
export async function loadProcessConfig(command: string, explicit: string | undefined, env: Env): Promise<Config> {
  const path = configPathFrom(explicit, env);
  if (!path) throw new UsageError(`clawops ${command} needs a config file: pass --config PATH or set CLAWOPS_CONFIG (see examples/clawops.yaml)`);
  return loadConfigFile(path);
}

/**
 * Runs until SIGTERM or SIGINT, then stops once. Handlers stay installed (`on`, not `once`): a
 * second signal during shutdown must not kill the process mid-drain, it only waits for the same stop.
 */
export async function runUntilSignal(stop: () => Promise<void>, logger: Logger): Promise<void> {
  let stopping: Promise<void> | undefined;
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      if (!stopping) logger.info({ signal }, 'shutting down');
      stopping ??= stop().catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'));
      void stopping.then(resolve);
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });
  logger.info('stopped');
}
