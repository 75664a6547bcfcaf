import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileCacheDir, compileCacheLabel, loadBundleWithCompileCache } from '../../src/app/compile-cache.js';

/**
 * The one-shot bundle's code cache (src/app/compile-cache.ts), on real files and real V8 cached
 * data: a second run takes the cache, a changed bundle or a corrupt cache is compiled from source
 * (and the answer is the same), and a directory someone else could write is never used.
 */
let work: string;
let bundle: string;
let cache: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'clawops-compile-cache-'));
  bundle = join(work, 'bundle.cjs');
  cache = join(work, 'cache');
  writeBundle('one');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A CommonJS bundle with a function that runs (so the cache holds compiled code), its answer tagged. */
function writeBundle(tag: string): void {
  writeFileSync(
    bundle,
    `'use strict';\nconst { basename } = require('node:path');\nfunction answer(x) { return ${JSON.stringify(tag)} + ':' + x * 2 + ':' + basename(__filename); }\nmodule.exports = { answer };\n`,
  );
}

type Bundle = { answer(x: number): string };
let copies = 0;
/**
 * Each load reads a fresh copy of the bundle (same content, its own name): V8 keeps compiled scripts
 * in memory by source and name, and would otherwise answer a second load in this process from there
 * without looking at the cache file at all.
 */
const load = (env: NodeJS.ProcessEnv = { CLAWOPS_COMPILE_CACHE: cache }, label = 'check', uid?: number) => {
  copies += 1;
  const copy = join(work, `copy-${copies}`);
  mkdirSync(copy);
  copyFileSync(bundle, join(copy, 'bundle.cjs'));
  return loadBundleWithCompileCache<Bundle>(join(copy, 'bundle.cjs'), { env, label, ...(uid !== undefined ? { uid } : {}) });
};
const entries = () => (existsSync(cache) ? readdirSync(cache).sort() : []);

describe('loadBundleWithCompileCache', () => {
  it('compiles from source the first time, saves what ran, and takes the cache the next time', () => {
    const first = load();
    expect(first.exports.answer(21)).toBe('one:42:bundle.cjs');
    expect(first.fromCache).toBe(false);
    expect(entries()).toEqual([]);
    first.save();
    const [entry] = entries();
    expect(entry).toMatch(/^[0-9a-f]{24}-check\.v8cache$/);
    // Only this user may read or write it.
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(statSync(join(cache, entry!)).mode & 0o777).toBe(0o600);

    const second = load();
    expect(second.fromCache).toBe(true);
    expect(second.exports.answer(2)).toBe('one:4:bundle.cjs');
    const { mtimeMs } = statSync(join(cache, entry!));
    second.save(); // nothing to write: V8 took the cache
    expect(statSync(join(cache, entry!)).mtimeMs).toBe(mtimeMs);
  });

  it('a rebuilt bundle never meets the old cache, even of the same length, and the old entry is dropped', () => {
    load().save();
    const [old] = entries();
    writeBundle('two'); // same length as 'one': V8 alone would not tell them apart
    const rebuilt = load();
    expect(rebuilt.fromCache).toBe(false);
    expect(rebuilt.exports.answer(1)).toBe('two:2:bundle.cjs');
    rebuilt.save();
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).not.toBe(old);
    expect(load().fromCache).toBe(true);
  });

  it('each command keeps its own entry', () => {
    load(undefined, 'check').save();
    load(undefined, 'config').save();
    expect(entries().map((entry) => entry.replace(/^[0-9a-f]+-/, ''))).toEqual(['check.v8cache', 'config.v8cache']);
    expect(load(undefined, 'config').fromCache).toBe(true);
  });

  it('a corrupt cache is refused by V8: the bundle is compiled from source, answers the same, and the cache is rewritten', () => {
    load().save();
    const path = join(cache, entries()[0]!);
    writeFileSync(path, Buffer.alloc(4096, 7));
    const loaded = load();
    expect(loaded.fromCache).toBe(false);
    expect(loaded.exports.answer(5)).toBe('one:10:bundle.cjs');
    loaded.save();
    expect(load().fromCache).toBe(true);
  });

  it('never uses a directory that group or others may write: whoever can write it could run code as this user', () => {
    load().save();
    expect(load().fromCache).toBe(true);
    chmodSync(cache, 0o777);
    const loaded = load();
    expect(loaded.fromCache).toBe(false);
    expect(loaded.exports.answer(1)).toBe('one:2:bundle.cjs');
    const before = entries();
    rmSync(join(cache, before[0]!));
    loaded.save(); // and writes nothing there
    expect(entries()).toEqual([]);
  });

  it('never uses a directory another user owns', () => {
    load().save();
    const owner = statSync(cache).uid;
    expect(load(undefined, 'check', owner).fromCache).toBe(true);
    expect(load(undefined, 'check', owner + 1).fromCache).toBe(false);
  });

  it('off means off: no directory is made, nothing is written', () => {
    const loaded = load({ CLAWOPS_COMPILE_CACHE: 'off', HOME: work });
    loaded.save();
    expect(loaded.exports.answer(3)).toBe('one:6:bundle.cjs');
    expect(existsSync(join(work, '.cache'))).toBe(false);
  });

  it('a cache that cannot be made or written never fails the command', () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'not a directory');
    const loaded = load({ CLAWOPS_COMPILE_CACHE: join(file, 'cache') });
    expect(loaded.exports.answer(4)).toBe('one:8:bundle.cjs');
    expect(() => loaded.save()).not.toThrow();
  });

  it('refuses a label that is not a short lower-case name (it becomes part of a file name)', () => {
    expect(() => load(undefined, '../escape')).toThrow(/label/);
  });
});

describe('compileCacheDir and compileCacheLabel', () => {
  it('CLAWOPS_COMPILE_CACHE, else XDG_CACHE_HOME, else HOME/.cache', () => {
    expect(compileCacheDir({ CLAWOPS_COMPILE_CACHE: '/srv/cache', XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/srv/cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe(join('/x', 'clawops', 'compile-cache'));
    expect(compileCacheDir({ XDG_CACHE_HOME: ' ', HOME: '/h' })).toBe(join('/h', '.cache', 'clawops', 'compile-cache'));
    expect(compileCacheDir({ CLAWOPS_COMPILE_CACHE: 'off', HOME: '/h' })).toBeUndefined();
    expect(compileCacheDir({ CLAWOPS_COMPILE_CACHE: '0', HOME: '/h' })).toBeUndefined();
  });

  it('a command of ours has its own label; anything else shares one', () => {
    expect(compileCacheLabel('check')).toBe('check');
    expect(compileCacheLabel('ticket')).toBe('ticket');
    expect(compileCacheLabel('chekc')).toBe('other');
    expect(compileCacheLabel('../../x')).toBe('other');
  });
});
