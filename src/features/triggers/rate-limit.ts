import type { Redis } from 'ioredis';
import { luaScript } from '../../lua-script.js';

/**
 * At most one trigger reply per thread and per channel within their cooldowns, across every bot
 * process (Slack hands each event to one of them): both slots are checked and taken in one Lua
 * call, so a paste that is refused for the channel does not use up its thread's slot.
 * Keys hold channel ids and message timestamps only.
 */
export type LimitDecision = 'allowed' | 'thread-limited' | 'channel-limited';

export interface TriggerLimiter {
  take(channel: string, threadTs: string): Promise<LimitDecision>;
}

const TAKE = luaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
if tonumber(ARGV[1]) > 0 then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[2], '1', 'PX', ARGV[2]) end
return 0
`);

export function createTriggerLimiter(deps: { redis: Redis; prefix: string; threadCooldownMs: number; channelCooldownMs: number }): TriggerLimiter {
  return {
    async take(channel, threadTs) {
      const keys = [`${deps.prefix}:triggers:thread:${channel}:${threadTs}`, `${deps.prefix}:triggers:channel:${channel}`];
      const answer = Number(await TAKE(deps.redis, keys, [deps.threadCooldownMs, deps.channelCooldownMs]));
      return answer === 1 ? 'thread-limited' : answer === 2 ? 'channel-limited' : 'allowed';
    },
  };
}
