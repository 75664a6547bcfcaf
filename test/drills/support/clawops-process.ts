/**
 * The shipped `clawops` bin (dist/bundle/clawops.js, built by the drills' global setup) as a child
 * process: its JSON log lines parsed as they come, waits on them without sleeping, signals, and a
 * measured exit. Every process started here is killed when its drill ends (and when the test
 * process exits, if a drill failed before it could stop them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { DIST_CLI, ROOT } from '../../../bench/support/build.js';

export interface LogLine {
  level: number;
  msg: string;
  time: number;
  [key: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export interface ClawopsProcess {
  name: string;
  pid: number;
  logs: LogLine[];
  /** Non-JSON output (stderr lines, usage errors). */
  text: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  running(): boolean;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  signal(signal: NodeJS.Signals): number;
  kill(): Promise<void>;
  /** The last lines, for a failure message. */
  tail(lines?: number): string;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export function spawnClawops(name: string, args: string[], env: NodeJS.ProcessEnv): ClawopsProcess {
  const child = spawn(process.execPath, [DIST_CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const logs: LogLine[] = [];
  const text: string[] = [];
  const waiters: Array<{ predicate: (line: LogLine) => boolean; resolve: (line: LogLine) => void }> = [];
  const take = (stream: NodeJS.ReadableStream) => {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const raw of lines) {
        if (!raw.trim()) continue;
        let line: LogLine | undefined;
        try {
          line = JSON.parse(raw) as LogLine;
        } catch {
          text.push(raw);
          continue;
        }
        logs.push(line);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(line)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    });
  };
  take(child.stdout!);
  take(child.stderr!);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal, at: Date.now() });
    });
  });
  const tail = (count = 30) => [...logs.map((line) => JSON.stringify(line)), ...text].slice(-count).join('\n');
  return {
    name,
    pid: child.pid!,
    logs,
    text,
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    waitForLog(predicate, timeoutMs = 30_000) {
      const found = logs.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<LogLine>((resolve, reject) => {
        const waiter = { predicate, resolve: (line: LogLine) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`${name}: no matching log line within ${timeoutMs} ms. Last lines:\n${tail()}`));
        }, timeoutMs);
        waiters.push(waiter);
        void exited.then(() => {
          if (!waiters.includes(waiter)) return;
          waiters.splice(waiters.indexOf(waiter), 1);
          clearTimeout(timer);
          reject(new Error(`${name} exited before a matching log line. Last lines:\n${tail()}`));
        });
      });
    },
    signal(signal) {
      const at = Date.now();
      child.kill(signal);
      return at;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    tail,
  };
}
