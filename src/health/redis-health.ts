import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

/**
 * Whether this process can reach Redis, told once per change: a refused password is one error
 * line, not a hundred warnings a second. Every connection the process makes is watched; the
 * process is "reachable" when all of them are ready, and "down" (with the first reason seen) as
 * soon as one fails. BullMQ's own retries keep going underneath; only the logging is tamed.
 */
export type RedisProblem = 'auth' | 'refused' | 'unresolvable' | 'timeout' | 'sentinel' | 'other';

export interface RedisHealthState {
  reachable: boolean;
  problem?: RedisProblem;
  /** For people: "Redis refused clawops' credentials (WRONGPASS)". */
  detail: string;
  since: number;
}

export interface RedisHealth {
  watch(name: string, connection: Redis): void;
  /** Connection errors BullMQ surfaces on its own (duplicated) connections, e.g. a worker's blocking one. */
  report(error: unknown): void;
  state(): RedisHealthState;
  onChange(listener: (state: RedisHealthState) => void): void;
}

export function classifyRedisError(error: unknown): { problem: RedisProblem; detail: string } | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  if (/^(WRONGPASS|NOAUTH)\b/.test(message) || /invalid username-password|Authentication required|AUTH failed/i.test(message)) {
    return {
      problem: 'auth',
      detail: `Redis refused clawops' credentials (${message.split(' ')[0]}): check REDIS_URL / REDIS_PASSWORD (or redis.passwordEnv in the config file) and the ACL user`,
    };
  }
  if (/^NOPERM\b/.test(message))
    return { problem: 'auth', detail: 'Redis refused a command for this ACL user (NOPERM): grant it the queue keys and commands clawops needs' };
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message))
    return { problem: 'refused', detail: 'nothing answers at the Redis address (connection refused)' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(message))
    return { problem: 'unresolvable', detail: 'the Redis host name does not resolve' };
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|connect timed out|Command timed out/i.test(message))
    return { problem: 'timeout', detail: 'Redis did not answer in time' };
  if (/sentinel/i.test(message)) return { problem: 'sentinel', detail: `Redis Sentinel: ${message.split('\n')[0]!.slice(0, 200)}` };
  if (code === 'ECONNRESET' || code === 'EPIPE' || /Connection is closed|ECONNRESET|EPIPE|Stream isn't writeable|enableOfflineQueue/i.test(message)) {
    return { problem: 'other', detail: 'the connection to Redis was lost' };
  }
  return undefined;
}

/** True for the errors that say "Redis is not there", as opposed to a bug or a bad command. */
export function isRedisConnectionError(error: unknown): boolean {
  return classifyRedisError(error) !== undefined;
}

export function createRedisHealth(deps: { logger: Logger; target: string; now?: () => number }): RedisHealth {
  const now = deps.now ?? Date.now;
  const connections = new Map<string, Redis>();
  const listeners: Array<(state: RedisHealthState) => void> = [];
  let current: RedisHealthState = { reachable: false, detail: 'connecting', since: now() };
  let everReachable = false;

  const change = (next: RedisHealthState) => {
    current = next;
    for (const listener of listeners) listener(next);
  };

  const down = (error: unknown) => {
    const found = classifyRedisError(error) ?? {
      problem: 'other' as const,
      detail: (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200),
    };
    // Once down, only a different, specific reason is news (a refused password after a refused
    // connection); the lost-connection noise of every retry is not.
    if (!current.reachable && current.problem !== undefined && (found.problem === current.problem || found.problem === 'other')) return;
    deps.logger.error({ redis: deps.target, problem: found.problem }, `Redis unavailable: ${found.detail}`);
    change({ reachable: false, problem: found.problem, detail: found.detail, since: now() });
  };

  const maybeUp = () => {
    if (current.reachable) return;
    for (const connection of connections.values()) if (connection.status !== 'ready') return;
    const downForMs = now() - current.since;
    if (everReachable) deps.logger.info({ redis: deps.target, downForMs }, 'Redis reachable again');
    else deps.logger.info({ redis: deps.target }, 'Redis reachable');
    everReachable = true;
    change({ reachable: true, detail: 'ready', since: now() });
  };

  return {
    watch(name, connection) {
      connections.set(name, connection);
      connection.on('error', (error: unknown) => {
        deps.logger.debug({ err: error, connection: name }, 'redis error');
        down(error);
      });
      connection.on('ready', maybeUp);
      // A clean close (Redis shut down, a failover) brings no error; a deliberate disconnect ends in 'end'.
      connection.on('reconnecting', () => {
        if (current.reachable) down(new Error('Connection is closed.'));
      });
      if (connection.status === 'ready') maybeUp();
    },
    report(error) {
      if (isRedisConnectionError(error)) down(error);
    },
    state: () => current,
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
