import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * Real Redis for the tests. The shared server on 127.0.0.1:6379 is used as it is (never stopped or
 * flushed: every test works under its own key prefix and removes it); tests that stop, restart or
 * fill Redis start a private `redis-server` on a free port with `startPrivateRedis()`.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Start again on the same port (for "Redis came back" tests). */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function redisServerBinary(): string {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) {
    throw new Error(
      'redis-server is not installed, and these tests need a real Redis they can stop and restart: install it (e.g. `apt-get install redis-server`) and run again',
    );
  }
  return 'redis-server';
}

async function waitForPing(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch (error) {
      lastError = error;
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis at ${url} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

export interface PrivateRedisOptions {
  /** AOF on (appendfsync always, in a private directory), so a restart keeps every write. Default off. */
  appendonly?: boolean;
  /** requirepass: the URL then carries it. */
  password?: string;
  /** More redis-server arguments (e.g. `--replicaof host port`). */
  args?: string[];
  /** The port to use (default: a free one). */
  port?: number;
}

/**
 * Every redis-server a test started is killed, and its directory removed, when the test process
 * exits — also when a test failed before it stopped its server.
 */
const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const leftover of running) leftover.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}
function remember(child: ChildProcess): void {
  installExitHook();
  running.add(child);
  child.once('exit', () => running.delete(child));
}

export async function startPrivateRedis(
  options: PrivateRedisOptions = {},
): Promise<PrivateRedis & { dir: string; pid(): number | undefined; stopGracefully(): Promise<void> }> {
  const binary = redisServerBinary();
  const port = options.port ?? (await freePort());
  const url = options.password ? `redis://:${encodeURIComponent(options.password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'clawops-redis-'));
  installExitHook();
  dirs.add(dir);
  const persistence = options.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''] : ['--save', '', '--appendonly', 'no'];
  let child: ChildProcess | undefined;
  const start = async () => {
    mkdirSync(dir, { recursive: true });
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      ...persistence,
      '--protected-mode',
      'yes',
      ...(options.password ? ['--requirepass', options.password] : []),
      ...(options.args ?? []),
    ];
    const started = spawn(binary, args, { stdio: 'ignore' });
    remember(started);
    child = started;
    await waitForPing(url, 5_000, started);
  };
  const stopWith = async (signal: NodeJS.Signals) => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill(signal);
    });
  };
  // Killed (as a crash would), and its directory removed: a later restart() starts empty. A
  // restart that must keep the data (AOF) stops with stopGracefully() instead.
  const stop = async () => {
    await stopWith('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  await start();
  return {
    url,
    port,
    dir,
    pid: () => child?.pid,
    stop,
    // A running server is stopped first: a second one on the same port would fail, and the first
    // would be left behind when its handle was overwritten. Its data stays (AOF survives).
    restart: async () => {
      await stopWith('SIGKILL');
      await start();
    },
    /** SIGTERM: Redis flushes its AOF and exits, as a restart by systemd or Docker does. */
    stopGracefully: () => stopWith('SIGTERM'),
  };
}

export async function pingable(url: string): Promise<boolean> {
  try {
    await waitForPing(url, 500);
    return true;
  } catch {
    return false;
  }
}

/** Deletes every key under a test's prefix (SCAN, never FLUSH: the server may be shared). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) deleted += await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
  return deleted;
}

export function uniquePrefix(label = 'test'): string {
  return `clawops-test-${label}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}
