import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DIST_CLI, ROOT } from '../../bench/support/build.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';

/**
 * Issue 16: the shipped bin runs its one-shot commands from `clawops-one-shot.cjs` through V8's
 * code cache (src/app/compile-cache.ts). The first check writes the cache, the next one takes it
 * (the entry is not rewritten) and answers the same; with the cache off, or a cache directory
 * that others may write, the check answers the same and nothing is written there.
 */
const TOKEN = 'compile-cache-token-8d21e0';

let gateway: FakeGateway | undefined;
let dir: string | undefined;

afterEach(async () => {
  await gateway?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  gateway = dir = undefined;
});

async function clawops(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [DIST_CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  return { code, stdout, stderr };
}

/** The report without its timings, which differ from run to run. */
const shape = (stdout: string) => stdout.replace(/ *\d+(\.\d+)? ms/g, ' N ms').replace(/p99 \d+/g, 'p99 N');

describe('the shipped bin’s compile cache', () => {
  it('the first check writes it, the next takes it without rewriting, and both answer the same', async () => {
    gateway = await startFakeGateway({ token: TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'clawops-compile-cache-drill-'));
    const cacheDir = join(dir, 'xdg-cache', 'clawops', 'compile-cache');
    const env = { HOME: dir, XDG_CACHE_HOME: join(dir, 'xdg-cache'), CLAWOPS_IDENTITY: join(dir, 'device.json'), CLAWOPS_TEST_TOKEN: TOKEN };
    const args = ['check', '--url', `ws://127.0.0.1:${gateway.port}`, '--token-env', 'CLAWOPS_TEST_TOKEN'];

    const first = await clawops(args, env);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/✓ adhoc healthy/);
    const entries = readdirSync(cacheDir);
    expect(entries).toEqual([expect.stringMatching(/^[0-9a-f]{24}-check\.v8cache$/)]);
    const written = statSync(join(cacheDir, entries[0]!));

    const second = await clawops(args, env);
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' });
    expect(shape(second.stdout)).toBe(shape(first.stdout));
    // Taken, not rewritten: the loader writes only when V8 had no cache or refused it.
    const after = statSync(join(cacheDir, entries[0]!));
    expect({ ino: after.ino, mtimeMs: after.mtimeMs }).toEqual({ ino: written.ino, mtimeMs: written.mtimeMs });

    // Another command keeps its own entry; a usage error still answers from the bundle.
    const usage = await clawops(['config', 'validate', '--config', join(dir, 'missing.yaml')], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing\.yaml/);
    // Both entries are named by the same bundle's hash.
    const key = entries[0]!.replace(/-check\.v8cache$/, '');
    expect(readdirSync(cacheDir).sort()).toEqual([`${key}-check.v8cache`, `${key}-config.v8cache`]);
  });

  it('off, or a directory others may write: the same answer and nothing written', async () => {
    gateway = await startFakeGateway({ token: TOKEN });
    dir = mkdtempSync(join(tmpdir(), 'clawops-compile-cache-drill-'));
    const base = { HOME: dir, CLAWOPS_IDENTITY: join(dir, 'device.json'), CLAWOPS_TEST_TOKEN: TOKEN };
    const args = ['check', '--url', `ws://127.0.0.1:${gateway.port}`, '--token-env', 'CLAWOPS_TEST_TOKEN'];

    const off = await clawops(args, { ...base, CLAWOPS_COMPILE_CACHE: 'off' });
    expect({ code: off.code, stderr: off.stderr }).toEqual({ code: 0, stderr: '' });
    expect(existsSync(join(dir, '.cache'))).toBe(false);

    const open = join(dir, 'open-cache');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const shared = await clawops(args, { ...base, CLAWOPS_COMPILE_CACHE: open });
    expect({ code: shared.code, stderr: shared.stderr }).toEqual({ code: 0, stderr: '' });
    expect(shape(shared.stdout)).toBe(shape(off.stdout));
    expect(readdirSync(open)).toEqual([]);
  });
});
