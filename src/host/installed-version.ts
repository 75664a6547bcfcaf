import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod';
import { execFileOutcome, type ExecFileFn } from './exec-file.js';
import type { ReadTextFn } from './read-unit.js';

/**
 * The openclaw version installed on disk, to set beside the version the running Gateway reports:
 * when they differ the process predates an upgrade (the symptom table's "stale process after an
 * upgrade", behind `ws-closed-early` and `handshake-timeout`).
 */

/** Where global npm installs land on common distributions; `npm root -g` is asked first. */
export const DEFAULT_GLOBAL_ROOTS = ['/usr/lib/node_modules', '/usr/local/lib/node_modules'];

const PackageJson = z.object({ name: z.literal('openclaw'), version: z.string().min(1).max(64) });

export interface InstalledVersionDeps {
  exec: ExecFileFn;
  readFile: ReadTextFn;
  /** Extra roots first (e.g. a service user's prefix from the config), then `npm root -g`, then the defaults. */
  extraRoots: readonly string[];
  defaultRoots: readonly string[];
  timeoutMs: number;
}

export type InstalledVersion =
  { found: true; version: string; packageJsonPath: string; others: { packageJsonPath: string; version: string }[] } | { found: false; searched: string[] };

const defaults: InstalledVersionDeps = {
  exec: execFileOutcome,
  readFile: (path) => readFile(path, 'utf8'),
  extraRoots: [],
  defaultRoots: DEFAULT_GLOBAL_ROOTS,
  timeoutMs: 5_000,
};

export async function findInstalledVersion(overrides: Partial<InstalledVersionDeps> = {}): Promise<InstalledVersion> {
  const deps = { ...defaults, ...overrides };
  const npmRoot = await deps.exec('npm', ['root', '-g'], { timeoutMs: deps.timeoutMs });
  const fromNpm = npmRoot.ok ? npmRoot.stdout.trim().split('\n')[0]?.trim() : undefined;
  const roots = [...new Set([...deps.extraRoots, ...(fromNpm ? [fromNpm] : []), ...deps.defaultRoots])].filter((r) => isAbsolute(r));
  const found: { packageJsonPath: string; version: string }[] = [];
  for (const root of roots) {
    const packageJsonPath = join(root, 'openclaw', 'package.json');
    const version = await readVersion(packageJsonPath, deps.readFile);
    if (version && !found.some((f) => f.packageJsonPath === packageJsonPath)) found.push({ packageJsonPath, version });
  }
  const [first, ...others] = found;
  if (!first) return { found: false, searched: roots };
  // More than one install is itself a hint: the unit may run another one than `npm i -g` updated.
  return { found: true, version: first.version, packageJsonPath: first.packageJsonPath, others };
}

async function readVersion(path: string, read: ReadTextFn): Promise<string | undefined> {
  try {
    const parsed = PackageJson.safeParse(JSON.parse(await read(path)));
    return parsed.success ? parsed.data.version : undefined;
  } catch {
    return undefined;
  }
}

export interface VersionComparison {
  status: 'match' | 'stale-process' | 'unknown';
  running?: string;
  installed?: string;
  summary: string;
}

/** Pure. Versions compare as written, minus a leading `v`: any difference means the process is not what is installed. */
export function compareRunningInstalled(running: string | undefined, installed: string | undefined): VersionComparison {
  const r = normalise(running);
  const i = normalise(installed);
  const known = { ...(r ? { running: r } : {}), ...(i ? { installed: i } : {}) };
  if (!r || !i) {
    return { status: 'unknown', ...known, summary: `running ${r ?? 'unknown'}, installed ${i ?? 'unknown'}: cannot compare` };
  }
  if (r === i) return { status: 'match', ...known, summary: `running ${r} is the installed version` };
  return {
    status: 'stale-process',
    ...known,
    summary: `the Gateway runs ${r} but ${i} is installed: the process predates the last upgrade or downgrade; restart it`,
  };
}

function normalise(version: string | undefined): string | undefined {
  const v = version?.trim().replace(/^v/, '');
  return v ? v : undefined;
}
