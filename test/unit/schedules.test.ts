import { describe, expect, it } from 'vitest';
import { desiredSchedules, jitterOffset, SLOT_MS } from '../../jobs/schedules.js';
import { ConfigSchema } from '../../src/config/schema.js';

const config = (monitoring: Record<string, unknown>, gateways: Record<string, Record<string, unknown>> = { prod: {}, staging: {} }) =>
  ConfigSchema.parse({
    monitoring,
    gateways: Object.fromEntries(Object.entries(gateways).map(([name, extra]) => [name, { url: `ws://${name}.example:18789`, ...extra }])),
  });

describe('schedules as data', () => {
  it('one check per gateway at its interval, jittered, plus one per digest', () => {
    const specs = desiredSchedules(
      config(
        { checkIntervalSeconds: 60, digests: [{ cron: '0 9 * * 1-5', tz: 'Europe/Berlin', channel: '#ops' }] },
        { prod: {}, staging: { checkIntervalSeconds: 300 } },
      ),
    );
    expect(specs.map((spec) => spec.id)).toEqual(['check-prod', 'check-staging', expect.stringMatching(/^digest-[a-z0-9]+$/)]);
    expect(specs[0]).toMatchObject({ name: 'scheduled-check', repeat: { every: 60_000 }, data: { gateway: 'prod' } });
    expect(specs[1]).toMatchObject({ repeat: { every: 300_000 } });
    expect(specs[2]).toMatchObject({ name: 'digest', repeat: { pattern: '0 9 * * 1-5', tz: 'Europe/Berlin' }, data: { channel: '#ops', tz: 'Europe/Berlin' } });
  });

  it('monitoring off: no schedules at all (reconciling removes them)', () => {
    expect(desiredSchedules(config({ enabled: false, digests: [{ cron: '0 9 * * *', channel: '#ops' }] }))).toEqual([]);
  });

  it('the jitter is stable per gateway, inside the interval, and spreads a fleet', () => {
    const names = Array.from({ length: 500 }, (_, index) => `gw-${index}`);
    const offsets = names.map((name) => jitterOffset(name, 60_000));
    expect(names.map((name) => jitterOffset(name, 60_000))).toEqual(offsets);
    for (const offset of offsets) {
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(60_000);
    }
    // Spread: every 6-second slice of the minute gets some of the 500 (lockstep would fill one).
    const slices = new Set(offsets.map((offset) => Math.floor(offset / 6_000)));
    expect(slices.size).toBe(10);
  });

  it('intervals of 10 s and more share whole-second slots (one wake-up for the checks due together), still spread', () => {
    const names = Array.from({ length: 500 }, (_, index) => `gw-${String(index).padStart(4, '0')}`);
    const offsets = names.map((name) => jitterOffset(name, 60_000));
    for (const offset of offsets) expect(offset % SLOT_MS).toBe(0);
    const perSlot = new Map<number, number>();
    for (const offset of offsets) perSlot.set(offset, (perSlot.get(offset) ?? 0) + 1);
    // 59 slots (1 s … 59 s) for 500 names: every slot used, none far above the mean of ~8.5.
    expect(perSlot.size).toBe(59);
    expect(Math.max(...perSlot.values())).toBeLessThanOrEqual(20);
    // Below 10 s a slot would bunch a small fleet into a few seconds: millisecond jitter there.
    const short = names.map((name) => jitterOffset(name, 5_000));
    expect(new Set(short).size).toBeGreaterThan(400);
    for (const offset of short) {
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(5_000);
    }
  });

  it('a digest id changes with its schedule, so a changed digest replaces the old one', () => {
    const a = desiredSchedules(config({ enabled: true, digests: [{ cron: '0 9 * * *', channel: '#ops' }] })).at(-1)!;
    const b = desiredSchedules(config({ enabled: true, digests: [{ cron: '0 8 * * *', channel: '#ops' }] })).at(-1)!;
    expect(a.id).not.toBe(b.id);
  });
});
