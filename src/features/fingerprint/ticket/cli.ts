import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CheckResult } from '../../../check/checker.js';
import type { Config } from '../../../config/schema.js';
import type { Env } from '../../../config/targets.js';
import { AppError, UsageError } from '../../../errors.js';
import { identityPath } from '../../../config/paths.js';
import { createFileFingerprintStore } from '../file-store.js';
import { parseOrUsage, type TerminalIo } from '../cli.js';
import { buildTicketBundle } from './bundle.js';
import { knownSecrets } from './secrets.js';

/**
 * `clawops ticket NAME [--output PATH]`: checks NAME now and writes the ticket bundle — the same
 * file `/gateway ticket` uploads — to PATH (default `./clawops-ticket-<name>-<time>.md`, 0600).
 * Exit 0 when written, 2 on a usage or config error or when the file cannot be written.
 */
export type RunTicketCheck = (
  request: { config?: string; names: string[] },
  env: Env,
  io: TerminalIo,
) => Promise<{ config?: Config; results: CheckResult[]; fingerprintPath: string }>;

const USAGE = 'expected `clawops ticket NAME [--output PATH] [--config PATH]`';

export async function ticketCommand(args: string[], env: Env, io: TerminalIo, deps: { runChecks: RunTicketCheck; now?: () => number }): Promise<number> {
  const { values, positionals } = parseOrUsage(args, USAGE, { config: { type: 'string' }, output: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const run = await deps.runChecks({ ...(typeof values.config === 'string' ? { config: values.config } : {}), names: positionals }, env, io);
  const result = run.results[0]!;
  const gateway = result.report.gateway.name;
  const store = createFileFingerprintStore(run.fingerprintPath);
  const [good, lastFailure] = await Promise.all([store.goodHistory(gateway), store.lastFailure(gateway)]);
  const secrets = await knownSecrets({ ...(run.config ? { config: run.config } : {}), env, identityPath: identityPath(run.config?.identity.path, env) });
  const bundle = buildTicketBundle({
    gateway,
    current: { report: result.report },
    good,
    ...(lastFailure ? { lastFailure: { report: lastFailure.report } } : {}),
    secrets,
    now: (deps.now ?? Date.now)(),
  });
  const path = typeof values.output === 'string' ? values.output : join('.', bundle.filename);
  try {
    await writeFile(path, bundle.content, { mode: 0o600 });
  } catch (error) {
    throw new AppError(
      'TICKET_WRITE',
      `cannot write the ticket bundle to ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}): pass --output PATH in a writable directory (${dirname(path)} is not)`,
    );
  }
  io.stdout(
    `wrote ${path} (${Math.ceil(Buffer.byteLength(bundle.content) / 1024)} KiB): the check report (${result.diagnosis.state}), the success fingerprint and its diff, the doctor lint, the last failed check — secrets scrubbed\n`,
  );
  return 0;
}
