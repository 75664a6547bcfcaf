import { Redis, type RedisOptions } from 'ioredis';
import { parseRedisTarget } from '../config/redis-target.js';

/**
 * Two kinds of Redis connection, as BullMQ recommends: workers block and must retry forever
 * (`maxRetriesPerRequest: null`); producers in a request path must fail fast, so that a slash
 * command hears "the check queue is unavailable" within Slack's 3 s instead of waiting.
 * The URL may name one server or a Sentinel master (src/config/redis-target.ts): ioredis asks
 * the sentinels for the master and follows a failover by itself.
 */
export function createWorkerConnection(url: string, options: RedisOptions = {}): Redis {
  return newRedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

export function createProducerConnection(url: string, options: RedisOptions = {}): Redis {
  return newRedis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...options,
  });
}

/** One server from its URL, or a Sentinel-managed master from `redis+sentinel://…`. */
export function newRedis(url: string, options: RedisOptions = {}): Redis {
  const target = parseRedisTarget(url);
  if (target.kind === 'server') return new Redis(target.url, options);
  const retry = options.retryStrategy ?? ((attempt: number) => Math.min(attempt * 200, 2_000));
  return new Redis({
    ...options,
    sentinels: target.sentinels,
    name: target.name,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.sentinelUsername ? { sentinelUsername: target.sentinelUsername } : {}),
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    ...(target.db !== undefined ? { db: target.db } : {}),
    ...(target.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
    // Ask the sentinels again soon after the master goes: a failover takes seconds, not minutes.
    sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
    retryStrategy: retry,
    // Listen to the sentinels' +switch-master instead of waiting for the old master's socket to die.
    failoverDetector: true,
  });
}

/** Rejects after `ms` with a message fit for a person: used around producer calls. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer from Redis within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
