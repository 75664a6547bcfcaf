import type { Redis } from 'ioredis';
import * as z from 'zod';
import { readStoredHash } from './stored-json.js';

/**
 * Every accepted check with a "⏳ Checking…" placeholder, until it is answered: the record the
 * stale-placeholder sweeper (jobs/stale-placeholders.ts) works from. Kept twice on purpose —
 * in Redis, so that a restarted bot still finds its placeholders, and in the bot's memory, so
 * that a Redis that comes back empty (no persistence) cannot make anyone forget one. The worker
 * that answers marks it answered (a marker that outlives the entry, so an answer that raced ahead
 * of the registration still counts). Names and Slack coordinates only, never a token.
 */
export const PendingCheckSchema = z.object({
  requestId: z.string().uuid(),
  channel: z.string().min(1),
  ts: z.string().min(1),
  gateways: z.array(z.string()).min(1),
  requestedBy: z.string().optional(),
  /** When the placeholder was posted (ms since the epoch). */
  postedAt: z.number().int(),
});
export type PendingCheck = z.infer<typeof PendingCheckSchema>;

export interface PendingChecks {
  /** Registers a placeholder (memory first; Redis may be down: then memory alone). */
  add(entry: PendingCheck): Promise<void>;
  /** The answer is in Slack: drop the entry everywhere, and remember that it was answered. */
  answered(requestId: string): Promise<void>;
  /** Throws when Redis does not answer: the caller cannot tell then. */
  isAnswered(requestId: string): Promise<boolean>;
  /** Memory and Redis together; Redis entries are left out (not fatal) when it is down. */
  list(): Promise<{ entries: PendingCheck[]; redisReadable: boolean }>;
  /** Forget in this process only (the sweeper gave up, or Slack shows the message is gone). */
  forget(requestId: string): void;
}

const ANSWERED_TTL_S = 24 * 3_600;

export function createPendingChecks(deps: { redis: Redis; prefix: string }): PendingChecks {
  const key = `${deps.prefix}:pending-checks`;
  const answeredKey = (requestId: string) => `${deps.prefix}:answered:${requestId}`;
  const memory = new Map<string, PendingCheck>();
  return {
    async add(entry) {
      const parsed = PendingCheckSchema.parse(entry);
      memory.set(parsed.requestId, parsed);
      await deps.redis.hset(key, parsed.requestId, JSON.stringify(parsed));
    },
    async answered(requestId) {
      memory.delete(requestId);
      await deps.redis.multi().set(answeredKey(requestId), '1', 'EX', ANSWERED_TTL_S).hdel(key, requestId).exec();
    },
    async isAnswered(requestId) {
      return (await deps.redis.exists(answeredKey(requestId))) === 1;
    },
    async list() {
      const all = new Map(memory);
      let redisReadable = true;
      try {
        for (const [requestId, entry] of await readStoredHash(deps.redis, key, PendingCheckSchema)) if (!all.has(requestId)) all.set(requestId, entry);
      } catch {
        redisReadable = false;
      }
      return { entries: [...all.values()], redisReadable };
    },
    forget(requestId) {
      memory.delete(requestId);
      void deps.redis.hdel(key, requestId).catch(() => undefined);
    },
  };
}
