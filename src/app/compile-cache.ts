import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { ONE_SHOT_COMMANDS } from './cli-usage.js';

/**
 * Loads a CommonJS bundle through V8's code cache: the bytecode of every function the last run
 * compiled, so that a one-shot `clawops check` does not parse and compile its code again on every
 * start. Measured (README, "Where a check's time goes"): compiling was ~35 ms of a ~105 ms check
 * against a fast Gateway; from the cache the same check takes ~73 ms. Node 22 has this built in
 * (`module.enableCompileCache()`); Node 20, which clawops supports, offers it only for scripts
 * (`vm.Script`'s `cachedData`), hence a CommonJS bundle for the one-shot commands.
 *
 * The cache is an optimisation and never a reason to fail: an unreadable, unwritable or corrupt
 * cache means the code is compiled from source, as without one. V8 refuses data made by another
 * V8 version or with other flags (`cachedDataRejected`), but checks the source only by its length,
 * so the file name carries a hash of the source: a rebuilt bundle never meets an old cache.
 * Whoever can write the cache directory can run code as this user, so a directory that another
 * user owns, or that group or others may write, is not used.
 */
export interface CompileCacheOptions {
  /** `CLAWOPS_COMPILE_CACHE` (a directory, or `off`), `XDG_CACHE_HOME` and `HOME` are read. */
  env: NodeJS.ProcessEnv;
  /** Names the cache entry, so that each command keeps the functions its own runs compiled. */
  label: string;
  /** Whose directory the cache must be in: this process's user (tests pass another). */
  uid?: number;
}

export interface LoadedBundle<T> {
  exports: T;
  /** Whether V8 took the cached code (false on the first run, after a rebuild or when disabled). */
  fromCache: boolean;
  /** Writes the cache when there was none or V8 refused it; call once the command has run, so it holds what ran. */
  save(): void;
}

const LABEL = /^[a-z][a-z0-9-]{0,31}$/;
/** CommonJS's own function wrapper (`require('node:module').wrap`, which the ES module API does not export). */
const wrap = (source: string) => `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;

/** The cache directory, or undefined when caching is off or there is no home to keep it in. */
export function compileCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const configured = env.CLAWOPS_COMPILE_CACHE?.trim();
  if (configured === 'off' || configured === '0') return undefined;
  if (configured) return configured;
  const cacheHome = env.XDG_CACHE_HOME?.trim() ? env.XDG_CACHE_HOME : env.HOME?.trim() ? join(env.HOME, '.cache') : safeHomedir();
  return cacheHome ? join(cacheHome, 'clawops', 'compile-cache') : undefined;
}

function safeHomedir(): string | undefined {
  try {
    const home = homedir();
    return home ? join(home, '.cache') : undefined;
  } catch {
    return undefined;
  }
}

/** Only a directory this user owns and nobody else may write (see above). A missing one is made so. */
function trustedDir(dir: string, uid: number | undefined): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stats = statSync(dir);
    return stats.isDirectory() && (uid === undefined || stats.uid === uid) && (stats.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

export function loadBundleWithCompileCache<T>(file: string, options: CompileCacheOptions): LoadedBundle<T> {
  if (!LABEL.test(options.label)) throw new Error(`compile cache label ${JSON.stringify(options.label)} is not a short lower-case name`);
  const bytes = readFileSync(file);
  const source = bytes.toString('utf8');
  const dir = compileCacheDir(options.env);
  const usable = dir !== undefined && trustedDir(dir, options.uid ?? process.getuid?.());
  const key = createHash('sha256').update(bytes).digest('hex').slice(0, 24);
  const suffix = `-${options.label}.v8cache`;
  const cachePath = usable ? join(dir, `${key}${suffix}`) : undefined;
  const cachedData = cachePath ? readIfPresent(cachePath) : undefined;

  const script = new Script(wrap(source), { filename: file, ...(cachedData ? { cachedData } : {}) });
  const fromCache = cachedData !== undefined && script.cachedDataRejected === false;
  const module = { exports: {} as T };
  const compiled = script.runInThisContext() as (exports: T, require: NodeJS.Require, module: { exports: T }, filename: string, dirname: string) => void;
  compiled.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));

  let saved = false;
  const save = () => {
    if (saved || fromCache || !cachePath || !dir) return;
    saved = true;
    const temporary = `${cachePath}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
      renameSync(temporary, cachePath);
      // Caches of earlier builds of this bundle are dead weight (~0.6 MB each): drop them.
      for (const entry of readdirSync(dir)) if (entry.endsWith(suffix) && entry !== basename(cachePath)) rmSync(join(dir, entry), { force: true });
    } catch {
      // A read-only or full disk: the next run compiles from source again, as this one did.
      try {
        rmSync(temporary, { force: true });
      } catch {
        // nothing was left there
      }
    }
  };
  return { exports: module.exports, fromCache, save };
}

/** The cache entry for a command: its own name when it is one of ours, else one shared entry (typos, usage errors). */
export function compileCacheLabel(command: string | undefined): string {
  return command !== undefined && ONE_SHOT_COMMANDS.has(command) ? command : 'other';
}
