import { parseArgs } from 'node:util';
import type { CheckResult } from '../../check/checker.js';
import type { Env } from '../../config/targets.js';
import { UsageError } from '../../errors.js';
import { buildFingerprint } from './build.js';
import { createFileFingerprintStore } from './file-store.js';
import { renderFingerprintTerminal } from './render-view.js';
import { fingerprintView } from './view.js';

/**
 * `clawops fingerprint NAME [--json]`: checks NAME now, then shows its fingerprint, the last good
 * one before it (the state file `clawops check` keeps) and what changed. Exit 0 when the check is up
 * (its fingerprint is the new last good), 1 when it failed, 2 on a usage or config error.
 */
export interface TerminalIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTty: boolean;
}

/** The check run the CLI's composition gives this command (src/cli.ts `runChecks`). */
export type RunNamedCheck = (
  request: { config?: string; names: string[] },
  env: Env,
  io: TerminalIo,
) => Promise<{ results: CheckResult[]; fingerprintPath: string }>;

export const FINGERPRINT_USAGE = 'expected `clawops fingerprint NAME [--json] [--config PATH]`';

export async function fingerprintCommand(args: string[], env: Env, io: TerminalIo, deps: { runChecks: RunNamedCheck }): Promise<number> {
  const { values, positionals } = parseOrUsage(args, FINGERPRINT_USAGE, { config: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError(FINGERPRINT_USAGE);
  const run = await deps.runChecks({ ...(typeof values.config === 'string' ? { config: values.config } : {}), names: positionals }, env, io);
  const result = run.results[0]!;
  const gateway = result.report.gateway.name;
  const good = await createFileFingerprintStore(run.fingerprintPath).goodHistory(gateway);
  const view = fingerprintView(gateway, buildFingerprint(result.report, result.diagnosis), good);
  if (values.json === true) {
    io.stdout(
      `${JSON.stringify({ gateway, current: view.current, lastGood: view.lastGood ?? null, changes: view.changes, previous: view.previous ?? null }, null, 2)}\n`,
    );
  } else {
    io.stdout(renderFingerprintTerminal(view));
  }
  return result.diagnosis.state === 'unhealthy' ? 1 : 0;
}

export function parseOrUsage<T extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(args: string[], usage: string, options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${usage}`);
  }
}
