import type { CliIo } from './cli.js';
import type { Env } from './config/targets.js';

/** The long-running processes (Slack bot, worker, host agent). Filled in by the bot issue. */
export async function runProcess(command: string, _args: string[], _env: Env, io: CliIo): Promise<number> {
  io.stderr(`clawops ${command}: not available in this build yet\n`);
  return 2;
}
