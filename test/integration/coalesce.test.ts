/**
 * The coalescer on real Redis: two workers (two connections) asking for one gateway at once share
 * one probe; a stale or unreadable shared result is not an answer; a probe costs its connection
 * two Redis commands (one script before, one after), however many gateways there are.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCoalescer } from '../../src/queue/coalesce.js';
import type { ProbeReport } from '../../src/report/report.js';
import { healthy } from '../support/monitoring-reports.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');
const WINDOW_MS = 10_000;

describe('coalescer on Redis', () => {
  const connections: Redis[] = [];
  const prefixes: string[] = [];
  const connect = () => {
    const redis = new Redis(redisUrl);
    connections.push(redis);
    return redis;
  };
  let admin: Redis;
  beforeAll(() => {
    admin = connect();
  });
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) await deleteKeysWithPrefix(redisUrl, prefix);
  });
  afterAll(() => connections.forEach((redis) => redis.disconnect()));

  const setup = (now = Date.now) => {
    const prefix = uniquePrefix('coalesce');
    prefixes.push(prefix);
    const probes: string[] = [];
    const worker = (redis = connect(), delayMs = 50) =>
      createCoalescer({
        redis,
        prefix,
        windowMs: WINDOW_MS,
        maxWaitMs: 5_000,
        pollMs: 10,
        now,
        run: async (gateway): Promise<ProbeReport> => {
          probes.push(gateway);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          return healthy({ name: gateway, at: now() });
        },
      });
    return { prefix, probes, worker };
  };

  it('two workers asking at once share one probe, and leave the result (not the lock) behind', async () => {
    const { prefix, probes, worker } = setup();
    const [one, two] = [worker(), worker()];
    const at = Date.now();
    const [a, b] = await Promise.all([one.probe('prod', at), two.probe('prod', at)]);
    expect(probes).toEqual(['prod']);
    expect(b).toEqual(a);
    expect(await admin.exists(`${prefix}:probe:prod:lock`)).toBe(0);
    const ttl = await admin.pttl(`${prefix}:probe:prod:result`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2 * WINDOW_MS);
    // A third worker asking later within the window reads the shared result without probing.
    expect(await worker().probe('prod', Date.now())).toEqual(a);
    expect(probes).toEqual(['prod']);
  });

  it('a shared result older than the window is not an answer', async () => {
    const { prefix, probes, worker } = setup();
    const old = Date.now() - 2 * WINDOW_MS;
    await admin.set(`${prefix}:probe:prod:result`, JSON.stringify({ startedAtMs: old, report: healthy({ at: old }) }), 'PX', 60_000);
    await worker().probe('prod', Date.now());
    expect(probes).toEqual(['prod']);
    const stored = JSON.parse((await admin.get(`${prefix}:probe:prod:result`))!) as { startedAtMs: number };
    expect(stored.startedAtMs).toBeGreaterThan(old);
  });

  it('a fresh shared result that does not parse is no answer: the worker takes the lock and probes', async () => {
    const { prefix, probes, worker } = setup();
    await admin.set(`${prefix}:probe:prod:result`, JSON.stringify({ startedAtMs: Date.now(), report: { not: 'a report' } }), 'PX', 60_000);
    const report = await worker().probe('prod', Date.now());
    expect(probes).toEqual(['prod']);
    expect(report.gateway.name).toBe('prod');
    expect(await admin.exists(`${prefix}:probe:prod:lock`)).toBe(0);
  });

  it("another worker's lock is waited for, then taken once it lapses", async () => {
    const { prefix, probes, worker } = setup();
    await admin.set(`${prefix}:probe:prod:lock`, 'someone-else', 'PX', 300);
    const started = Date.now();
    await worker().probe('prod', started);
    expect(probes).toEqual(['prod']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a probe costs its connection two Redis commands', async () => {
    const { worker } = setup();
    const redis = connect();
    const coalescer = worker(redis, 0);
    // Scripts are sent in full once (EVALSHA, then EVAL on NOSCRIPT): warm them on another gateway.
    await coalescer.probe('warm-up', Date.now());
    await redis.ping();
    const monitor = await admin.monitor();
    const port = String(redis.stream.localPort);
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source.endsWith(`:${port}`)) seen.push(String(args[0]).toLowerCase());
    });
    await coalescer.probe('prod', Date.now());
    await redis.ping(); // MONITOR shows commands in order: the PING marks the end.
    const until = Date.now() + 2_000;
    while (!seen.includes('ping') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    monitor.disconnect();
    expect(seen).toEqual(['evalsha', 'evalsha', 'ping']);
  });
});
