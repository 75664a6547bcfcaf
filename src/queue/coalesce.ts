import type { Redis } from 'ioredis';
import { luaScript } from '../lua-script.js';
import { ProbeReportSchema, type ProbeReport } from '../report/report.js';

/**
 * One probe answers every request for the same gateway made within the window: five people typing
 * `/gateway check prod` in the same incident cost the gateway one handshake, not five.
 * In-process requests share the promise; across workers a Redis lock elects the prober and the
 * others read its result. A result is shared only if its probe started no earlier than
 * `windowMs` before the request, so nobody gets an answer older than they asked for.
 *
 * Two round trips to Redis per probe, whatever the fleet: one script before it (a fresh shared
 * result, else the lock) and one after it (share the result, release the lock).
 */
export interface Coalescer {
  probe(gateway: string, requestedAt: number): Promise<ProbeReport>;
}

export interface CoalescerDeps {
  redis: Redis;
  prefix: string;
  windowMs: number;
  /**
   * The prober renews its lock every third of this while it probes, so a crashed prober's lock
   * lapses within this time and another worker takes over.
   */
  lockTtlMs?: number;
  /** Longest a waiter waits for another worker's result before probing itself (≥ the check budget). */
  maxWaitMs: number;
  run: (gateway: string) => Promise<ProbeReport>;
  now?: () => number;
  pollMs?: number;
  /** A request answered by another request's probe (in this process or another worker's): for metrics. */
  onShared?: (gateway: string) => void;
}

interface Stored {
  startedAtMs: number;
  report: unknown;
}

/**
 * A fresh shared result → [1, text]; else the lock taken → [2]; else another prober holds it → [0].
 * `startedAtMs` is the stored JSON's first field (JSON.stringify keeps the order it was built in),
 * so freshness is read without decoding the report; the caller checks the text again in full.
 */
const ACQUIRE = luaScript(`
local text = redis.call('get', KEYS[1])
if text then
  local started = tonumber(string.match(text, '^{"startedAtMs":([%d%.eE%+%-]+),'))
  if started and started >= tonumber(ARGV[3]) then return {1, text} end
end
if redis.call('set', KEYS[2], ARGV[1], 'PX', ARGV[2], 'NX') then return {2} end
return {0}
`);

/** Share the result (ARGV[2], unless empty) for ARGV[3] ms, then release the lock if it is still ours. */
const SHARE_AND_RELEASE = luaScript(`
if ARGV[2] ~= '' then redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if redis.call('get', KEYS[2]) == ARGV[1] then redis.call('del', KEYS[2]) end
return 1
`);

const RENEW = luaScript(`
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end
`);

export function createCoalescer(deps: CoalescerDeps): Coalescer {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 50;
  const lockTtlMs = deps.lockTtlMs ?? 5_000;
  const inFlight = new Map<string, { startedAtMs: number; promise: Promise<ProbeReport> }>();
  const resultKey = (gateway: string) => `${deps.prefix}:probe:${gateway}:result`;
  const lockKey = (gateway: string) => `${deps.prefix}:probe:${gateway}:lock`;

  const fresh = (startedAtMs: number, requestedAt: number) => startedAtMs >= requestedAt - deps.windowMs;

  function parseShared(text: string, requestedAt: number): ProbeReport | undefined {
    try {
      const stored = JSON.parse(text) as Stored;
      if (!fresh(stored.startedAtMs, requestedAt)) return undefined;
      const parsed = ProbeReportSchema.safeParse(stored.report);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async function probeAndShare(gateway: string, token: string): Promise<ProbeReport> {
    const startedAtMs = now();
    const keys = [resultKey(gateway), lockKey(gateway)];
    const renew = setInterval(
      () => void RENEW(deps.redis, [lockKey(gateway)], [token, lockTtlMs]).catch(() => undefined),
      Math.max(100, Math.floor(lockTtlMs / 3)),
    );
    let report: ProbeReport;
    try {
      report = await deps.run(gateway);
    } catch (error) {
      clearInterval(renew);
      await SHARE_AND_RELEASE(deps.redis, keys, [token, '', 0]).catch(() => undefined);
      throw error;
    }
    clearInterval(renew);
    // Sharing is best effort: a finished probe is the answer whatever Redis does now (a restart, a
    // failover). Others then probe for themselves, and a lock left behind lapses. Only our own lock
    // is released (it may have expired and been taken by another worker).
    const shared = deps.windowMs > 0 ? JSON.stringify({ startedAtMs, report } satisfies Stored) : '';
    await SHARE_AND_RELEASE(deps.redis, keys, [token, shared, Math.max(1, deps.windowMs * 2)]).catch(() => undefined);
    return report;
  }

  async function coordinate(gateway: string, requestedAt: number): Promise<ProbeReport> {
    const deadline = now() + deps.maxWaitMs;
    for (;;) {
      const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
      let locked: boolean;
      try {
        const reply = (await ACQUIRE(deps.redis, [resultKey(gateway), lockKey(gateway)], [token, lockTtlMs, requestedAt - deps.windowMs])) as [number, string?];
        const shared = reply[0] === 1 && reply[1] !== undefined ? parseShared(reply[1], requestedAt) : undefined;
        if (shared) {
          deps.onShared?.(gateway);
          return shared;
        }
        // A stored result that does not parse is no answer: take the lock as if there were none.
        locked = reply[0] === 2 || (reply[0] === 1 && (await deps.redis.set(lockKey(gateway), token, 'PX', lockTtlMs, 'NX')) === 'OK');
      } catch {
        // Redis does not answer: coalescing across workers is a saving, not a condition. Probe here.
        return deps.run(gateway);
      }
      if (locked) return probeAndShare(gateway, token);
      // Another worker is probing this gateway: wait for its result, or for its lock to lapse
      // (then the loop takes the lock). Past the longest check, probe regardless.
      if (now() > deadline) return deps.run(gateway);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  return {
    probe(gateway, requestedAt) {
      const current = inFlight.get(gateway);
      if (current && fresh(current.startedAtMs, requestedAt)) {
        deps.onShared?.(gateway);
        return current.promise;
      }
      const startedAtMs = now();
      const promise = coordinate(gateway, requestedAt).finally(() => {
        if (inFlight.get(gateway)?.promise === promise) inFlight.delete(gateway);
      });
      inFlight.set(gateway, { startedAtMs, promise });
      return promise;
    },
  };
}
