import { describe, expect, it } from 'vitest';
import { findLoginInPolicy, removeLoginFromPolicy } from '../../src/policy/policy-edit.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { unifiedDiff } from '../../src/policy/unified-diff.js';

const POLICY = `{
  // Who may operate the gateways. Reviewed quarterly.
  "groups": {
    "group:ops": [
      "ops1@example.com",
      "departed@example.com", // on-call until the handover
      "ops2@example.com",
    ],
    "group:solo": ["departed@example.com"],
    "group:inline": ["ops1@example.com", "Departed@Example.com", "ops2@example.com"],
    "group:last": ["ops1@example.com", "departed@example.com"],
    "group:last-multiline": [
      "ops2@example.com",
      "departed@example.com",
    ],
    /* nobody leaves this one */
    "group:untouched": ["ops1@example.com", "ops2@example.com"],
  },
  "tagOwners": {
    "tag:gateway": ["departed@example.com", "group:ops"],
  },
  "acls": [
    { "action": "accept", "src": ["departed@example.com"], "dst": ["tag:gateway:18789"] },
    { "action": "accept", "src": ["group:ops"], "dst": ["tag:gateway:18789"] },
  ],
  "tests": [
    { "src": "departed@example.com", "accept": ["tag:gateway:18789"] },
    { "src": "autogroup:member", "deny": ["tag:gateway:18789"] },
  ],
}
`;

function removed() {
  const result = removeLoginFromPolicy(POLICY, 'departed@example.com');
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  return result;
}

describe('removeLoginFromPolicy', () => {
  it('takes the login out of every group and leaves the rest of each group as it was', () => {
    const result = removed();
    const after = parsePolicy(result.text);
    expect(after.ok).toBe(true);
    if (!after.ok) return;
    expect(after.policy.groups).toEqual({
      'group:ops': ['ops1@example.com', 'ops2@example.com'],
      'group:solo': [],
      'group:inline': ['ops1@example.com', 'ops2@example.com'],
      'group:last': ['ops1@example.com'],
      'group:last-multiline': ['ops2@example.com'],
      'group:untouched': ['ops1@example.com', 'ops2@example.com'],
    });
  });

  it('keeps comments and touches nothing outside groups', () => {
    const result = removed();
    expect(result.text).toContain('// Who may operate the gateways. Reviewed quarterly.');
    expect(result.text).toContain('/* nobody leaves this one */');
    expect(result.text).toContain('"group:untouched": ["ops1@example.com", "ops2@example.com"],');
    // The comment that belonged to the removed member goes with its line.
    expect(result.text).not.toContain('on-call until the handover');
    const tail = (text: string) => text.slice(text.indexOf('"tagOwners"'));
    expect(tail(result.text)).toBe(tail(POLICY));
    // Only removed lines in the diff, and only lines that named the login or the emptied groups.
    const changed = result.diff.split('\n').filter((line) => /^[-+][^-+]/.test(line));
    expect(changed.every((line) => (line.startsWith('-') ? /departed/i.test(line) : /group:(solo|inline|last)"/.test(line)))).toBe(true);
  });

  it('lists each group edit with the members before and after', () => {
    const result = removed();
    expect(result.edits.map((edit) => edit.path[1])).toEqual(['group:ops', 'group:solo', 'group:inline', 'group:last', 'group:last-multiline']);
    expect(result.edits[0]).toEqual({
      path: ['groups', 'group:ops'],
      before: ['ops1@example.com', 'departed@example.com', 'ops2@example.com'],
      after: ['ops1@example.com', 'ops2@example.com'],
    });
  });

  it('reports, without editing, where tagOwners, acls and tests name the login', () => {
    expect(removed().untouched).toEqual({ tagOwners: ['tag:gateway'], acls: [0], tests: [0], grants: [] });
  });

  it('writes a unified diff', () => {
    const diff = removed().diff;
    expect(diff.startsWith('--- a/policy.hujson\n+++ b/policy.hujson\n@@ -')).toBe(true);
    expect(diff).toContain('-      "departed@example.com", // on-call until the handover');
    expect(diff).toContain('+    "group:solo": [],');
  });

  it('changes nothing for a login that is in no group', () => {
    const result = removeLoginFromPolicy(POLICY, 'nobody@example.com');
    expect(result).toMatchObject({ ok: true, text: POLICY, edits: [], diff: '' });
  });

  it('returns parse problems instead of editing a broken file', () => {
    const result = removeLoginFromPolicy('{ "groups": { "group:ops": ["a@example.com" "b@example.com"] } }', 'a@example.com');
    expect(result.ok).toBe(false);
  });
});

describe('findLoginInPolicy', () => {
  it('finds groups, tag owners, rules and tests that name a login, case-insensitively', () => {
    const parsed = parsePolicy(POLICY);
    if (!parsed.ok) throw new Error('fixture does not parse');
    expect(findLoginInPolicy(parsed.policy, 'DEPARTED@example.com')).toEqual({
      groups: ['group:ops', 'group:solo', 'group:inline', 'group:last', 'group:last-multiline'],
      tagOwners: ['tag:gateway'],
      tests: [0],
      acls: [0],
      grants: [],
    });
  });
});

describe('unifiedDiff', () => {
  it('prints removals before additions, with hunk line numbers', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', { context: 1 })).toBe('--- a/policy.hujson\n+++ b/policy.hujson\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  });
});
