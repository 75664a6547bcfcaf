import type { CliIo } from './cli-io.js';
import { readEnvOptions } from '../config/env.js';
import type { Env } from '../config/targets.js';
import { UsageError } from '../errors.js';
import { createLogger } from '../log.js';
import { loadProcessConfig, parseProcessArgs, runUntilSignal } from './process-lifecycle.js';
import { startRuntime } from './composition-root.js';
import { startHealthServer } from '../health/server.js';

/**
 * `clawops start | bot | worker`: a long-running process. SIGTERM/SIGINT stop it gracefully:
 * no new commands, in-flight checks finish (within queue.shutdownGraceMs), queues and Redis
 * closed; the process exits within the grace + 1.5 s whatever Redis does, and at once on a
 * second signal. /healthz, /readyz, /metrics and /probe are served on CLAWOPS_METRICS_ADDR.
 */
export async function runProcess(command: string, args: string[], env: Env, io: CliIo): Promise<number> {
  if (command === 'agent') {
    // The host agent needs Redis and no Slack: its own process (src/agent/).
    const { runAgentProcess } = await import('./agent-process.js');
    return runAgentProcess(args, env, io);
  }
  const values = parseProcessArgs(args, ['config']);
  const config = await loadProcessConfig(command, values.config, env);
  const options = readEnvOptions(env, config.redis);
  if (!options.slack) throw new UsageError(`Slack is not configured: ${options.slackProblem}`);
  const logger = createLogger({ level: options.logLevel });
  const runtime = await startRuntime({ config, env, options, logger, roles: { bot: command !== 'worker', worker: command !== 'bot' } });
  const health = options.healthAddr
    ? await startHealthServer({ ...options.healthAddr, readiness: runtime.readiness, logger, routes: runtime.metrics.routes })
    : undefined;
  await runUntilSignal(
    async () => {
      await runtime.stop();
      await health?.close();
    },
    logger,
    { graceMs: config.queue.shutdownGraceMs },
  );
  return 0;
}
