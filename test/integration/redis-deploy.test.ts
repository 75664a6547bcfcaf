/**
 * deploy/redis-entrypoint.sh — the compose Redis — run for real (redis-server on a free port, a
 * temp directory as its /data): a password from the environment, stored hashed; persistence on;
 * ACL users saved by `ACL SAVE` (the host agents') still there after a restart and a password change.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server.js';

const SCRIPT = fileURLToPath(new URL('../../deploy/redis-entrypoint.sh', import.meta.url));
const data = mkdtempSync(join(tmpdir(), 'clawops-redis-deploy-'));
let child: ChildProcess | undefined;
afterAll(async () => {
  await stop();
  rmSync(data, { recursive: true, force: true });
});

async function start(port: number, password: string): Promise<void> {
  child = spawn('sh', [SCRIPT], {
    env: { PATH: process.env.PATH, REDIS_PASSWORD: password, REDIS_DATA_DIR: data, REDIS_PORT: String(port), REDIS_BIND: '127.0.0.1' },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 5_000;
  for (;;) {
    const client = connect(port, 'default', password);
    try {
      if ((await client.ping()) === 'PONG') return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(): Promise<void> {
  const running = child;
  child = undefined;
  if (!running || running.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    running.once('exit', () => resolve());
    running.kill('SIGTERM');
  });
}

function connect(port: number, username: string, password: string): Redis {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    username,
    password,
    lazyConnect: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: true,
  });
  client.on('error', () => undefined);
  return client;
}

describe('the compose Redis (deploy/redis-entrypoint.sh)', () => {
  it('keeps agents’ ACL users and its data across restarts; the password comes from REDIS_PASSWORD, hashed', async () => {
    const port = await freePort();
    await start(port, 'first-password-0123456789');
    const admin = connect(port, 'default', 'first-password-0123456789');
    expect(await admin.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    await admin.call(
      'ACL',
      'SETUSER',
      'clawops-agent-prod',
      'on',
      '>agent-password-0123456789',
      'resetkeys',
      '~clawops:host-checks-prod:*',
      'resetchannels',
      '+@all',
      '-@dangerous',
    );
    await admin.call('ACL', 'SAVE');
    await admin.set('clawops:probe-of-persistence', 'kept');
    admin.disconnect();

    await stop();
    // A restart with a rotated password: clawops' user follows the env file, the agent's stays.
    await start(port, 'second-password-0123456789');
    const again = connect(port, 'default', 'second-password-0123456789');
    expect(await again.get('clawops:probe-of-persistence')).toBe('kept');
    again.disconnect();
    const agent = connect(port, 'clawops-agent-prod', 'agent-password-0123456789');
    expect(await agent.call('ACL', 'WHOAMI')).toBe('clawops-agent-prod');
    await expect(agent.get('clawops:probe-of-persistence')).rejects.toThrow(/NOPERM/);
    agent.disconnect();
    const stale = connect(port, 'default', 'first-password-0123456789');
    await expect(stale.ping()).rejects.toThrow(/WRONGPASS|NOAUTH/);
    stale.disconnect();

    const acl = readFileSync(join(data, 'users.acl'), 'utf8');
    expect(acl).not.toContain('first-password');
    expect(acl).not.toContain('second-password');
    expect(acl).not.toContain('agent-password');
    expect(acl.split('\n').filter((line) => line.startsWith('user default '))).toHaveLength(1);
  });

  it('refuses to start without REDIS_PASSWORD', async () => {
    const refused = spawn('sh', [SCRIPT], { env: { PATH: process.env.PATH, REDIS_DATA_DIR: data }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    refused.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => refused.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain('set REDIS_PASSWORD in redis.env');
  });
});
