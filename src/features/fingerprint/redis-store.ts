import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaScript } from '../../lua-script.js';
import { CheckRecordSchema } from './check-record.js';
import {
  isUp,
  lastGoodBefore,
  MAX_GOOD,
  nextGood,
  parseGood,
  parseJson,
  recordOf,
  refreshOfKnownHead,
  type FingerprintStore,
  type KnownHead,
} from './store.js';

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
 * The write of one record, atomic, in one EVALSHA (a worker records every check: a MULTI was six
 * commands, and `multi()` on a connection BullMQ defined its scripts on copies each of them onto a
 * new Pipeline).
 *
 * KEYS: good list, last failure, latest.
 * ARGV: good action ('push' | 'refresh' | 'none', or '' when the check is not up), good entry, max
 *       good, retention ms, record, expected head SHA-1 ('' when the caller read the head itself).
 * Returns 1 when written, 0 (nothing written) when the head is no longer the one expected: another
 * worker moved it, and the caller reads it and decides again.
 */
const WRITE_RECORD = luaScript(`
if ARGV[6] ~= '' then
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head or redis.sha1hex(head) ~= ARGV[6] then return 0 end
end
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

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export function createRedisFingerprintStore(deps: RedisFingerprintStoreDeps): FingerprintStore {
  const { redis, prefix } = deps;
  const retentionMs = deps.retentionMs ?? DEFAULT_RETENTION_MS;
  const key = (gateway: string, part: string) => `${prefix}:fingerprint:${gateway}:${part}`;
  const goodList = async (gateway: string, limit = MAX_GOOD) =>
    (await redis.lrange(key(gateway, 'good'), 0, Math.max(0, limit - 1))).flatMap((row) => parseGood(row) ?? []);
  // The head this process last wrote or read, per gateway, as a few fields and its text's SHA-1 (not
  // the fingerprint: ~500 method names a gateway): a steady gateway's next good check refreshes it
  // without reading and parsing it back, and the script writes only if the head is still that text.
  const knownHeads = new Map<string, KnownHead & { sha1: string }>();
  const remember = (gateway: string, text: string | null | undefined) => {
    const head = parseGood(text);
    if (head && text) knownHeads.set(gateway, { ...knownHeadOf(head), sha1: sha1(text) });
    else knownHeads.delete(gateway);
  };

  return {
    async record(result) {
      const record = recordOf(result);
      const gateway = record.fingerprint.gateway;
      const keys = [key(gateway, 'good'), key(gateway, 'last-failure'), key(gateway, 'latest')];
      const recordText = JSON.stringify(record);
      const write = (action: string, entry: string, expectedSha1: string) =>
        WRITE_RECORD(redis, keys, [action, entry, MAX_GOOD, retentionMs, recordText, expectedSha1]) as Promise<number>;
      if (!isUp(record.fingerprint.state)) {
        await write('', '', '');
        return;
      }
      const known = knownHeads.get(gateway);
      const refresh = known ? refreshOfKnownHead(known, record.fingerprint) : undefined;
      if (known && refresh) {
        const entry = JSON.stringify(refresh.entry);
        if ((await write('refresh', entry, known.sha1)) === 1) {
          knownHeads.set(gateway, { ...knownHeadOf(refresh.entry), sha1: sha1(entry) });
          return;
        }
      }
      // Read, decide, write: one gateway's checks are recorded one at a time (coalesced), and a
      // lost race costs one refreshed timestamp, never a wrong diff.
      // Only the head decides (refresh it or push a new one): read and parse one entry, not
      // MAX_GOOD — unless it does not parse, when the list is read as before (the first that does).
      const text = await redis.lindex(key(gateway, 'good'), 0);
      const head = parseGood(text);
      const update = nextGood(head ? [head] : text ? await goodList(gateway) : [], record.fingerprint);
      const entry = update.action === 'none' ? '' : JSON.stringify(update.entry);
      await write(update.action, entry, '');
      remember(gateway, update.action === 'none' ? text : entry);
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

function knownHeadOf(entry: { fingerprint: { hash: string; url: string }; firstSeenAt: number; lastSeenAt: number }): KnownHead {
  return { hash: entry.fingerprint.hash, url: entry.fingerprint.url, firstSeenAt: entry.firstSeenAt, lastSeenAt: entry.lastSeenAt };
}
