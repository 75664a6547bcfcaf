import { execFile } from 'node:child_process';

/**
 * Runs a fixed program with fixed arguments, never through a shell, and returns the outcome as a
 * value: the host agent's checks report "systemctl missing" or "timed out", they do not throw.
 * Injected everywhere so tests can play any command's output.
 */
export type ExecOutcome =
  | { ok: true; stdout: string; stderr: string }
  | {
      ok: false;
      /** `missing`: the program is not installed; `exit`: it ran and exited non-zero. */
      reason: 'missing' | 'timeout' | 'exit' | 'error';
      exitCode?: number;
      stdout: string;
      stderr: string;
      /** One line for a report; Node's message names the command and its arguments, which carry no secrets here. */
      message: string;
    };

export interface ExecOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export type ExecFileFn = (file: string, args: readonly string[], options: ExecOptions) => Promise<ExecOutcome>;

/** Output larger than this is a broken or hostile program, not something to buffer. */
const MAX_BUFFER = 4 * 1024 * 1024;

export const execFileOutcome: ExecFileFn = (file, args, options) =>
  new Promise((resolve) => {
    execFile(
      file,
      [...args],
      {
        encoding: 'utf8',
        timeout: options.timeoutMs,
        signal: options.signal,
        env: options.env ?? process.env,
        maxBuffer: MAX_BUFFER,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout, stderr });
        const e = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        const base = { stdout: stdout ?? '', stderr: stderr ?? '', message: firstLine(e.message) };
        if (e.code === 'ENOENT') return resolve({ ok: false, reason: 'missing', ...base });
        if (e.killed || e.code === 'ABORT_ERR') return resolve({ ok: false, reason: 'timeout', ...base });
        if (typeof e.code === 'number') return resolve({ ok: false, reason: 'exit', exitCode: e.code, ...base });
        resolve({ ok: false, reason: 'error', ...base });
      },
    );
  });

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
