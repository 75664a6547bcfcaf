import type { Redis } from 'ioredis';
import { CheckRecordSchema } from './check-record.js';
import { isUp, lastGoodBefore, MAX_GOOD, nextGood, parseGood, parseJson, recordOf, type FingerprintStore } from './store.js';

/**
 * The bot's fingerprint store: `<prefix>:fingerprint:<gateway>:good` (a list, newest first),
 * `…:latest` and `…:last-failure` (one check each). Keys carry the gateway name only, values the
 * fingerprint and the report (fingerprints of tokens, never a token); every key expires, so a
 * gateway removed from the config fades out.
 */
export interface RedisFingerprintStoreDeps {
  redis: Redis;
  prefix: string;
  retentionMs?: number;
}

const DEFAULT_RETENTION_MS = 90 * 24 * 3_600_000;

export function createRedisFingerprintStore(deps: RedisFingerprintStoreDeps): FingerprintStore {
  const { redis, prefix } = deps;
  const retentionMs = deps.retentionMs ?? DEFAULT_RETENTION_MS;
  const key = (gateway: string, part: string) => `${prefix}:fingerprint:${gateway}:${part}`;
  const goodList = async (gateway: string, limit = MAX_GOOD) =>
    (await redis.lrange(key(gateway, 'good'), 0, Math.max(0, limit - 1))).flatMap((row) => parseGood(row) ?? []);

  return {
    async record(result) {
      const record = recordOf(result);
      const gateway = record.fingerprint.gateway;
      const multi = redis.multi();
      if (isUp(record.fingerprint.state)) {
        // Read, decide, write: one gateway's checks are recorded one at a time (coalesced), and a
        // lost race costs one refreshed timestamp, never a wrong diff.
        // Only the head decides (refresh it or push a new one): read and parse one entry, not
        // MAX_GOOD — unless it does not parse, when the list is read as before (the first that does).
        const text = await redis.lindex(key(gateway, 'good'), 0);
        const head = parseGood(text);
        const update = nextGood(head ? [head] : text ? await goodList(gateway) : [], record.fingerprint);
        if (update.action === 'push') multi.lpush(key(gateway, 'good'), JSON.stringify(update.entry)).ltrim(key(gateway, 'good'), 0, MAX_GOOD - 1);
        if (update.action === 'refresh') multi.lset(key(gateway, 'good'), 0, JSON.stringify(update.entry));
        multi.pexpire(key(gateway, 'good'), retentionMs);
      } else {
        multi.set(key(gateway, 'last-failure'), JSON.stringify(record), 'PX', retentionMs);
      }
      multi.set(key(gateway, 'latest'), JSON.stringify(record), 'PX', retentionMs);
      await multi.exec();
    },
    async lastGood(gateway, beforeMs) {
      return lastGoodBefore(await goodList(gateway), beforeMs);
    },
    goodHistory: (gateway, limit) => goodList(gateway, limit),
    async latest(gateway) {
      return parseJson(CheckRecordSchema, await redis.get(key(gateway, 'latest')));
    },
    async lastFailure(gateway) {
      return parseJson(CheckRecordSchema, await redis.get(key(gateway, 'last-failure')));
    },
  };
}
