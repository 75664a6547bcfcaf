import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { execFileOutcome, type ExecFileFn } from './exec-file.js';
import { parseSystemctlShow, UNIT_SHOW_PROPERTIES, type ParsedUnit } from './systemd-unit.js';
import type { EnvFileRead } from './unit-drift.js';

/**
 * Thin I/O for the unit check: `systemctl show` of the configured unit, then the EnvironmentFiles
 * systemd itself names. The unit name comes from clawops' config, never from a job; the file paths
 * come from systemd. Nothing here decides anything: unit-drift.ts does, on the values returned.
 *
 * The returned reading holds the unit's environment (secrets included) in Maps and texts: hand it to
 * assessUnitDrift and drop it; do not log it.
 */

/**
 * systemd unit names: letters, digits and `@._-`. The first character may not be `-` so that a name
 * can never read as a systemctl option (`-H host` would run the query over SSH).
 */
export const UNIT_NAME_PATTERN = /^[A-Za-z0-9@._][A-Za-z0-9@._-]{0,255}$/;

export type ReadTextFn = (path: string) => Promise<string>;

export interface ReadUnitDeps {
  exec: ExecFileFn;
  readFile: ReadTextFn;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type UnitReading =
  | { available: false; reason: 'invalid-unit-name' | 'systemctl-missing' | 'systemd-unavailable' | 'timeout'; detail?: string }
  | { available: true; unit: ParsedUnit; envFiles: Map<string, EnvFileRead> };

const defaults: ReadUnitDeps = {
  exec: execFileOutcome,
  readFile: (path) => readFile(path, 'utf8'),
  timeoutMs: 5_000,
};

export async function readUnit(unitName: string, overrides: Partial<ReadUnitDeps> = {}): Promise<UnitReading> {
  const deps = { ...defaults, ...overrides };
  if (!UNIT_NAME_PATTERN.test(unitName)) return { available: false, reason: 'invalid-unit-name' };
  const args = ['show', '--no-pager', `--property=${UNIT_SHOW_PROPERTIES.join(',')}`, '--', unitName];
  // LC_ALL=C: systemctl's words and timestamps stay parseable whatever the host's locale.
  const env = { ...process.env, LC_ALL: 'C', SYSTEMD_PAGER: '' };
  const shown = await deps.exec('systemctl', args, { timeoutMs: deps.timeoutMs, env, ...(deps.signal ? { signal: deps.signal } : {}) });
  if (!shown.ok) {
    if (shown.reason === 'missing') return { available: false, reason: 'systemctl-missing' };
    if (shown.reason === 'timeout') return { available: false, reason: 'timeout' };
    // e.g. "System has not been booted with systemd as init system" in a container
    return { available: false, reason: 'systemd-unavailable', detail: firstLine(shown.stderr) || shown.message };
  }
  const unit = parseSystemctlShow(shown.stdout);
  const envFiles = new Map<string, EnvFileRead>();
  for (const { path } of unit.environmentFiles) {
    if (!envFiles.has(path)) envFiles.set(path, await readEnvFile(path, deps.readFile));
  }
  return { available: true, unit, envFiles };
}

async function readEnvFile(path: string, read: ReadTextFn): Promise<EnvFileRead> {
  // systemd only accepts absolute paths here; anything else is not a file we should guess at.
  if (!isAbsolute(path)) return { ok: false, reason: 'unreadable', code: 'ENOTABSOLUTE' };
  try {
    return { ok: true, text: await read(path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing' };
    return { ok: false, reason: 'unreadable', ...(code ? { code } : {}) };
  }
}

function firstLine(text: string): string {
  return (text.trim().split('\n')[0] ?? '').slice(0, 200);
}
