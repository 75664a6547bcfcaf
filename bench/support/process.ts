import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs one short-lived process and measures it from outside: wall time from spawn to exit, and
 * peak RSS (the kernel's high-water mark of resident memory).
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`: wait4's ru_maxrss, exact and no change to
 * the measured process) when it is installed. Otherwise, for Node processes only, a tiny `--import`
 * hook writes `process.resourceUsage().maxRSS` on exit (the same figure, read from inside); every
 * process of a comparison is measured the same way, so the ratios stay fair.
 */

export type RssMethod = 'gnu-time' | 'exit-hook';

export interface ProcessRun {
  wallMs: number;
  peakRssMB: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs: number;
  /** The command is a Node binary (the exit hook is possible). */
  node: boolean;
}

const GNU_TIME = '/usr/bin/time';
const EXIT_HOOK = fileURLToPath(new URL('./peak-rss-on-exit.mjs', import.meta.url));
/** Enough of a process's output to diagnose a failure; a chatty process must not fill our memory. */
const OUTPUT_LIMIT = 256 * 1024;

let detected: RssMethod | undefined;

export function rssMethod(): RssMethod {
  if (detected) return detected;
  const dir = mkdtempSync(join(tmpdir(), 'clawops-bench-time-'));
  try {
    const probe = spawnSync(GNU_TIME, ['-f', '%M', '-o', join(dir, 'rss'), 'true'], { stdio: 'ignore', timeout: 5_000 });
    const kb = probe.status === 0 ? Number(readFileSync(join(dir, 'rss'), 'utf8').trim()) : NaN;
    detected = Number.isInteger(kb) && kb > 0 ? 'gnu-time' : 'exit-hook';
  } catch {
    detected = 'exit-hook';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return detected;
}

export async function measureProcess(command: string, args: string[], options: RunOptions): Promise<ProcessRun> {
  const method = rssMethod();
  if (method === 'exit-hook' && !options.node) throw new Error(`cannot measure the peak RSS of ${command} without GNU time (${GNU_TIME})`);
  const dir = mkdtempSync(join(tmpdir(), 'clawops-bench-run-'));
  const rssFile = join(dir, 'rss');
  const [file, argv, env] =
    method === 'gnu-time'
      ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args], options.env]
      : [command, ['--import', EXIT_HOOK, ...args], { ...options.env, CLAWOPS_BENCH_RSS_FILE: rssFile }];
  try {
    const started = performance.now();
    // Its own process group, so that a timeout kills the measured process and not only GNU time.
    const child = spawn(file, argv, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += chunk.toString('utf8');
    });
    let wallMs = 0;
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        reject(new Error(`${command} ${args.join(' ')} did not exit within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', () => {
        wallMs = performance.now() - started;
      });
      // 'close' also waits for the output pipes, so stdout is complete; the time was taken at 'exit'.
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    let kb = NaN;
    try {
      kb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    } catch {
      // no figure written (killed by a signal): reported below
    }
    if (!Number.isFinite(kb) || kb <= 0) throw new Error(`no peak RSS for ${command} ${args.join(' ')} (exit ${code}); stderr: ${stderr.slice(-500)}`);
    return { wallMs, peakRssMB: kb / 1024, code, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
