/**
 * The install path the host agent's unit relies on (ExecStart=/usr/local/bin/clawops): the package
 * packed with `npm pack` and installed globally. Proven here into a temporary prefix instead of
 * /usr/local: the tarball holds a working bin, and its dependencies resolve on their own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../bench/support/build.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'clawops-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm pack + npm install -g', () => {
  it('installs a `clawops` bin that runs: --version, and config validate of the example', async () => {
    // The drills' global setup built dist/ from this source; prepack (which builds) is skipped so
    // that a running drill's bin is not rebuilt under it.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const paths = info!.files.map((file) => file.path);
    expect(paths).toContain('dist/bundle/clawops.js');
    expect(paths).toContain('package.json');
    // Nothing but the bundle and the package's own files: no sources, tests or secrets.
    expect(paths.filter((path) => !path.startsWith('dist/bundle/') && !['package.json', 'README.md', 'LICENSE'].includes(path))).toEqual([]);

    const prefix = join(work, 'prefix');
    await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, info!.filename)], {
      cwd: work,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const bin = join(prefix, 'bin', 'clawops');
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const printed = await run(bin, ['--version'], { cwd: work, env: { PATH: process.env.PATH } });
    expect(printed.stdout.trim()).toBe(version);
    const validated = await run(bin, ['config', 'validate', '--config', join(ROOT, 'examples', 'clawops.yaml')], {
      cwd: work,
      env: { PATH: process.env.PATH },
    });
    expect(validated.stdout).toMatch(/clawops\.yaml: valid · \d+ gateway\(s\)/);
  });
});
