import type { Redis } from 'ioredis';
import { luaScript } from '../../lua-script.js';
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

/**
 * The write of one record, atomic as the MULTI it replaces, in one EVALSHA: a worker records every
 * check, and `multi()` on a connection BullMQ has defined its scripts on copies each of them onto
 * a new Pipeline (measured: ~2 % of a 500-gateway worker's busy time, plus six commands a check).
 *
 * KEYS: good list, last failure, latest. ARGV: good action ('push' | 'refresh' | 'none' | '' when
 * not up), good entry, max good, retention ms, record.
 */
const WRITE_RECORD = luaScript(`
if ARGV[1] == 'push' then
  redis.call('LPUSH', KEYS[1], ARGV[2])
  redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
elseif ARGV[1] == 'refresh' then
  redis.call('LSET', KEYS[1], 0, ARGV[2])
end
if ARGV[1] == '' then
  redis.call('SET', KEYS[2], ARGV[5], 'PX', ARGV[4])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[4])
return 1
`);

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
      let action = '';
      let entry = '';
      if (isUp(record.fingerprint.state)) {
        // Read, decide, write: one gateway's checks are recorded one at a time (coalesced), and a
        // lost race costs one refreshed timestamp, never a wrong diff.
        // Only the head decides (refresh it or push a new one): read and parse one entry, not
        // MAX_GOOD — unless it does not parse, when the list is read as before (the first that does).
        const text = await redis.lindex(key(gateway, 'good'), 0);
        const head = parseGood(text);
        const update = nextGood(head ? [head] : text ? await goodList(gateway) : [], record.fingerprint);
        action = update.action;
        if (update.action !== 'none') entry = JSON.stringify(update.entry);
      }
      const keys = [key(gateway, 'good'), key(gateway, 'last-failure'), key(gateway, 'latest')];
      await WRITE_RECORD(redis, keys, [action, entry, MAX_GOOD, retentionMs, JSON.stringify(record)]);
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
