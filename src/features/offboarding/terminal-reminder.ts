import type { Redis } from 'ioredis';
import { resolveRedis, type RedisFileSettings } from '../../config/redis-target.js';
import { newRedis } from '../../queue/connection.js';
import type { Env } from '../../config/targets.js';
import { renderOffboardingReminderText } from './render/offboarding-reminder.js';
import { createOffboardingStore } from './store.js';

/**
 * `clawops check` in a terminal also prints the open offboarding reminders — when Redis answers.
 * It must never slow the check or fail it: started alongside the probes, a short connect timeout,
 * one overall deadline, and every failure is silence.
 */
export const TERMINAL_REDIS_DEADLINE_MS = 400;

export async function offboardingReminderForTerminal(input: {
  env: Env;
  /** clawops.yaml's `redis:` (the environment overrides it). */
  redis?: RedisFileSettings;
  gateways: readonly string[];
  now?: () => number;
  deadlineMs?: number;
}): Promise<string | undefined> {
  const deadlineMs = input.deadlineMs ?? TERMINAL_REDIS_DEADLINE_MS;
  let url: string;
  try {
    url = resolveRedis(input.env, input.redis).url;
  } catch {
    return undefined;
  }
  const prefix = input.env.CLAWOPS_REDIS_PREFIX && /^[A-Za-z0-9:_-]{1,64}$/.test(input.env.CLAWOPS_REDIS_PREFIX) ? input.env.CLAWOPS_REDIS_PREFIX : 'clawops';
  let redis: Redis | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    redis = newRedis(url, {
      lazyConnect: true,
      connectTimeout: deadlineMs,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      commandTimeout: deadlineMs,
    });
    redis.on('error', () => undefined);
    const client = redis;
    const work = (async () => {
      await client.connect();
      const open = await createOffboardingStore({ redis: client, prefix }).listOpen(200);
      return renderOffboardingReminderText(open, { now: (input.now ?? Date.now)(), gateways: input.gateways });
    })();
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), deadlineMs);
    });
    return await Promise.race([work.catch(() => undefined), deadline]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    redis?.disconnect();
  }
}
