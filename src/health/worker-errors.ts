import type { Logger } from '../log.js';
import { isRedisConnectionError, type RedisHealth } from './redis-health.js';

/**
 * BullMQ workers and queues emit 'error' on every failed call of their retry loops: with Redis
 * gone or a wrong password, dozens a second. Those say "Redis is unavailable", which the process's
 * RedisHealth logs once per change; only other errors (a bug, a bad script) are logged here.
 */
export function logWorkerError(logger: Logger, health: RedisHealth | undefined, error: unknown, message: string): void {
  if (isRedisConnectionError(error)) {
    health?.report(error);
    logger.debug({ err: error }, message);
    return;
  }
  logger.warn({ err: error }, message);
}
