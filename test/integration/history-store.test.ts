/**
 * History, incidents and maintenance windows on real Redis, each test under its own prefix.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { HistorySettingsSchema } from '../../src/config/sections/monitoring.js';
import { createHistoryStore } from '../../src/features/monitoring/state/history.js';
import { createIncidentLog } from '../../src/features/monitoring/state/incidents.js';
import { createMaintenanceStore } from '../../src/features/monitoring/state/maintenance.js';
import { unprovenVersionChange } from '../../src/features/monitoring/state/versions.js';
import { handshakeQuantiles, uptimeOf } from '../../src/features/monitoring/state/history-stats.js';
import { authRejected, healthy, resultOf, tcpFailure } from '../support/monitoring-reports.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');
const MIN = 60_000;
const T0 = Date.UTC(2026, 8, 15, 10, 0);

describe('history on Redis', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const store = (settings: Record<string, number> = {}) => {
    const prefix = uniquePrefix('history');
    prefixes.push(prefix);
    return { prefix, history: createHistoryStore({ redis, prefix, settings: HistorySettingsSchema.parse(settings) }) };
  };

  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) await deleteKeysWithPrefix(redisUrl, prefix);
  });
  afterAll(() => redis?.disconnect());

  it('records every result, newest first, and one shared probe only once', async () => {
    const { history } = store();
    const first = resultOf(healthy({ at: T0 }));
    expect((await history.record(first, 'schedule')).recorded).toBe(true);
    expect((await history.record(first, 'command')).recorded).toBe(false);
    await history.record(resultOf(authRejected({ at: T0 + MIN })), 'command');
    const recent = await history.recent('prod', 10);
    expect(recent.map((entry) => [entry.at, entry.state, entry.verdict, entry.source])).toEqual([
      [T0 + MIN, 'unhealthy', 'auth-rejected', 'command'],
      [T0, 'healthy', undefined, 'schedule'],
    ]);
    expect(recent[1]!.layers.handshake).toBe(39);
  });

  it('is bounded by count and by age', async () => {
    const { history } = store({ maxEntries: 10, maxAgeHours: 1 });
    for (let index = 0; index < 15; index++) await history.record(resultOf(healthy({ at: T0 + index * MIN })), 'schedule');
    expect((await history.recent('prod', 100)).map((entry) => entry.at)).toEqual(Array.from({ length: 10 }, (_, index) => T0 + (14 - index) * MIN));
    // Two hours later: everything older than an hour before the newest is dropped.
    await history.record(resultOf(healthy({ at: T0 + 130 * MIN })), 'schedule');
    await history.record(resultOf(healthy({ at: T0 + 131 * MIN })), 'schedule');
    expect((await history.recent('prod', 100)).map((entry) => entry.at)).toEqual([T0 + 131 * MIN, T0 + 130 * MIN]);
  });

  it('keeps the full reports of the latest failures however many successes follow', async () => {
    const { history } = store({ maxEntries: 10, failureReports: 2 });
    await history.record(resultOf(tcpFailure('refused', { at: T0 })), 'schedule');
    await history.record(resultOf(authRejected({ at: T0 + MIN })), 'schedule');
    await history.record(resultOf(authRejected({ at: T0 + 2 * MIN })), 'command');
    for (let index = 3; index < 50; index++) await history.record(resultOf(healthy({ at: T0 + index * MIN })), 'schedule');
    expect((await history.recent('prod', 100)).every((entry) => entry.state === 'healthy')).toBe(true);
    const failures = await history.failures('prod', 10);
    expect(failures.map((failure) => [failure.at, failure.source, failure.report.layers.find((layer) => layer.layer === 'handshake')?.status])).toEqual([
      [T0 + 2 * MIN, 'command', 'failed'],
      [T0 + MIN, 'schedule', 'failed'],
    ]);
  });

  it('rolls up hours: uptime and handshake quantiles over days, beyond the entries', async () => {
    const { history } = store({ maxEntries: 10 });
    // 3 hours, 60 checks each; 6 failures in the second hour; handshakes 20…79 ms.
    for (let hour = 0; hour < 3; hour++) {
      for (let minute = 0; minute < 60; minute++) {
        const at = T0 + hour * 60 * MIN + minute * MIN;
        const report = hour === 1 && minute < 6 ? tcpFailure('refused', { at }) : healthy({ at, handshakeMs: 20 + minute });
        await history.record(resultOf(report), 'schedule');
      }
    }
    const hours = (await history.hourly(['prod', 'unknown'], T0, T0 + 3 * 60 * MIN)).get('prod')!;
    expect(hours.map((hour) => [hour.hourStart, hour.checks, hour.up])).toEqual([
      [T0, 60, 60],
      [T0 + 60 * MIN, 60, 54],
      [T0 + 120 * MIN, 60, 60],
    ]);
    expect(uptimeOf(hours)).toEqual({ checks: 180, up: 174, ratio: 174 / 180 });
    const handshake = handshakeQuantiles(hours);
    expect(handshake.samples).toBe(174);
    expect(Math.abs(handshake.p95! - 77) / 77).toBeLessThan(0.06);
    expect((await history.hourly(['unknown'], T0, T0 + MIN)).get('unknown')).toEqual([]);
  });

  it('tracks versions: last seen, last known good, and each change', async () => {
    const { history } = store();
    await history.record(resultOf(healthy({ at: T0, version: '2026.9.2' })), 'schedule');
    expect((await history.record(resultOf(healthy({ at: T0 + MIN, version: '2026.9.2' })), 'schedule')).versionChange).toBeUndefined();
    // Upgraded, and failing from the first check on the new build.
    const changed = await history.record(resultOf(authRejected({ at: T0 + 2 * MIN, version: '2026.9.6' })), 'schedule');
    expect(changed.versionChange).toEqual({ at: T0 + 2 * MIN, from: '2026.9.2', to: '2026.9.6' });
    let view = (await history.versions(['prod'])).get('prod')!;
    expect(view).toEqual({ lastSeen: { version: '2026.9.6', at: T0 + 2 * MIN }, lastKnownGood: { version: '2026.9.2', at: T0 + MIN } });
    expect(unprovenVersionChange(view)).toEqual({ from: '2026.9.2', to: '2026.9.6' });
    // Healthy on the new build: it becomes the last known good.
    await history.record(resultOf(healthy({ at: T0 + 3 * MIN, version: '2026.9.6' })), 'schedule');
    view = (await history.versions(['prod'])).get('prod')!;
    expect(view.lastKnownGood?.version).toBe('2026.9.6');
    expect(unprovenVersionChange(view)).toBeUndefined();
    expect((await history.versionChanges(['prod'], T0)).get('prod')).toEqual([{ at: T0 + 2 * MIN, from: '2026.9.2', to: '2026.9.6' }]);
    expect((await history.versionChanges(['prod'], T0 + 5 * MIN)).get('prod')).toEqual([]);
  });

  it('every key it writes expires, and names the gateway, never a token', async () => {
    const { prefix, history } = store();
    await history.record(resultOf(authRejected({ at: T0 })), 'schedule');
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    for (const key of keys) {
      expect(await redis.pttl(key)).toBeGreaterThan(0);
      expect(key).toMatch(new RegExp(`^${prefix}:history:prod:`));
    }
  });
});

describe('incidents and maintenance on Redis', () => {
  let redis: Redis;
  const prefix = uniquePrefix('incidents');
  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redisUrl, prefix);
    redis?.disconnect();
  });

  it('an incident is opened, then closed in place; old ones fall out', async () => {
    const log = createIncidentLog({ redis, prefix, retentionMs: 7 * 24 * 60 * MIN });
    await log.save('prod', { id: 'prod-1', startedAt: T0, verdict: 'refused', alerted: true });
    await log.save('prod', { id: 'prod-1', startedAt: T0, verdict: 'auth-rejected', alerted: true });
    expect((await log.list(['prod'], T0)).get('prod')).toEqual([{ id: 'prod-1', startedAt: T0, verdict: 'auth-rejected', alerted: true }]);
    await log.save('prod', { id: 'prod-1', startedAt: T0, endedAt: T0 + 5 * MIN, verdict: 'auth-rejected', alerted: true });
    expect((await log.list(['prod'], T0)).get('prod')).toEqual([
      { id: 'prod-1', startedAt: T0, endedAt: T0 + 5 * MIN, verdict: 'auth-rejected', alerted: true },
    ]);
    // Ended before the period: not listed. Eight days later: trimmed.
    expect((await log.list(['prod'], T0 + 10 * MIN)).get('prod')).toEqual([]);
    await log.save('prod', { id: 'prod-2', startedAt: T0 + 8 * 24 * 60 * MIN, verdict: 'timeout', alerted: false });
    expect(await redis.zcard(`${prefix}:incidents:prod`)).toBe(1);
  });

  it('a maintenance window is open until it ends, or until it is ended', async () => {
    const windows = createMaintenanceStore({ redis, prefix });
    await windows.start('prod', { startedAt: T0, until: T0 + 60 * MIN, by: 'U0ONCALL', reason: 'upgrade' });
    await windows.start('staging', { startedAt: T0, until: T0 + 10 * MIN, by: 'U0ONCALL' });
    expect([...(await windows.open(T0 + 5 * MIN)).keys()].sort()).toEqual(['prod', 'staging']);
    expect([...(await windows.open(T0 + 30 * MIN)).keys()]).toEqual(['prod']);
    expect(await redis.hexists(`${prefix}:maintenance`, 'staging')).toBe(0);
    expect((await windows.end('prod', T0 + 31 * MIN))?.reason).toBe('upgrade');
    expect(await windows.get('prod', T0 + 32 * MIN)).toBeUndefined();
    expect(await windows.end('prod', T0 + 33 * MIN)).toBeUndefined();
  });
});
