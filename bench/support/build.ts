import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The whole-process figures are of the built JavaScript (the `clawops` bin, how clawops runs
 * in production), not of `tsx`. The build is run when `dist/` is missing or older than a source
 * file: measuring stale JavaScript would report figures of code that no longer exists.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The shipped executable: package.json `bin.clawops` (the esbuild bundle that `npm run build` makes). */
export const DIST_CLI = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { clawops: string } }).bin.clawops);
const SOURCE_DIRS = ['src', 'commands', 'jobs'];
const BUILD_TIMEOUT_MS = 180_000;

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds when needed; returns why it built (for the bench's log), or undefined when dist was current. */
export async function ensureBuilt(): Promise<string | undefined> {
  let reason: string | undefined;
  if (!existsSync(DIST_CLI)) reason = 'dist/ is missing';
  else {
    const built = statSync(DIST_CLI).mtimeMs;
    const newest = Math.max(...SOURCE_DIRS.filter((dir) => existsSync(join(ROOT, dir))).map((dir) => newestSourceMtime(join(ROOT, dir))));
    if (newest > built) reason = 'a source file is newer than dist/';
  }
  if (!reason) return undefined;
  const started = Date.now();
  try {
    await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n') || e.message;
    // tsc emits JavaScript despite type errors. In a tree others are editing, a type error in a file
    // `check` never loads should not stop the bench: measure what was emitted, and say so loudly.
    if (existsSync(DIST_CLI) && statSync(DIST_CLI).mtimeMs >= started - 1_000 && /error TS\d+/.test(output)) {
      return `${reason}; tsc reported type errors, measuring the JavaScript it emitted:\n${output}`;
    }
    throw new Error(`npm run build failed (${reason}):\n${output}`);
  }
  return reason;
}
