import { describe, expect, it } from 'vitest';
import { AUDIT_TEXT_MAX, AuditEntrySchema, boundedAuditEntry } from '../../src/state/audit.js';

describe('an audit entry is cut, never refused', () => {
  it('keeps the first characters and the full length of a long command, target and outcome', () => {
    const command = `/gateway check ${'x'.repeat(5_000)}`;
    const entry = boundedAuditEntry({ at: 1, user: 'U0ONCALL', command, target: 't'.repeat(400), outcome: 'o'.repeat(301) });
    expect(AuditEntrySchema.safeParse(entry).success).toBe(true);
    expect(entry.command).toHaveLength(AUDIT_TEXT_MAX);
    expect(entry.command.startsWith('/gateway check xxx')).toBe(true);
    expect(entry.command.endsWith('…')).toBe(true);
    expect(entry).toMatchObject({ commandLength: command.length, targetLength: 400, outcomeLength: 301 });
  });

  it('leaves short entries as they are, and never splits a surrogate pair', () => {
    expect(boundedAuditEntry({ at: 1, user: 'U1', command: '/gateway list', outcome: 'answered' })).toEqual({
      at: 1,
      user: 'U1',
      command: '/gateway list',
      outcome: 'answered',
    });
    const emoji = boundedAuditEntry({ at: 1, user: 'U1', command: `${'a'.repeat(AUDIT_TEXT_MAX - 2)}${'😀'.repeat(10)}`, outcome: 'usage' });
    expect(emoji.command.at(-2)).not.toMatch(/[\uD800-\uDBFF]/);
    expect(AuditEntrySchema.safeParse(emoji).success).toBe(true);
  });
});
