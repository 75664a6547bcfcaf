import { isOneShot } from './cli-usage.js';
import type { CliIo } from './cli-io.js';
import type { Env } from '../config/targets.js';
import { reportError, runOneShotCli } from './one-shot-cli.js';

export { configPathFrom, type CliIo } from './cli-io.js';
export { EXIT, reportError, runChecks, runOneShotCli, selectTargets, type CheckRun, type RunChecks } from './one-shot-cli.js';

/**
 * `clawops <command>`: the terminal entry point, every command. The one-shot commands are
 * one-shot-cli.ts's; the long-running processes (start, bot, worker, agent) are imported only when
 * asked for. The shipped bin calls this for the long-running ones and loads the one-shot commands
 * from their own bundle (bin.ts); tests call it for all of them.
 */
export async function runCli(argv: string[], env: Env, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (isOneShot(command)) return runOneShotCli(argv, env, io);
  try {
    const { runProcess } = await import('./main.js');
    return await runProcess(command!, rest, env, io);
  } catch (error) {
    return reportError(error, io);
  }
}
