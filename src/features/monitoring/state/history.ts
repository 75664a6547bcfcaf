import type { Redis } from 'ioredis';
import * as z from 'zod';
import type { CheckResult } from '../../../check/checker.js';
import type { HistorySettings } from '../../../config/sections/monitoring.js';
import { ProbeReportSchema, type ProbeReport } from '../../../report/report.js';
import { bucketOf, type Buckets } from '../../../state/handshake-sketch.js';
import { luaScript } from '../../../lua-script.js';
import { parseStored } from '../../../state/stored-json.js';
import { CheckSourceSchema, entryFromResult, handshakeMs, HistoryEntrySchema, isUp, type CheckSource, type HistoryEntry } from './history-entry.js';
import { parseSeen, VersionChangeSchema, type VersionChange, type VersionSeen, type VersionView } from './versions.js';

/**
 * Every check result, per gateway, in Redis (command-triggered and scheduled alike):
 * - the entries (newest first), bounded by count and age;
 * - hourly roll-ups (checks, checks up, handshake buckets) for uptime and p50/p95 over days, as
 *   Gatus keeps hourly uptime: a week of 60 s checks would otherwise be 10 080 entries per gateway;
 * - the full reports of the most recent failures, kept even when successes push their entries out
 *   (blackbox_exporter keeps failed probes for the same reason);
 * - the last version seen, the last known good version, and the changes between versions.
 * Keys carry gateway names only; every key expires, so a gateway removed from the config fades out.
 */
export interface HourRollup {
  hourStart: number;
  checks: number;
  up: number;
  handshake: Buckets;
}

export interface FailureRecord {
  at: number;
  source: CheckSource;
  report: ProbeReport;
}

export interface HistoryStore {
  /** Records one result; the same probe recorded twice (a shared, coalesced probe) counts once. */
  record(result: CheckResult, source: CheckSource): Promise<{ recorded: boolean; versionChange?: VersionChange }>;
  recent(gateway: string, limit: number): Promise<HistoryEntry[]>;
  failures(gateway: string, limit: number): Promise<FailureRecord[]>;
  hourly(gateways: readonly string[], fromMs: number, toMs: number): Promise<Map<string, HourRollup[]>>;
  versions(gateways: readonly string[]): Promise<Map<string, VersionView>>;
  versionChanges(gateways: readonly string[], sinceMs: number): Promise<Map<string, VersionChange[]>>;
}

export interface HistoryDeps {
  redis: Redis;
  prefix: string;
  settings: HistorySettings;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MAX_VERSION_CHANGES = 100;

/**
 * One result, in one round trip (a worker records hundreds a minute; each command is a syscall):
 * push the entry unless the newest is the same probe (same start time); trim by count, then drop
 * entries older than the cutoff from the tail (oldest last); count the hour; keep the report of a
 * failure; swap the version seen (and the last known good, when up). Returns {1, previous version
 * seen (JSON, or '')} when recorded, {0, ''} for a probe already recorded.
 *
 * KEYS: entries, day roll-up, failures, version seen, last known good.
 * ARGV: entry, dedupe prefix, max entries, cutoff, entry age ms, hour, up (1|0), bucket field ('' for
 *       none), day ttl ms, failure record ('' for none), max failures, retention ms, version seen ('' for none).
 */
const RECORD = luaScript(`
local head = redis.call('LINDEX', KEYS[1], 0)
if head and string.sub(head, 1, string.len(ARGV[2])) == ARGV[2] then return {0, ''} end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
local cutoff = tonumber(ARGV[4])
while true do
  local tail = redis.call('LINDEX', KEYS[1], -1)
  if not tail then break end
  local at = tonumber(string.match(tail, '^{"at":(%d+)'))
  if at and at < cutoff then redis.call('RPOP', KEYS[1]) else break end
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('HINCRBY', KEYS[2], ARGV[6] .. ':n', 1)
if ARGV[7] == '1' then redis.call('HINCRBY', KEYS[2], ARGV[6] .. ':ok', 1) end
if ARGV[8] ~= '' then redis.call('HINCRBY', KEYS[2], ARGV[6] .. ':' .. ARGV[8], 1) end
redis.call('PEXPIRE', KEYS[2], ARGV[9])
if ARGV[10] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[10])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[11]) - 1)
  redis.call('PEXPIRE', KEYS[3], ARGV[12])
end
local previous = ''
if ARGV[13] ~= '' then
  previous = redis.call('GET', KEYS[4]) or ''
  redis.call('SET', KEYS[4], ARGV[13], 'PX', ARGV[12])
  if ARGV[7] == '1' then redis.call('SET', KEYS[5], ARGV[13], 'PX', ARGV[12]) end
end
return {1, previous}
`);

const FailureRecordSchema = z.object({ at: z.number().int(), source: CheckSourceSchema, report: ProbeReportSchema });

function dayKeyPart(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replace(/-/g, '');
}

export function createHistoryStore(deps: HistoryDeps): HistoryStore {
  const { redis, prefix, settings } = deps;
  const key = (gateway: string, part: string) => `${prefix}:history:${gateway}:${part}`;
  const retentionMs = settings.retentionDays * DAY_MS;
  const entryAgeMs = settings.maxAgeHours * HOUR_MS;

  return {
    async record(result, source) {
      const gateway = result.report.gateway.name;
      const entry = entryFromResult(result, source);
      const up = isUp(entry.state);
      const handshake = handshakeMs(result);
      const failure: FailureRecord | undefined = !up && settings.failureReports > 0 ? { at: entry.at, source, report: result.report } : undefined;
      const seen: VersionSeen | undefined = entry.version ? { version: entry.version, at: entry.at } : undefined;
      const keys = [
        key(gateway, 'entries'),
        key(gateway, `day:${dayKeyPart(entry.at)}`),
        key(gateway, 'failures'),
        key(gateway, 'version'),
        key(gateway, 'good-version'),
      ];
      const reply = (await RECORD(redis, keys, [
        JSON.stringify(entry),
        `{"at":${entry.at},`,
        String(settings.maxEntries),
        String(entry.at - entryAgeMs),
        String(entryAgeMs),
        String(new Date(entry.at).getUTCHours()).padStart(2, '0'),
        up ? '1' : '0',
        handshake !== undefined ? `b${bucketOf(handshake)}` : '',
        String(retentionMs + DAY_MS),
        failure ? JSON.stringify(failure) : '',
        String(settings.failureReports),
        String(retentionMs),
        seen ? JSON.stringify(seen) : '',
      ])) as [number, string];
      if (reply[0] !== 1) return { recorded: false };
      const previous = parseSeen(reply[1]);
      if (!seen || !previous || previous.version === seen.version) return { recorded: true };
      // The swap was atomic, so no change is missed; logging it is one more write, once per upgrade.
      const change: VersionChange = { at: entry.at, from: previous.version, to: seen.version };
      await redis
        .multi()
        .lpush(key(gateway, 'version-changes'), JSON.stringify(change))
        .ltrim(key(gateway, 'version-changes'), 0, MAX_VERSION_CHANGES - 1)
        .pexpire(key(gateway, 'version-changes'), retentionMs)
        .exec();
      return { recorded: true, versionChange: change };
    },

    async recent(gateway, limit) {
      const rows = await redis.lrange(key(gateway, 'entries'), 0, Math.max(0, limit - 1));
      return rows.flatMap((row) => parseStored(HistoryEntrySchema, row) ?? []);
    },

    async failures(gateway, limit) {
      const rows = await redis.lrange(key(gateway, 'failures'), 0, Math.max(0, limit - 1));
      return rows.flatMap((row) => parseStored(FailureRecordSchema, row) ?? []);
    },

    async hourly(gateways, fromMs, toMs) {
      const days: number[] = [];
      for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS; day <= toMs; day += DAY_MS) days.push(day);
      const pipeline = redis.pipeline();
      for (const gateway of gateways) for (const day of days) pipeline.hgetall(key(gateway, `day:${dayKeyPart(day)}`));
      const replies = (await pipeline.exec()) ?? [];
      const result = new Map<string, HourRollup[]>();
      gateways.forEach((gateway, gatewayIndex) => {
        const hours = new Map<number, HourRollup>();
        days.forEach((day, dayIndex) => {
          const [error, fields] = replies[gatewayIndex * days.length + dayIndex] ?? [];
          if (error || !fields) return;
          for (const [field, raw] of Object.entries(fields as Record<string, string>)) {
            const match = /^(\d{2}):(n|ok|b(-?\d+))$/.exec(field);
            const count = Number(raw);
            if (!match || !Number.isFinite(count)) continue;
            const hourStart = day + Number(match[1]) * HOUR_MS;
            if (hourStart + HOUR_MS <= fromMs || hourStart > toMs) continue;
            const rollup = hours.get(hourStart) ?? { hourStart, checks: 0, up: 0, handshake: new Map() };
            if (match[2] === 'n') rollup.checks += count;
            else if (match[2] === 'ok') rollup.up += count;
            else rollup.handshake.set(Number(match[3]), (rollup.handshake.get(Number(match[3])) ?? 0) + count);
            hours.set(hourStart, rollup);
          }
        });
        result.set(
          gateway,
          [...hours.values()].sort((a, b) => a.hourStart - b.hourStart),
        );
      });
      return result;
    },

    async versions(gateways) {
      const result = new Map<string, VersionView>();
      if (gateways.length === 0) return result;
      const values = await redis.mget(...gateways.flatMap((gateway) => [key(gateway, 'version'), key(gateway, 'good-version')]));
      gateways.forEach((gateway, index) => {
        const lastSeen = parseSeen(values[index * 2]);
        const lastKnownGood = parseSeen(values[index * 2 + 1]);
        result.set(gateway, { ...(lastSeen ? { lastSeen } : {}), ...(lastKnownGood ? { lastKnownGood } : {}) });
      });
      return result;
    },

    async versionChanges(gateways, sinceMs) {
      const pipeline = redis.pipeline();
      for (const gateway of gateways) pipeline.lrange(key(gateway, 'version-changes'), 0, MAX_VERSION_CHANGES - 1);
      const replies = (await pipeline.exec()) ?? [];
      const result = new Map<string, VersionChange[]>();
      gateways.forEach((gateway, index) => {
        const [error, rows] = replies[index] ?? [];
        const changes = error || !Array.isArray(rows) ? [] : (rows as string[]).flatMap((row) => parseStored(VersionChangeSchema, row) ?? []);
        result.set(
          gateway,
          changes.filter((change) => change.at >= sinceMs).sort((a, b) => a.at - b.at),
        );
      });
      return result;
    },
  };
}
