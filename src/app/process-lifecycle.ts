import { parseArgs } from 'node:util';
import { configPathFrom } from './cli-io.js';
import { loadConfigFile } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Env } from '../config/targets.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';

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

/** How long past its grace a stopping process may take before it is ended regardless. */
export const FORCE_EXIT_AFTER_GRACE_MS = 1_500;

export interface RunUntilSignalOptions {
  /** The process's shutdown grace (in-flight work may finish within it). */
  graceMs: number;
  /** Test seam; the process's own exit otherwise. */
  exit?: (code: number) => void;
  signals?: Pick<NodeJS.Process, 'on' | 'removeListener'>;
}

/**
 * Runs until SIGTERM or SIGINT, then stops once and exits — always, and in bounded time: stop()
 * gets the grace, and if it has not returned by grace + 1.5 s (Redis gone, a close that waits for
 * a reconnect that never comes) the process exits anyway, well inside systemd's 30 s stop timeout.
 * A second signal exits at once: an operator pressing Ctrl-C twice means it.
 */
export async function runUntilSignal(stop: () => Promise<void>, logger: Logger, options: RunUntilSignalOptions): Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? process;
  let stopping: Promise<void> | undefined;
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        exit(130);
        return;
      }
      logger.info({ signal, graceMs: options.graceMs }, 'shutting down');
      const force = setTimeout(() => {
        logger.error({ graceMs: options.graceMs }, 'shutdown did not finish within the grace: exiting anyway');
        exit(1);
      }, options.graceMs + FORCE_EXIT_AFTER_GRACE_MS);
      force.unref();
      stopping = stop()
        .catch((error: unknown) => logger.error({ err: error }, 'shutdown failed'))
        .finally(() => clearTimeout(force));
      void stopping.then(resolve);
    };
    signals.on('SIGTERM', () => shutdown('SIGTERM'));
    signals.on('SIGINT', () => shutdown('SIGINT'));
  });
  logger.info('stopped');
  // Whatever a library left running (a reconnect timer to a Redis that is gone) must not keep us.
  exit(0);
}
