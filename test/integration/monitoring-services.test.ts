/**
 * What monitoring reads back from real Redis: the version change a failure began with (into the
 * diagnosis), the last known good version (into the check target), the history view and the
 * digest — including a contributed section that hangs.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigSchema } from '../../src/config/schema.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createMonitoring, type MonitoringServices } from '../../src/features/monitoring/services.js';
import { section } from '../../src/render/blocks.js';
import { md } from '../../src/render/slack-text.js';
import { createLastStateStore } from '../../src/state/last-state.js';
import { authRejected, healthy, resultOf, tcpFailure } from '../support/monitoring-reports.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';
import { blockKitProblems } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');
const MIN = 60_000;
const T0 = Date.UTC(2026, 8, 15, 6, 0);

describe('monitoring services on Redis', () => {
  const prefix = uniquePrefix('monitoring');
  let redis: Redis;
  let monitoring: MonitoringServices;
  const clock = { now: T0 };

  beforeAll(() => {
    redis = new Redis(redisUrl);
    const config = ConfigSchema.parse({
      monitoring: { timeZone: 'Europe/Berlin' },
      gateways: { prod: { url: 'ws://prod.example:18789' }, staging: { url: 'ws://staging.example:18789' } },
    });
    monitoring = createMonitoring({
      config,
      redis,
      prefix,
      lastState: createLastStateStore({ redis, prefix }),
      sections: () => [
        { name: 'tailnet', build: async () => ({ title: 'Tailnet', blocks: [section(md`all quiet`)], text: md`all quiet` }) },
        { name: 'offboarding', build: () => new Promise(() => undefined) },
      ],
      sectionTimeoutMs: 300,
      now: () => clock.now,
    });
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redisUrl, prefix);
    redis?.disconnect();
  });

  it('a failure that began with a version change says so in its verdict; the target carries the last known good', async () => {
    await monitoring.record(resultOf(healthy({ at: T0 - 2 * MIN, version: '2026.9.2' })), 'schedule');
    expect(await monitoring.targetExtras('prod')).toEqual({ lastKnownGoodVersion: '2026.9.2' });
    // The first check on the new build fails before the handshake shows a version… but /healthz saw it earlier.
    const failing = authRejected({ at: T0 - MIN, version: '2026.9.6' });
    await monitoring.record(resultOf(failing), 'schedule');
    const refused = tcpFailure('refused', { at: T0 });
    await monitoring.record(resultOf(refused), 'command');
    const context = await monitoring.enrichment.contextFor!(refused);
    expect(context).toEqual({ versionChange: { from: '2026.9.2', to: '2026.9.6' } });
    const primary = diagnose(refused, context).verdicts[0]!;
    expect(primary.notes.join('\n')).toContain(
      'the failure began with a version change 2026.9.2 → 2026.9.6: read the release notes, roll back to the last known good build (2026.9.2) and bisect',
    );
    // staging never changed: no context.
    expect(await monitoring.enrichment.contextFor!(healthy({ name: 'staging' }))).toEqual({});
  });

  it("a probe's diagnosis takes the versions its target read (one read a check), unless a result was recorded since or it is another probe", async () => {
    const gateway = 'versions-once';
    const seen = `${prefix}:history:${gateway}:version`;
    await monitoring.record(resultOf(healthy({ name: gateway, at: T0 - 2 * MIN, version: '2026.9.2' })), 'schedule');
    await monitoring.record(resultOf(authRejected({ name: gateway, at: T0 - MIN, version: '2026.9.6' })), 'schedule');
    const changed = { versionChange: { from: '2026.9.2', to: '2026.9.6' } };
    expect(await monitoring.targetExtras(gateway)).toEqual({ lastKnownGoodVersion: '2026.9.2' });
    // Redis changes under the probe (another worker): this probe's diagnosis is of what its target read.
    const stored = await redis.get(seen);
    await redis.del(seen);
    expect(await monitoring.enrichment.contextFor!(tcpFailure('refused', { name: gateway, at: T0 }))).toEqual(changed);
    // Taken once: the next diagnosis reads Redis.
    expect(await monitoring.enrichment.contextFor!(tcpFailure('refused', { name: gateway, at: T0 }))).toEqual({});
    await redis.set(seen, stored!);
    // Another probe (started minutes after the read) reads Redis.
    await monitoring.targetExtras(gateway);
    await redis.del(seen);
    expect(await monitoring.enrichment.contextFor!(tcpFailure('refused', { name: gateway, at: T0 + 10 * MIN }))).toEqual({});
    await redis.set(seen, stored!);
    // A result recorded in between makes the read stale.
    await monitoring.targetExtras(gateway);
    await monitoring.record(resultOf(healthy({ name: gateway, at: T0 + MIN, version: '2026.9.6' })), 'command');
    expect(await monitoring.enrichment.contextFor!(tcpFailure('refused', { name: gateway, at: T0 }))).toEqual({});
  });

  it('the history view reads entries, roll-ups, versions and the kept failures', async () => {
    const view = await monitoring.historyView('prod');
    expect(view.entries.map((entry) => entry.state)).toEqual(['unhealthy', 'unhealthy', 'healthy']);
    expect(view.uptime24h).toEqual({ checks: 3, up: 1, ratio: 1 / 3 });
    expect(view.versions.lastKnownGood?.version).toBe('2026.9.2');
    expect(view.changes).toEqual([{ at: T0 - MIN, from: '2026.9.2', to: '2026.9.6' }]);
    expect(view.failures.kept).toBe(2);
    expect(view.failures.latest?.headline).toContain('prod UNHEALTHY: refused');
  });

  it('the digest: per gateway, with the contributed sections, a hanging one reported as a line', async () => {
    const message = await monitoring.digest({ fromMs: T0 - 24 * 60 * MIN, toMs: T0 });
    expect(blockKitProblems(message.blocks)).toEqual([]);
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('*Tailnet*');
    expect(all).toContain('the offboarding section could not be built: no answer within 300 ms');
    expect(all).toContain('2026.9.2 → 2026.9.6 on Tue');
    expect(message.text).toMatch(/^📋 Gateway digest: 2 gateways/);
  });
});
