/**
 * The pure parts of "no lost answers": where Redis is (one server or Sentinel), the timings derived
 * from the budget, the post window's backoff, what a Slack failure is called, the persistence
 * warning, readiness, Redis health told once per change, and a shutdown that always ends.
 */
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { describeRedisTarget, parseRedisTarget, redisUrlFromEnv } from '../../src/config/redis-target.js';
import { readEnvOptions } from '../../src/config/env.js';
import { lockTimingsFor, staleAfterMsFor } from '../../src/queue/lock-timings.js';
import { MAX_POST_DELAY_MS, POST_BACKOFF_TYPE, windowedBackoff } from '../../src/queue/post-retry.js';
import { classifySlackError, describeSlackFailure, SlackCallError, SlackRefusedError } from '../../src/slack/slack-error.js';
import { persistenceWarning } from '../../src/health/redis-persistence.js';
import { createReadiness } from '../../src/health/readiness.js';
import { classifyRedisError, createRedisHealth } from '../../src/health/redis-health.js';
import { runUntilSignal } from '../../src/app/process-lifecycle.js';
import { createLogger } from '../../src/log.js';
import type { Redis } from 'ioredis';
import type { MinimalJob } from 'bullmq';

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as { level: number; msg: string });
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

describe('REDIS_URL, REDIS_SENTINELS and the password variables', () => {
  it('parses a Sentinel URL: hosts, master name, credentials for the master and the sentinels, db', () => {
    expect(parseRedisTarget('redis+sentinel://clawops:s%40cret@10.0.0.1:26379,[fd7a::1]:26380,sentinel-3/prod-master/2?sentinelPassword=sp&tls=true')).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'fd7a::1', port: 26380 },
        { host: 'sentinel-3', port: 26379 },
      ],
      name: 'prod-master',
      username: 'clawops',
      password: 's@cret',
      sentinelPassword: 'sp',
      db: 2,
      tls: true,
    });
  });

  it('builds the Sentinel URL from REDIS_SENTINELS and friends; REDIS_PASSWORD joins a URL that has none', () => {
    const url = redisUrlFromEnv({
      REDIS_SENTINELS: '100.64.0.1:26379, 100.64.0.2:26379',
      REDIS_SENTINEL_NAME: 'clawops',
      REDIS_PASSWORD: 'p@ss',
      REDIS_SENTINEL_PASSWORD: 'sp',
    });
    expect(parseRedisTarget(url)).toMatchObject({
      kind: 'sentinel',
      name: 'clawops',
      password: 'p@ss',
      sentinelPassword: 'sp',
      sentinels: [
        { host: '100.64.0.1', port: 26379 },
        { host: '100.64.0.2', port: 26379 },
      ],
    });
    expect(redisUrlFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PASSWORD: 'from env' })).toBe('redis://:from%20env@127.0.0.1:6379');
    // A URL's own credentials win.
    expect(redisUrlFromEnv({ REDIS_URL: 'redis://:mine@127.0.0.1:6379', REDIS_PASSWORD: 'other' })).toBe('redis://:mine@127.0.0.1:6379');
    expect(redisUrlFromEnv({})).toBe('redis://127.0.0.1:6379');
  });

  it('refuses what it cannot use, naming the variable, and never logs a password', () => {
    expect(() => readEnvOptions({ REDIS_URL: 'http://redis:6379' })).toThrow('REDIS_URL: expected a redis://, rediss:// or redis+sentinel:// URL');
    expect(() => readEnvOptions({ REDIS_URL: 'redis://a:6379', REDIS_SENTINELS: 'b:26379' })).toThrow('set either REDIS_URL or REDIS_SENTINELS, not both');
    expect(() => redisUrlFromEnv({ REDIS_SENTINELS: 'host:99999' })).toThrow('sentinel port out of range');
    expect(describeRedisTarget('redis://:secret@10.0.0.5:6380/1')).toBe('redis://10.0.0.5:6380/1');
    expect(describeRedisTarget('redis+sentinel://:secret@a:1,b:2/m')).toBe('sentinel m via a:1,b:2');
  });

  it('CLAWOPS_METRICS_ADDR: loopback 9464 by default, `off`, or host:port', () => {
    expect(readEnvOptions({}).healthAddr).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(readEnvOptions({ CLAWOPS_METRICS_ADDR: 'off' }).healthAddr).toBeUndefined();
    expect(readEnvOptions({ CLAWOPS_METRICS_ADDR: '[::1]:9000' }).healthAddr).toEqual({ host: '::1', port: 9000 });
    expect(() => readEnvOptions({ CLAWOPS_METRICS_ADDR: '9464' })).toThrow('CLAWOPS_METRICS_ADDR: expected host:port');
  });
});

describe('timings derived from the check budget', () => {
  it('the default 15 s budget: lock 10 s, stalled sweep 5 s (a killed worker’s check is back in ≤ 15 s), stale after 50 s', () => {
    const timings = lockTimingsFor(15_000);
    expect(timings).toEqual({ lockDurationMs: 10_000, stalledIntervalMs: 5_000 });
    expect(staleAfterMsFor(15_000, timings)).toBe(50_000);
  });

  it('stays within sane bounds for tiny and huge budgets', () => {
    expect(lockTimingsFor(1_000)).toEqual({ lockDurationMs: 5_000, stalledIntervalMs: 2_500 });
    expect(lockTimingsFor(600_000)).toEqual({ lockDurationMs: 30_000, stalledIntervalMs: 15_000 });
  });
});

describe('the post window’s backoff', () => {
  const job = (createdAt: number) => ({ timestamp: createdAt }) as MinimalJob;
  it('doubles from ~1 s up to 15 s, waits out Retry-After in full, and gives up past the window', () => {
    const now = 1_000_000;
    const backoff = windowedBackoff(60_000, () => now);
    const first = backoff(1, POST_BACKOFF_TYPE, undefined, job(now));
    expect(first).toBeGreaterThanOrEqual(800);
    expect(first).toBeLessThanOrEqual(1_000);
    for (let attempt = 1; attempt < 20; attempt += 1) expect(backoff(attempt, POST_BACKOFF_TYPE, undefined, job(now))).toBeLessThanOrEqual(MAX_POST_DELAY_MS);
    const limited = new SlackCallError('chat.update', 'rate-limited', 'Slack is rate-limiting clawops', { retryAfterMs: 30_000 });
    expect(backoff(1, POST_BACKOFF_TYPE, limited, job(now))).toBe(30_000);
    // 59 s into a 60 s window: one last try at its end…
    expect(backoff(3, POST_BACKOFF_TYPE, undefined, job(now - 59_000))).toBe(1_000);
    // …unless Slack asked for longer; and past the window, no more.
    expect(backoff(3, POST_BACKOFF_TYPE, limited, job(now - 59_000))).toBe(-1);
    expect(backoff(3, POST_BACKOFF_TYPE, undefined, job(now - 61_000))).toBe(-1);
  });
});

describe('Slack failures, named as what they are', () => {
  it('a 429 is a rate limit with its Retry-After, never a URL or a permission problem', () => {
    const failure = classifySlackError('chat.postMessage', {
      code: 'slack_webapi_rate_limited_error',
      retryAfter: 30,
      message: 'A rate limit was exceeded (url: https://slack.com/api/chat.postMessage, retry-after: 30)',
    });
    expect(failure).toBeInstanceOf(SlackCallError);
    expect(failure).toMatchObject({ kind: 'rate-limited', retryAfterMs: 30_000, ambiguous: false });
    expect(describeSlackFailure(failure)).toBe('Slack is rate-limiting clawops (HTTP 429, retry after 30 s)');
  });

  it('5xx and resets may have done it (ambiguous); refusals are final, with what to do', () => {
    expect(classifySlackError('chat.postMessage', { code: 'slack_webapi_http_error', statusCode: 503 })).toMatchObject({
      kind: 'unavailable',
      ambiguous: true,
      description: "Slack answered HTTP 503 (an outage on Slack's side)",
    });
    expect(
      classifySlackError('chat.postMessage', {
        code: 'slack_webapi_request_error',
        original: Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }),
      }),
    ).toMatchObject({ kind: 'unreachable', ambiguous: true, description: 'Slack could not be reached (ECONNRESET)' });
    const refused = classifySlackError('chat.postMessage', { code: 'slack_webapi_platform_error', data: { ok: false, error: 'not_in_channel' } });
    expect(refused).toBeInstanceOf(SlackRefusedError);
    expect((refused as SlackRefusedError).description).toBe('Slack refused it (not_in_channel): invite me to the channel (`/invite @clawops`)');
    expect(classifySlackError('chat.update', { code: 'slack_webapi_platform_error', data: { ok: false, error: 'internal_error' } })).toMatchObject({
      kind: 'unavailable',
      ambiguous: true,
    });
  });
});

describe('the persistence warning', () => {
  it('warns only when both AOF and RDB saves are off, and not when it cannot tell', () => {
    expect(persistenceWarning({ aof: false, savePoints: '', runId: 'a' })).toMatch(
      /^Redis keeps nothing across a restart \(appendonly no, no RDB save points\)/,
    );
    expect(persistenceWarning({ aof: true, savePoints: '', runId: 'a' })).toBeUndefined();
    expect(persistenceWarning({ aof: false, savePoints: '3600 1 300 100', runId: 'a' })).toBeUndefined();
    expect(persistenceWarning({ aof: false, savePoints: undefined, runId: 'a' })).toBeUndefined();
  });
});

describe('readiness', () => {
  it('is ready when every part is, and never while shutting down', () => {
    let running = true;
    const readiness = createReadiness(() => 1);
    expect(readiness.snapshot().ready).toBe(false);
    readiness.set('slack', true, 'socket connected');
    readiness.probe('workers', () => ({ ok: running, detail: running ? '4/4 workers running' : '3/4 workers running' }));
    expect(readiness.snapshot()).toEqual({
      ready: true,
      components: { slack: { ok: true, detail: 'socket connected', since: 1 }, workers: { ok: true, detail: '4/4 workers running', since: 1 } },
    });
    running = false;
    expect(readiness.snapshot().ready).toBe(false);
    running = true;
    readiness.stopping();
    expect(readiness.snapshot()).toMatchObject({ ready: false, components: { process: { ok: false, detail: 'shutting down' } } });
  });
});

describe('Redis health: one line per change, not per retry', () => {
  it('a refused password is one error however often ioredis retries; recovery is one info line', () => {
    const { lines, logger } = capture();
    const health = createRedisHealth({ logger, target: 'redis://127.0.0.1:6379' });
    const connection = Object.assign(new EventEmitter(), { status: 'connecting' });
    health.watch('state', connection as unknown as Redis);
    const wrongpass = Object.assign(new Error('WRONGPASS invalid username-password pair or user is disabled.'), { name: 'ReplyError' });
    for (let attempt = 0; attempt < 100; attempt += 1) {
      connection.emit('error', wrongpass);
      connection.emit('reconnecting', 50);
    }
    health.report(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }));
    connection.status = 'ready';
    connection.emit('ready');
    const told = lines.filter((line) => line.level >= 30).map((line) => line.msg);
    expect(told).toEqual([
      "Redis unavailable: Redis refused clawops' credentials (WRONGPASS): check REDIS_URL / REDIS_PASSWORD (or redis.passwordEnv in the config file) and the ACL user",
      'Redis unavailable: nothing answers at the Redis address (connection refused)',
      'Redis reachable',
    ]);
    expect(health.state()).toMatchObject({ reachable: true });
    expect(classifyRedisError(new Error('Something else entirely'))).toBeUndefined();
  });
});

describe('runUntilSignal', () => {
  const signals = () => {
    const emitter = new EventEmitter();
    return { emitter, on: emitter.on.bind(emitter), removeListener: emitter.removeListener.bind(emitter) } as unknown as NodeJS.Process & {
      emitter: EventEmitter;
    };
  };

  it('stops once and exits 0; a second signal exits 130 at once', async () => {
    const exits: number[] = [];
    const source = signals();
    let stops = 0;
    const done = runUntilSignal(() => ((stops += 1), new Promise<void>(() => undefined)), createLogger({ level: 'silent' }), {
      graceMs: 60_000,
      exit: (code) => void exits.push(code),
      signals: source,
    });
    source.emitter.emit('SIGTERM');
    source.emitter.emit('SIGINT');
    expect(stops).toBe(1);
    expect(exits).toEqual([130]);
    void done;
  });

  it('exits 1 when the stop does not end within the grace + 1.5 s', async () => {
    const exits: number[] = [];
    const source = signals();
    void runUntilSignal(() => new Promise<void>(() => undefined), createLogger({ level: 'silent' }), {
      graceMs: 10,
      exit: (code) => void exits.push(code),
      signals: source,
    });
    source.emitter.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    expect(exits).toEqual([1]);
  });

  it('a clean stop exits 0', async () => {
    const exits: number[] = [];
    const source = signals();
    const done = runUntilSignal(async () => undefined, createLogger({ level: 'silent' }), {
      graceMs: 1_000,
      exit: (code) => void exits.push(code),
      signals: source,
    });
    source.emitter.emit('SIGTERM');
    await done;
    expect(exits).toEqual([0]);
  });
});
