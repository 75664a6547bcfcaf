import { describe, expect, it } from 'vitest';
import { bucketOf, bucketsOf, bucketValue, quantile, RELATIVE_ACCURACY } from '../../src/state/handshake-sketch.js';
import { entryFromResult } from '../../src/features/monitoring/state/history-entry.js';
import { handshakeQuantiles, incidentStats, uptimeOf, within } from '../../src/features/monitoring/state/history-stats.js';
import type { HourRollup } from '../../src/features/monitoring/state/history.js';
import { authRejected, healthy, resultOf } from '../support/monitoring-reports.js';

const HOUR = 3_600_000;

function exactQuantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe('handshake sketch', () => {
  it('p50 and p95 stay within the promised relative accuracy of the exact values', () => {
    // A deterministic skewed distribution: most handshakes fast, a long tail.
    const samples = Array.from({ length: 5_000 }, (_, index) => 5 + ((index * 7919) % 1000) ** 1.5 / 40);
    const buckets = bucketsOf(samples);
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = exactQuantile(samples, q);
      const estimate = quantile(buckets, q)!;
      expect(Math.abs(estimate - exact) / exact).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-9);
    }
  });

  it('sub-millisecond handshakes share the first bucket; no samples, no quantile', () => {
    expect(bucketOf(0.2)).toBe(0);
    expect(bucketValue(0)).toBe(1);
    expect(quantile(new Map(), 0.95)).toBeUndefined();
  });
});

describe('history statistics', () => {
  const hour = (hourStart: number, checks: number, up: number, handshakes: number[] = []): HourRollup => ({
    hourStart,
    checks,
    up,
    handshake: bucketsOf(handshakes),
  });

  it('uptime is the share of checks that were up', () => {
    expect(uptimeOf([hour(0, 60, 60), hour(HOUR, 60, 57)])).toEqual({ checks: 120, up: 117, ratio: 117 / 120 });
    expect(uptimeOf([])).toEqual({ checks: 0, up: 0 });
  });

  it('within keeps the hours that overlap the period, its end included', () => {
    const hours = [hour(0, 1, 1), hour(HOUR, 1, 1), hour(2 * HOUR, 1, 1)];
    expect(within(hours, HOUR + 1, 2 * HOUR - 1).map((h) => h.hourStart)).toEqual([HOUR]);
    // A check at exactly `to` is in the hour that starts then: that hour counts.
    expect(within(hours, HOUR + 1, 2 * HOUR).map((h) => h.hourStart)).toEqual([HOUR, 2 * HOUR]);
  });

  it('handshake quantiles merge the hours', () => {
    const stats = handshakeQuantiles([hour(0, 2, 2, [10, 10]), hour(HOUR, 2, 2, [100, 100])]);
    expect(stats.samples).toBe(4);
    expect(Math.abs(stats.p50! - 10) / 10).toBeLessThanOrEqual(RELATIVE_ACCURACY);
    expect(Math.abs(stats.p95! - 100) / 100).toBeLessThanOrEqual(RELATIVE_ACCURACY);
  });

  it('incidents: counted when they overlap the period, the longest clipped to it, an open one to its end', () => {
    const incidents = [
      { id: 'a', startedAt: -2 * HOUR, endedAt: HOUR, verdict: 'refused', alerted: true },
      { id: 'b', startedAt: 2 * HOUR, endedAt: 2 * HOUR + 60_000, verdict: 'refused', alerted: true },
      { id: 'c', startedAt: 10 * HOUR, verdict: 'timeout', alerted: false },
      { id: 'old', startedAt: -10 * HOUR, endedAt: -9 * HOUR, verdict: 'refused', alerted: true },
    ];
    expect(incidentStats(incidents, 0, 12 * HOUR)).toEqual({ count: 3, longestMs: 2 * HOUR, open: true });
  });

  it('an entry keeps state, verdict, version, source and the time of each layer that ran', () => {
    const entry = entryFromResult(resultOf(authRejected({ at: Date.UTC(2026, 8, 15, 12), version: '2026.9.2' })), 'schedule');
    expect(entry).toMatchObject({
      at: Date.UTC(2026, 8, 15, 12),
      state: 'unhealthy',
      verdict: 'auth-rejected',
      failedLayer: 'handshake',
      version: '2026.9.2',
      source: 'schedule',
    });
    expect(entry.layers).toMatchObject({ dns: 0, tcp: 4, handshake: 3 });
    expect(entry.layers.health).toBeUndefined();
    expect(entryFromResult(resultOf(healthy()), 'command')).not.toHaveProperty('verdict');
  });
});
