/**
 * The bot's fingerprint store on real Redis: a steady gateway keeps one good entry (refreshed), a
 * new build becomes the head, a failure is kept apart, and a head that does not parse is read past
 * as before (the first entry that does decides).
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createRedisFingerprintStore } from '../../src/features/fingerprint/redis-store.js';
import type { LayerOf, ProbeReport } from '../../src/report/report.js';
import { healthyReport, notReachedAfter, withLayer } from '../support/reports.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';

const redisUrl = inject('redisUrl');

function report(version: string, at: string): ProbeReport {
  const base = healthyReport();
  const handshake = base.layers.find((layer) => layer.layer === 'handshake') as LayerOf<'handshake'>;
  const next = withLayer(base, { ...handshake, evidence: { ...handshake.evidence!, serverVersion: version, buildId: `${version}-release` } });
  next.startedAt = at;
  return next;
}
const result = (r: ProbeReport) => ({ report: r, diagnosis: diagnose(r) });

describe('fingerprint store on Redis', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const store = () => {
    const prefix = uniquePrefix('fingerprint');
    prefixes.push(prefix);
    return { prefix, store: createRedisFingerprintStore({ redis, prefix }) };
  };
  beforeAll(() => {
    redis = new Redis(redisUrl);
  });
  afterEach(async () => {
    for (const prefix of prefixes.splice(0)) await deleteKeysWithPrefix(redisUrl, prefix);
  });
  afterAll(() => redis?.disconnect());

  it('one entry per distinct fingerprint, newest first; a failure is kept apart', async () => {
    const { store: fingerprints } = store();
    await fingerprints.record(result(report('2026.9.2', '2026-11-24T09:00:00.000Z')));
    await fingerprints.record(result(report('2026.9.2', '2026-11-24T09:01:00.000Z')));
    let good = await fingerprints.goodHistory('prod');
    expect(good.map((entry) => [entry.fingerprint.build?.version, entry.firstSeenAt, entry.lastSeenAt])).toEqual([
      ['2026.9.2', Date.parse('2026-11-24T09:00:00.000Z'), Date.parse('2026-11-24T09:01:00.000Z')],
    ]);
    await fingerprints.record(result(report('2026.9.6', '2026-11-24T09:02:00.000Z')));
    const failing = notReachedAfter(report('2026.9.6', '2026-11-24T09:03:00.000Z'), 'tcp');
    await fingerprints.record(result(failing));
    good = await fingerprints.goodHistory('prod');
    expect(good.map((entry) => entry.fingerprint.build?.version)).toEqual(['2026.9.6', '2026.9.2']);
    expect((await fingerprints.lastFailure('prod'))?.at).toBe(Date.parse('2026-11-24T09:03:00.000Z'));
    expect((await fingerprints.latest('prod'))?.at).toBe(Date.parse('2026-11-24T09:03:00.000Z'));
  });

  it('a head that does not parse: the first entry that does decides, as before', async () => {
    const { prefix, store: fingerprints } = store();
    await fingerprints.record(result(report('2026.9.2', '2026-11-24T09:00:00.000Z')));
    await redis.lpush(`${prefix}:fingerprint:prod:good`, '{"not":"a fingerprint"}');
    await fingerprints.record(result(report('2026.9.2', '2026-11-24T09:05:00.000Z')));
    // The entry that parsed decided (a refresh), written over the head (index 0): as when the
    // whole list was read and parsed.
    const good = await fingerprints.goodHistory('prod');
    expect(good.map((entry) => [entry.fingerprint.build?.version, entry.firstSeenAt, entry.lastSeenAt])).toEqual([
      ['2026.9.2', Date.parse('2026-11-24T09:00:00.000Z'), Date.parse('2026-11-24T09:05:00.000Z')],
      ['2026.9.2', Date.parse('2026-11-24T09:00:00.000Z'), Date.parse('2026-11-24T09:00:00.000Z')],
    ]);
    expect(await redis.llen(`${prefix}:fingerprint:prod:good`)).toBe(2);
  });

  it('a head another worker moved is read again, never refreshed over (the script compares the head it knows)', async () => {
    const { prefix } = store();
    const here = createRedisFingerprintStore({ redis, prefix });
    const other = createRedisFingerprintStore({ redis, prefix });
    await here.record(result(report('2026.9.2', '2026-11-24T09:00:00.000Z')));
    await other.record(result(report('2026.9.6', '2026-11-24T09:01:00.000Z')));
    // `here` knows a 2026.9.2 head; Redis holds 2026.9.6 on top: refreshing blindly would overwrite it.
    await here.record(result(report('2026.9.2', '2026-11-24T09:02:00.000Z')));
    const good = await here.goodHistory('prod');
    expect(good.map((entry) => [entry.fingerprint.build?.version, entry.firstSeenAt, entry.lastSeenAt])).toEqual([
      ['2026.9.2', Date.parse('2026-11-24T09:02:00.000Z'), Date.parse('2026-11-24T09:02:00.000Z')],
      ['2026.9.6', Date.parse('2026-11-24T09:01:00.000Z'), Date.parse('2026-11-24T09:01:00.000Z')],
      ['2026.9.2', Date.parse('2026-11-24T09:00:00.000Z'), Date.parse('2026-11-24T09:00:00.000Z')],
    ]);
  });

  it('a steady gateway refreshes the head it wrote: the same list as reading it back, and the latest record', async () => {
    const { store: fingerprints } = store();
    for (const minute of ['00', '01', '02', '03']) await fingerprints.record(result(report('2026.9.2', `2026-11-24T09:${minute}:00.000Z`)));
    const good = await fingerprints.goodHistory('prod');
    expect(good.map((entry) => [entry.fingerprint.at, entry.firstSeenAt, entry.lastSeenAt])).toEqual([
      [Date.parse('2026-11-24T09:03:00.000Z'), Date.parse('2026-11-24T09:00:00.000Z'), Date.parse('2026-11-24T09:03:00.000Z')],
    ]);
    expect((await fingerprints.latest('prod'))?.at).toBe(Date.parse('2026-11-24T09:03:00.000Z'));
  });
});
