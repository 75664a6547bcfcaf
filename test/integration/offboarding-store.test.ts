/**
 * The offboarding store on real Redis (claims, compare-and-set under concurrency, validated reads),
 * and `clawops check` printing the open reminders when Redis answers — and only then.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { runCli } from '../../src/app/cli.js';
import { OffboardingSchema, type Offboarding } from '../../src/features/offboarding/model.js';
import { createOffboardingStore, type OffboardingStore } from '../../src/features/offboarding/store.js';
import { offboardingReminderForTerminal } from '../../src/features/offboarding/terminal-reminder.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';

const redisUrl = inject('redisUrl');
const HOUR = 3_600_000;

function record(index: number, openedAt: number, overrides: Partial<Offboarding> = {}): Offboarding {
  return OffboardingSchema.parse({
    id: `0000000${index}-0000-4000-8000-000000000000`.slice(-36),
    subject: { login: `departed${index}@example.test` },
    trigger: { kind: 'tailnet-poll' },
    openedAt,
    devices: [{ id: `${index}1`, name: `laptop-${index}`, tags: [], status: 'open' }],
    groups: [],
    review: { tagOwners: [], tests: [], acls: 0, grants: 0 },
    gateways: [{ name: 'prod', status: 'open' }],
    ...overrides,
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the offboarding store', () => {
  let redis: Redis;
  let prefix: string;
  let store: OffboardingStore;

  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redisUrl, prefix);
  });
  afterAll(() => redis.disconnect());

  const fresh = () => {
    prefix = uniquePrefix('offboarding');
    store = createOffboardingStore({ redis, prefix });
    return store;
  };

  it('claims a person once (any case), and a Slack event once', async () => {
    fresh();
    expect(await store.claimPerson('Departed@Example.test', 'a')).toEqual({ claimed: true });
    expect(await store.claimPerson('departed@example.test', 'b')).toEqual({ claimed: false, existingId: 'a' });
    expect(await store.personClaimed('departed@example.test')).toBe(true);
    expect(await store.reclaimPerson('departed@example.test', 'b', 'c')).toBe(false);
    expect(await store.reclaimPerson('departed@example.test', 'a', 'c')).toBe(true);
    expect(await store.idForPerson('departed@example.test')).toBe('c');
    expect(await store.claimEvent('EvONE')).toBe(true);
    expect(await store.claimEvent('EvONE')).toBe(false);
    // Keys name a hash of the login, not the login.
    expect((await redis.keys(`${prefix}*`)).join(' ')).not.toContain('departed');
  });

  it('loses no update when many land at once (compare-and-set)', async () => {
    fresh();
    await store.create(record(1, Date.now()));
    await Promise.all(Array.from({ length: 25 }, () => store.update(record(1, 0).id, (current) => ({ ...current, deletions: current.deletions + 1 }))));
    expect((await store.get(record(1, 0).id))?.deletions).toBe(25);
    await expect(store.create(record(1, Date.now()))).rejects.toThrow(/already exists/);
  });

  it('lists the open ones oldest first; closing takes one out; a hand-edited record is refused', async () => {
    fresh();
    const now = Date.now();
    await store.create(record(1, now - HOUR));
    await store.create(record(2, now - 3 * HOUR));
    await store.create(record(3, now - 2 * HOUR));
    expect((await store.listOpen()).map((entry) => entry.subject.login)).toEqual([
      'departed2@example.test',
      'departed3@example.test',
      'departed1@example.test',
    ]);
    await store.update(record(3, 0).id, (current) => ({ ...current, closed: { by: 'U0ONCALL', at: now, openItems: 1 } }));
    expect(await store.countOpen()).toBe(2);
    await redis.hset(`${prefix}:offboarding:record:${record(1, 0).id}`, 'data', JSON.stringify({ id: record(1, 0).id, token: 'x' }));
    expect(await store.get(record(1, 0).id)).toBeUndefined();
    expect((await store.listOpen()).map((entry) => entry.subject.login)).toEqual(['departed2@example.test']);
  });

  it('keeps rotations, the logins seen by the last poll, and the change shown for a group', async () => {
    fresh();
    expect(await store.lastRotation('prod')).toBeUndefined();
    await store.recordRotation('prod', 1_700_000_000_000);
    expect(await store.lastRotation('prod')).toBe(1_700_000_000_000);
    expect(await store.knownLogins()).toBeUndefined();
    await store.setKnownLogins([]);
    expect(await store.knownLogins()).toEqual(new Set());
    await store.setKnownLogins(['A@example.test', 'b@example.test']);
    expect(await store.knownLogins()).toEqual(new Set(['a@example.test', 'b@example.test']));
    await store.saveShownChange(record(1, 0).id, 'group:ops', { etag: '"abc"', text: '{}', at: 1, by: 'U0ONCALL' });
    expect(await store.shownChange(record(1, 0).id, 'group:ops')).toEqual({ etag: '"abc"', text: '{}', at: 1, by: 'U0ONCALL' });
    expect(await store.shownChange(record(1, 0).id, 'group:other')).toBeUndefined();
  });
});

describe('clawops check in a terminal', () => {
  const TOKEN = 'terminal-test-token-0123456789';
  let gateway: FakeGateway;
  let dir: string;
  let configPath: string;
  let prefix: string;
  let redis: Redis;

  beforeAll(async () => {
    gateway = await startFakeGateway({ token: TOKEN });
    dir = await mkdtemp(join(tmpdir(), 'clawops-offboarding-'));
    configPath = join(dir, 'clawops.yaml');
    await writeFile(
      configPath,
      `identity:\n  path: ${join(dir, 'device.json')}\ngateways:\n  prod:\n    url: ${gateway.url}\n    tokenEnv: TEST_TOKEN\n    device: never\noffboarding:\n  channel: "#ops"\n`,
    );
    prefix = uniquePrefix('terminal');
    redis = new Redis(redisUrl);
    await createOffboardingStore({ redis, prefix }).create(record(7, Date.now() - 2 * HOUR));
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redisUrl, prefix);
    redis?.disconnect();
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = async (env: Record<string, string>) => {
    let stdout = '';
    const started = Date.now();
    const code = await runCli(
      ['check', '--config', configPath],
      { TEST_TOKEN: TOKEN, ...env },
      { stdout: (text) => (stdout += text), stderr: () => undefined, isTty: false },
    );
    return { code, stdout, ms: Date.now() - started };
  };

  it('prints the open offboarding reminder under the result when Redis answers', async () => {
    const { code, stdout } = await run({ REDIS_URL: redisUrl, CLAWOPS_REDIS_PREFIX: prefix });
    expect(code).toBe(0);
    expect(stdout).toContain('🚪 An offboarding is open — what is left to revoke:');
    expect(stdout).toContain(
      'departed7@example.test left 2 h ago (tailnet login suspended or removed) · 1 device still on the tailnet (laptop-7) · rotate the token of prod (this check)',
    );
  });

  it('prints nothing of it, quickly and without an error, when Redis does not answer', async () => {
    const { code, stdout, ms } = await run({ REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, CLAWOPS_REDIS_PREFIX: prefix });
    expect(code).toBe(0);
    expect(stdout).not.toContain('offboarding');
    expect(ms).toBeLessThan(5_000);
  });

  it('gives up on a Redis that accepts and never answers within its deadline', async () => {
    // A TCP server that accepts and says nothing: the worst case for a terminal check.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const text = await offboardingReminderForTerminal({
        env: { REDIS_URL: `redis://127.0.0.1:${(silent.address() as { port: number }).port}` },
        gateways: ['prod'],
        deadlineMs: 200,
      });
      expect(text).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      silent.close();
    }
  });
});
