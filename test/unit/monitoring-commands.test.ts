import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../commands/duration.js';
import { parseGatewayCommand } from '../../commands/parse.js';

const known = ['prod', 'staging'];

describe('/gateway history | maintenance | digest', () => {
  it.each([
    ['history prod', { kind: 'history', gateway: 'prod' }],
    ['history PROD', { kind: 'history', gateway: 'prod' }],
    [
      'maintenance prod 2h upgrading to 2026.9.6',
      { kind: 'maintenance', action: 'start', gateway: 'prod', durationMs: 7_200_000, reason: 'upgrading to 2026.9.6' },
    ],
    ['maintenance prod 1h30m', { kind: 'maintenance', action: 'start', gateway: 'prod', durationMs: 5_400_000 }],
    ['maintenance staging off', { kind: 'maintenance', action: 'end', gateway: 'staging' }],
    ['maintenance', { kind: 'maintenance', action: 'list' }],
    ['maintenance prod 30m <!channel> `x`', { kind: 'maintenance', action: 'start', gateway: 'prod', durationMs: 1_800_000, reason: "'!channel' 'x'" }],
    ['digest', { kind: 'digest', periodMs: 86_400_000 }],
    ['digest 7d', { kind: 'digest', periodMs: 7 * 86_400_000 }],
  ])('%s', (text, command) => {
    expect(parseGatewayCommand(text, known)).toEqual({ ok: true, command });
  });

  it.each([
    ['history', /Which gateway\? e\.g\. `\/gateway history prod`/],
    ['history prdo', /No gateway named `prdo`\. Did you mean `prod`\?/],
    ['history prod staging', /takes one gateway name/],
    ['maintenance prod', /For how long\?/],
    ['maintenance prod soon', /`soon` is not a duration/],
    ['maintenance prod 10s', /from 1 minute to 30 days/],
    ['maintenance prod 31d', /from 1 minute to 30 days/],
    ['maintenance prod off now', /`off` takes nothing after it/],
    ['maintenance prdo 1h', /Did you mean `prod`\?/],
    ['digest 30d', /1 hour to 7 days/],
    ['digest yesterday', /1 hour to 7 days/],
    ['histroy prod', /Did you mean `history`\?/],
  ])('%s → usage', (text, message) => {
    const parsed = parseGatewayCommand(text, known);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toMatch(message);
      expect(parsed.message).toContain('/gateway maintenance <name> <duration> [reason]');
    }
  });

  it.each([
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['90min', 5_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['2H', 7_200_000],
  ])('duration %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0m', 'h', '1.5h', '2 h', '-1h', '1y'])('not a duration: %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
