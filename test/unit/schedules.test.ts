import { describe, expect, it } from 'vitest';
import { desiredSchedules, jitterOffset } from '../../jobs/schedules.js';
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

  it('a digest id changes with its schedule, so a changed digest replaces the old one', () => {
    const a = desiredSchedules(config({ enabled: true, digests: [{ cron: '0 9 * * *', channel: '#ops' }] })).at(-1)!;
    const b = desiredSchedules(config({ enabled: true, digests: [{ cron: '0 8 * * *', channel: '#ops' }] })).at(-1)!;
    expect(a.id).not.toBe(b.id);
  });
});
