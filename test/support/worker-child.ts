/**
 * A clawops worker in its own process, so that a test can kill it with SIGKILL mid-check and
 * prove that BullMQ recovers the job and that the verdict is posted exactly once.
 * Input: CLAWOPS_TEST_CHILD = JSON {config, env}. Prints "ready" once the worker runs.
 */
import { ConfigSchema } from '../../src/config/schema.js';
import { readEnvOptions } from '../../src/config/env.js';
import { createLogger } from '../../src/log.js';
import { startRuntime } from '../../src/app/composition-root.js';

const input = JSON.parse(process.env.CLAWOPS_TEST_CHILD ?? '{}') as { config: unknown; env: Record<string, string> };
const config = ConfigSchema.parse(input.config);
const runtime = await startRuntime({
  config,
  env: input.env,
  options: readEnvOptions(input.env),
  logger: createLogger({ level: 'silent' }),
  roles: { bot: false, worker: true },
  lockDurationMs: 1_000,
  stalledIntervalMs: 500,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => void runtime.stop().then(() => process.exit(0)));
