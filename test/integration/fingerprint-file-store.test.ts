/**
 * The state file `clawops check` keeps its fingerprints in (src/features/fingerprint/file-store.ts),
 * on a real temp dir: what a check records and reads back, and what a damaged file costs. Each part
 * of a gateway's entry is validated where it is read; a part that does not validate counts as
 * absent, and what a record does not read is written back as it was found.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/check/checker.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createFileFingerprintStore } from '../../src/features/fingerprint/file-store.js';
import type { ProbeReport } from '../../src/report/report.js';
import { healthyReport, notReachedAfter, withLayer } from '../support/reports.js';

const result = (report: ProbeReport): CheckResult => ({ report, diagnosis: diagnose(report) });
const healthy = (startedAt: string): CheckResult => result({ ...healthyReport(), startedAt });
const failedAtTcp = (startedAt: string): CheckResult =>
  result({
    ...notReachedAfter(
      withLayer(healthyReport(), {
        layer: 'tcp',
        status: 'failed',
        startMs: 0,
        durationMs: 3,
        summary: 'refused',
        evidence: { address: '100.101.102.103', port: 18789, error: 'refused' },
      }),
      'tcp',
    ),
    startedAt,
  });

describe('the fingerprint state file', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clawops-fp-file-'));
    path = join(dir, 'state', 'fingerprints.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const fileJson = async () => JSON.parse(await readFile(path, 'utf8')) as { schema: number; gateways: Record<string, Record<string, unknown>> };

  it('records checks and reads them back: the good list, the latest and the last failure (with their reports), in a 0600 file', async () => {
    const store = createFileFingerprintStore(path);
    await store.record(healthy('2026-11-20T09:30:00.000Z'));
    await store.record(failedAtTcp('2026-11-20T09:31:00.000Z'));
    await store.record(healthy('2026-11-20T09:32:00.000Z'));
    expect(((await stat(path)).mode & 0o777).toString(8)).toBe('600');

    const again = createFileFingerprintStore(path);
    const lastGood = await again.lastGood('prod');
    expect(lastGood?.fingerprint.build?.version).toBe('2026.9.6');
    expect(lastGood?.lastSeenAt).toBe(Date.parse('2026-11-20T09:32:00.000Z'));
    expect(await again.goodHistory('prod')).toHaveLength(1);
    expect((await again.latest('prod'))?.report.startedAt).toBe('2026-11-20T09:32:00.000Z');
    const lastFailure = await again.lastFailure('prod');
    expect(lastFailure?.fingerprint.state).toBe('unhealthy');
    expect(lastFailure?.report.layers.find((layer) => layer.layer === 'tcp')?.status).toBe('failed');
  });

  it('a part that does not validate counts as absent; what a record does not read is written back as found', async () => {
    const store = createFileFingerprintStore(path);
    await store.record(healthy('2026-11-20T09:30:00.000Z'));
    const state = await fileJson();
    state.gateways.prod!.lastFailure = { at: 'yesterday', report: '<not a report>' };
    state.gateways.other = { good: 42 } as never;
    await writeFile(path, JSON.stringify(state));

    expect(await store.lastFailure('prod')).toBeUndefined();
    expect((await store.lastGood('prod'))?.fingerprint.gateway).toBe('prod');
    expect(await store.lastGood('other')).toBeUndefined();

    await store.record(healthy('2026-11-20T09:33:00.000Z'));
    const after = await fileJson();
    expect(after.gateways.other).toEqual({ good: 42 });
    expect(after.gateways.prod!.lastFailure).toEqual({ at: 'yesterday', report: '<not a report>' });
    expect(await store.lastFailure('prod')).toBeUndefined();
    expect((await store.latest('prod'))?.report.startedAt).toBe('2026-11-20T09:33:00.000Z');
  });

  it('a good list that does not validate is empty, and the next good check starts it again', async () => {
    const store = createFileFingerprintStore(path);
    await store.record(healthy('2026-11-20T09:30:00.000Z'));
    const state = await fileJson();
    (state.gateways.prod!.good as Array<Record<string, unknown>>)[0]!.firstSeenAt = 'long ago';
    await writeFile(path, JSON.stringify(state));
    expect(await store.lastGood('prod')).toBeUndefined();

    await store.record(healthy('2026-11-20T09:34:00.000Z'));
    const good = await store.goodHistory('prod');
    expect(good).toHaveLength(1);
    expect(good[0]!.firstSeenAt).toBe(Date.parse('2026-11-20T09:34:00.000Z'));
  });

  it('a file that is not a state file (not JSON, another schema) counts as empty and is replaced', async () => {
    const store = createFileFingerprintStore(path);
    await store.record(healthy('2026-11-20T09:30:00.000Z'));
    for (const text of ['{"schema":1,"gateways":', JSON.stringify({ schema: 2, gateways: {} }), JSON.stringify({ schema: 1, gateways: [] })]) {
      await writeFile(path, text);
      expect(await store.lastGood('prod')).toBeUndefined();
      expect(await store.latest('prod')).toBeUndefined();
    }
    await store.record(healthy('2026-11-20T09:35:00.000Z'));
    expect(Object.keys((await fileJson()).gateways)).toEqual(['prod']);
    expect(await store.goodHistory('prod')).toHaveLength(1);
  });
});
