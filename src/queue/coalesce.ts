import type { Redis } from 'ioredis';
import { ProbeReportSchema, type ProbeReport } from '../report/report.js';

/**
 * One probe answers every request for the same gateway made within the window: five people typing
 * `/gateway check prod` in the same incident cost the gateway one handshake, not five.
 * In-process requests share the promise; across workers a Redis lock elects the prober and the
 * others read its result. A result is shared only if its probe started no earlier than
 * `windowMs` before the request, so nobody gets an answer older than they asked for.
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

export function createCoalescer(deps: CoalescerDeps): Coalescer {
  const now = deps.now ?? Date.now;
  const pollMs = deps.pollMs ?? 50;
  const lockTtlMs = deps.lockTtlMs ?? 5_000;
  const inFlight = new Map<string, { startedAtMs: number; promise: Promise<ProbeReport> }>();
  const resultKey = (gateway: string) => `${deps.prefix}:probe:${gateway}:result`;
  const lockKey = (gateway: string) => `${deps.prefix}:probe:${gateway}:lock`;

  const fresh = (startedAtMs: number, requestedAt: number) => startedAtMs >= requestedAt - deps.windowMs;

  async function readShared(gateway: string, requestedAt: number): Promise<ProbeReport | undefined> {
    const text = await deps.redis.get(resultKey(gateway));
    if (!text) return undefined;
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
    const renew = setInterval(
      () => {
        void deps.redis
          .eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
            1,
            lockKey(gateway),
            token,
            String(lockTtlMs),
          )
          .catch(() => undefined);
      },
      Math.max(100, Math.floor(lockTtlMs / 3)),
    );
    try {
      const report = await deps.run(gateway);
      // Sharing is best effort: a finished probe is the answer whatever Redis does now (a
      // restart, a failover). Others then probe for themselves, and a lock left behind lapses.
      if (deps.windowMs > 0) {
        const stored: Stored = { startedAtMs, report };
        await deps.redis.set(resultKey(gateway), JSON.stringify(stored), 'PX', Math.max(1, deps.windowMs * 2)).catch(() => undefined);
      }
      return report;
    } finally {
      clearInterval(renew);
      // Release only our own lock (it may have expired and been taken by another worker).
      await deps.redis
        .eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", 1, lockKey(gateway), token)
        .catch(() => undefined);
    }
  }

  async function coordinate(gateway: string, requestedAt: number): Promise<ProbeReport> {
    const deadline = now() + deps.maxWaitMs;
    for (;;) {
      const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
      let locked: string | null;
      try {
        const shared = await readShared(gateway, requestedAt);
        if (shared) {
          deps.onShared?.(gateway);
          return shared;
        }
        locked = await deps.redis.set(lockKey(gateway), token, 'PX', lockTtlMs, 'NX');
      } catch {
        // Redis does not answer: coalescing across workers is a saving, not a condition. Probe here.
        return deps.run(gateway);
      }
      if (locked === 'OK') return probeAndShare(gateway, token);
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
