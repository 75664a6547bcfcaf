/**
 * Redis Sentinel for the failover drill: a master, a replica and three sentinels, each a real
 * process on a free loopback port, each in its own temp directory (sentinels rewrite their config
 * file). Timings are tight on purpose — a master is "down" after 500 ms — so that a failover takes
 * about two seconds, not thirty. Everything started here is stopped by `stop()` (and killed when
 * the test process exits, through startPrivateRedis's exit hook for the servers). With `password`
 * the master and the replica require it (and the replica, and the sentinels, log in with it); with
 * `sentinelPassword` the sentinels require their own (and use it with each other).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startPrivateRedis } from './redis-server.js';

export const SENTINEL_MASTER_NAME = 'clawops-drill';

export interface SentinelGroup {
  name: string;
  /** host:port,host:port,… for REDIS_SENTINELS. */
  sentinels: string;
  /** The master's port as the sentinels see it now. */
  masterPort(): Promise<number>;
  /** Kills the current master (SIGKILL) and resolves once the sentinels have promoted another. */
  killMasterAndWaitForFailover(timeoutMs?: number): Promise<{ from: number; to: number; tookMs: number }>;
  stop(): Promise<void>;
}

function sentinelBinary(): string {
  const found = spawnSync('redis-sentinel', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0)
    throw new Error('redis-sentinel is not installed (apt-get install redis-sentinel): the failover drill needs real sentinels');
  return 'redis-sentinel';
}

export interface SentinelGroupOptions {
  sentinels?: number;
  /** requirepass on the master and the replica (masterauth on both, auth-pass in the sentinels). */
  password?: string;
  /** requirepass on the sentinels themselves. */
  sentinelPassword?: string;
}

export async function startSentinelGroup(options: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const binary = sentinelBinary();
  const { password, sentinelPassword } = options;
  // Either server may be the master after a failover: both log in to the other with the password.
  const auth = password ? { password, args: ['--masterauth', password] } : {};
  const master = await startPrivateRedis({ appendonly: true, ...auth });
  const replica = await startPrivateRedis({
    appendonly: true,
    ...auth,
    args: [...(auth.args ?? []), '--replicaof', '127.0.0.1', String(master.port), '--replica-priority', '100'],
  });
  const serverClient = (port: number) => client(port, password);
  const sentinelClient = (port: number) => client(port, sentinelPassword);
  const info = (port: number, section: string) => infoOf(serverClient(port), section);
  const servers = new Map<number, typeof master>([
    [master.port, master],
    [replica.port, replica],
  ]);
  await waitFor(async () => (await info(replica.port, 'replication')).includes('master_link_status:up'), 10_000, 'the replica to sync');

  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  const ports: number[] = [];
  for (let index = 0; index < (options.sentinels ?? 3); index += 1) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'clawops-sentinel-'));
    dirs.push(dir);
    const file = join(dir, 'sentinel.conf');
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${master.port} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 500`,
        `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 3000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
        ...(password ? [`sentinel auth-pass ${SENTINEL_MASTER_NAME} ${password}`] : []),
        // A sentinel with requirepass uses the same password with the other sentinels.
        ...(sentinelPassword ? [`requirepass ${sentinelPassword}`] : []),
        '',
      ].join('\n'),
    );
    const child = spawn(binary, [file], { stdio: 'ignore' });
    process.once('exit', () => child.kill('SIGKILL'));
    children.push(child);
    ports.push(port);
  }
  const ask = async (port: number) => {
    const sentinel = sentinelClient(port);
    try {
      await sentinel.connect();
      const reply = (await sentinel.call('SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER_NAME)) as [string, string] | null;
      return reply ? Number(reply[1]) : undefined;
    } catch {
      return undefined;
    } finally {
      sentinel.disconnect();
    }
  };
  // Every sentinel knows the master and has found the others (needed for a quorum).
  await waitFor(
    async () => {
      for (const port of ports) {
        if ((await ask(port)) !== master.port) return false;
        const known = await sentinelCount(sentinelClient(port));
        if (known < ports.length - 1) return false;
      }
      return true;
    },
    15_000,
    'the sentinels to find each other',
  );

  const masterPort = async () => {
    for (const port of ports) {
      const found = await ask(port);
      if (found) return found;
    }
    throw new Error('no sentinel answers');
  };

  return {
    name: SENTINEL_MASTER_NAME,
    sentinels: ports.map((port) => `127.0.0.1:${port}`).join(','),
    masterPort,
    async killMasterAndWaitForFailover(timeoutMs = 15_000) {
      const from = await masterPort();
      const started = Date.now();
      await servers.get(from)?.stop();
      let to = from;
      await waitFor(
        async () => {
          const answers = await Promise.all(ports.map(ask));
          const agreed = answers.filter((port) => port !== undefined && port !== from);
          if (agreed.length < 2) return false;
          to = agreed[0]!;
          return (await info(to, 'replication')).includes('role:master');
        },
        timeoutMs,
        'the sentinels to promote the replica',
      );
      return { from, to, tookMs: Date.now() - started };
    },
    async stop() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          await new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          });
        }
      }
      for (const server of servers.values()) await server.stop();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function client(port: number, password: string | undefined): Redis {
  const connection = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...(password ? { password } : {}),
  });
  connection.on('error', () => undefined);
  return connection;
}

async function sentinelCount(sentinel: Redis): Promise<number> {
  try {
    await sentinel.connect();
    const reply = (await sentinel.call('SENTINEL', 'sentinels', SENTINEL_MASTER_NAME)) as unknown[];
    return reply.length;
  } catch {
    return 0;
  } finally {
    sentinel.disconnect();
  }
}

async function infoOf(server: Redis, section: string): Promise<string> {
  try {
    await server.connect();
    return await server.info(section);
  } catch {
    return '';
  } finally {
    server.disconnect();
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
