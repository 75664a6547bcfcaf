import type { Redis } from 'ioredis';
import * as z from 'zod';
import { AlertStateSchema } from '../alerts/policy.js';
import type { LatestOutcome } from '../alerts/outcome.js';
import { luaScript } from '../../../lua-script.js';
import { parseStored as parse, readStoredHash } from '../../../state/stored-json.js';

/**
 * Where the alert policy keeps its state between results and across restarts: per subject (a
 * gateway, or clawops' network) the machine's state and the last probe it evaluated; per gateway
 * the latest outcome (for the network self-check); per incident the alert's thread.
 * A step reads a snapshot and saves only if nothing it read changed meanwhile (compare-and-set in
 * one script): cheaper than a lock on every result, and a conflict — two results of one gateway at
 * once, or the network's state changing — just means reading again.
 */
export const StoredAlertSchema = z.object({
  state: AlertStateSchema,
  /** Start time of the last probe evaluated: a shared (coalesced) probe is not counted twice. */
  lastProbeAt: z.number().int().optional(),
});
export type StoredAlert = z.infer<typeof StoredAlertSchema>;

const LatestOutcomeSchema = z.object({ at: z.number().int(), network: z.boolean(), freshUntil: z.number().int() });
const ThreadSchema = z.object({ channel: z.string(), ts: z.string() });
export type AlertThread = z.infer<typeof ThreadSchema>;

/** What a step read: the parsed states, and the stored text each save is compared against. */
export interface AlertSnapshot {
  states: Map<string, StoredAlert>;
  raw: Map<string, string>;
}

export interface AlertStateStore {
  get(subjects: readonly string[]): Promise<Map<string, StoredAlert>>;
  snapshot(subjects: readonly string[]): Promise<AlertSnapshot>;
  all(): Promise<Map<string, StoredAlert>>;
  /** Saves `states` (and the gateway's latest outcome) only if the snapshot's subjects are unchanged; false otherwise. */
  saveIf(snapshot: AlertSnapshot, states: ReadonlyMap<string, StoredAlert>, latest?: { gateway: string; outcome: LatestOutcome }): Promise<boolean>;
  latest(): Promise<Map<string, LatestOutcome>>;
  thread(incidentId: string): Promise<AlertThread | undefined>;
  setThread(incidentId: string, thread: AlertThread): Promise<void>;
}

/**
 * KEYS: states, latest. ARGV: n, then n × (subject, expected text or ''), then m, then m × (subject,
 * text), then the latest gateway ('' for none) and its outcome.
 */
const SAVE_IF_UNCHANGED = luaScript(`
local n = tonumber(ARGV[1])
for i = 0, n - 1 do
  local current = redis.call('HGET', KEYS[1], ARGV[2 + 2 * i]) or ''
  if current ~= ARGV[3 + 2 * i] then return 0 end
end
local at = 2 + 2 * n
local m = tonumber(ARGV[at])
for i = 0, m - 1 do redis.call('HSET', KEYS[1], ARGV[at + 1 + 2 * i], ARGV[at + 2 + 2 * i]) end
local latest = at + 1 + 2 * m
if ARGV[latest] ~= '' then redis.call('HSET', KEYS[2], ARGV[latest], ARGV[latest + 1]) end
return 1
`);

export function createAlertStateStore(deps: { redis: Redis; prefix: string; threadTtlMs?: number }): AlertStateStore {
  const { redis, prefix } = deps;
  const statesKey = `${prefix}:alerts:state`;
  const latestKey = `${prefix}:alerts:latest`;
  const threadKey = (incidentId: string) => `${prefix}:alerts:thread:${incidentId}`;
  const threadTtlMs = deps.threadTtlMs ?? 30 * 24 * 3_600_000;

  return {
    async get(subjects) {
      const result = new Map<string, StoredAlert>();
      if (subjects.length === 0) return result;
      const values = await redis.hmget(statesKey, ...subjects);
      subjects.forEach((subject, index) => {
        const stored = parse(StoredAlertSchema, values[index]);
        if (stored) result.set(subject, stored);
      });
      return result;
    },
    async snapshot(subjects) {
      const values = subjects.length ? await redis.hmget(statesKey, ...subjects) : [];
      const snapshot: AlertSnapshot = { states: new Map(), raw: new Map() };
      subjects.forEach((subject, index) => {
        const text = values[index] ?? '';
        snapshot.raw.set(subject, text);
        const stored = parse(StoredAlertSchema, text);
        if (stored) snapshot.states.set(subject, stored);
      });
      return snapshot;
    },
    async all() {
      return readStoredHash(redis, statesKey, StoredAlertSchema);
    },
    async saveIf(snapshot, states, latest) {
      const expected = [...snapshot.raw].flat();
      const writes = [...states].flatMap(([subject, stored]) => [subject, JSON.stringify(stored)]);
      const saved = await SAVE_IF_UNCHANGED(
        redis,
        [statesKey, latestKey],
        [String(snapshot.raw.size), ...expected, String(states.size), ...writes, latest?.gateway ?? '', latest ? JSON.stringify(latest.outcome) : ''],
      );
      return saved === 1;
    },
    async latest() {
      return readStoredHash(redis, latestKey, LatestOutcomeSchema);
    },
    async thread(incidentId) {
      return parse(ThreadSchema, await redis.get(threadKey(incidentId)));
    },
    async setThread(incidentId, thread) {
      await redis.set(threadKey(incidentId), JSON.stringify(thread), 'PX', threadTtlMs);
    },
  };
}
