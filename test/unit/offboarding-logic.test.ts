import { describe, expect, it } from 'vitest';
import { parseGatewayCommand } from '../../commands/parse.js';
import { combineEnrichments } from '../../src/render/combined-enrichment.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { OffboardingConfigSchema } from '../../src/config/sections/offboarding.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { deletionBlocker } from '../../src/features/offboarding/actions/delete-device.js';
import { actionKind, parseButtonValue } from '../../src/features/offboarding/button-value.js';
import { parseOffboardTarget } from '../../src/features/offboarding/command.js';
import { createOffboardingEnrichment } from '../../src/features/offboarding/enrichment.js';
import { gatewaysToRotate, itemsFor } from '../../src/features/offboarding/gather.js';
import { tailnetLoginFor } from '../../src/features/offboarding/identity.js';
import { loginsLeaving } from '../../src/features/offboarding/users-poll.js';
import type { Device, User } from '../../src/tailscale/admin-api.js';
import { DeviceSchema, UserSchema } from '../../src/tailscale/admin-api-schemas.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { removeLoginFromPolicy } from '../../src/policy/policy-edit.js';
import { healthyReport, notReachedAfter, withLayer } from '../support/reports.js';
import { divider } from '../../src/render/blocks.js';
import { md } from '../../src/render/slack-text.js';

const POLICY = parsePolicy(`{
  "groups": { "group:ops": ["ops1@example.test", "Departed@Example.test"], "group:admins": ["departed@example.test"], "group:other": ["ops1@example.test"] },
  "tagOwners": { "tag:ci": ["departed@example.test"], "tag:gateway": ["group:ops"] },
  "acls": [{ "action": "accept", "src": ["departed@example.test"], "dst": ["tag:gateway:18789"] }],
  "tests": [{ "src": "departed@example.test", "accept": ["tag:gateway:18789"] }, { "src": "ops1@example.test", "deny": ["departed@example.test:22"] }],
}`);
if (!POLICY.ok) throw new Error('test policy does not parse');

const dev = (id: string, name: string, user: string, tags: string[] = []): Device =>
  DeviceSchema.parse({ id, name: `${name}.example-tailnet.ts.net`, hostname: name, user, tags, os: 'linux' });

describe('what a departed login can still reach (itemsFor)', () => {
  const tokenAccess = [
    { groups: ['group:admins'], gateways: ['prod', 'staging'] as string[] },
    { groups: ['group:other'], gateways: '*' as const },
  ];
  const items = itemsFor({
    login: 'departed@example.test',
    devices: [
      dev('1', 'laptop', 'departed@example.test'),
      dev('2', 'ci', 'departed@example.test', ['tag:ci']),
      dev('3', 'gw1', 'ops1@example.test', ['tag:gateway']),
      dev('4', 'phone', 'DEPARTED@example.test'),
    ],
    policy: POLICY.policy,
    tokenAccess,
    knownGateways: ['prod', 'staging', 'edge'],
  });

  it('lists their devices by machine name, untagged first; tagged ones are there but not deletable', () => {
    expect(items.devices.map((device) => [device.id, device.name, device.status])).toEqual([
      ['1', 'laptop', 'open'],
      ['4', 'phone', 'open'],
      ['2', 'ci', 'tagged'],
    ]);
  });

  it('finds the groups (case-insensitively), tagOwners, tests and rules that name them', () => {
    expect(items.groups.map((group) => group.name)).toEqual(['group:ops', 'group:admins']);
    expect(items.review.tagOwners).toEqual(['tag:ci']);
    expect(items.review.tests).toEqual(['#0 src departed@example.test · accept tag:gateway:18789', '#1 src ops1@example.test · deny departed@example.test:22']);
    expect(items.review.acls).toBe(1);
  });

  it('names the gateways whose tokens their groups could read', () => {
    expect(items.gateways.map((gateway) => gateway.name)).toEqual(['prod', 'staging']);
  });

  it.each([
    ['a group they are in', ['group:admins'], ['group:admins'], ['prod', 'staging']],
    ['a group they are not in', ['group:ops'], ['group:admins'], []],
    ['their login named directly', ['group:x'], ['departed@example.test'], ['prod', 'staging']],
    ['every gateway (*) of a group', ['group:ops'], ['group:ops'], ['edge', 'prod', 'staging']],
  ])('token access through %s', (_label, groups, ruleGroups, expected) => {
    const gateways = ruleGroups.includes('group:ops') ? ('*' as const) : ['prod', 'staging', 'gone'];
    expect(gatewaysToRotate('departed@example.test', groups, [{ groups: ruleGroups, gateways }], ['prod', 'staging', 'edge'])).toEqual(expected);
  });

  it('without the admin API it still lists the gateways, and says what it could not read', () => {
    const partial = itemsFor({
      login: 'departed@example.test',
      devices: undefined,
      policy: undefined,
      tokenAccess: [{ groups: ['departed@example.test'], gateways: ['prod'] }],
      knownGateways: ['prod'],
      problems: ['could not list devices: 503'],
    });
    expect(partial.devices).toEqual([]);
    expect(partial.groups).toEqual([]);
    expect(partial.gateways.map((gateway) => gateway.name)).toEqual(['prod']);
    expect(partial.problems).toEqual(['could not list devices: 503']);
  });
});

describe('Slack user → tailnet login', () => {
  const identities = { U0CONTRACTOR: 'contractor@github', 'Alias@Example.test': 'alias@github' };
  it.each([
    ['an override by Slack id', { slackUserId: 'U0CONTRACTOR', email: 'contractor@example.test' }, 'contractor@github'],
    ['an override by e-mail, any case', { slackUserId: 'U0OTHER', email: 'alias@example.test' }, 'alias@github'],
    ['the e-mail, lower-cased', { slackUserId: 'U0OTHER', email: 'Departed@Example.test' }, 'departed@example.test'],
  ])('%s', (_label, person, login) => {
    expect(tailnetLoginFor(person, identities)).toMatchObject({ ok: true, login });
  });
  it('no e-mail and no override: said why', () => {
    expect(tailnetLoginFor({ slackUserId: 'U0OTHER' }, identities)).toMatchObject({ ok: false, reason: expect.stringContaining('users:read.email') });
  });
});

describe('/gateway offboard', () => {
  it.each([
    ['<@U0DEPARTED|departed>', { kind: 'slack-user', id: 'U0DEPARTED' }],
    ['<@U0DEPARTED>', { kind: 'slack-user', id: 'U0DEPARTED' }],
    ['<mailto:departed@example.test|departed@example.test>', { kind: 'login', text: 'departed@example.test' }],
    ['contractor@github', { kind: 'login', text: 'contractor@github' }],
    ['@departed', { kind: 'unknown' }],
    ['departed', { kind: 'unknown' }],
    ['<mailto:Departed@Example.test|Departed@Example.test>', { kind: 'login', text: 'departed@example.test' }],
  ])('%s', (text, expected) => {
    expect(parseOffboardTarget(text)).toMatchObject(expected);
  });

  it.each([
    ['a mailto whose address is markup', '<mailto:<!channel|x>', 'not an e-mail address'],
    ['a broadcast', '<!channel>', 'Slack markup'],
    ['a channel', '<#C0OPS|ops>', 'Slack markup'],
    ['a link', '<http://evil.example|click>', 'Slack markup'],
    ['Slack-escaped characters', '&lt;!channel&gt;', 'Slack markup'],
    ['a user group', '<!subteam^S0OPS|@ops>', 'Slack markup'],
    ['two people', 'a@example.test b@example.test', 'has spaces'],
    ['a login with markup in it', 'evil<!here>@example.test', 'Slack markup'],
    ['an unconverted @name', '@departed', 'not as a Slack mention'],
    ['control characters', 'a\u0007@example.test', 'neither a mention'],
    ['nothing', '', 'Who left?'],
  ])('refuses %s, saying what to type', (_label, text, why) => {
    const target = parseOffboardTarget(text);
    expect(target).toMatchObject({ kind: 'unknown', why: expect.stringContaining(why) });
    if (target.kind === 'unknown') {
      expect(target.why).toContain('`/gateway offboard @name`');
      expect(target.why).toContain('`/gateway offboard departed@example.test`');
    }
  });

  it('a login resolved from Slack or the config must look like one too', () => {
    expect(tailnetLoginFor({ slackUserId: 'U0X', email: '<!channel>@example.test' }, {})).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not a tailnet login'),
    });
    expect(tailnetLoginFor({ slackUserId: 'U0X' }, { U0X: 'a b' })).toMatchObject({ ok: false, reason: expect.stringContaining('offboarding.identities.U0X') });
  });

  it('parses as a subcommand keeping the mention as typed, and asks who when nothing follows', () => {
    expect(parseGatewayCommand('offboard <@U0DEPARTED|Departed Person>', ['prod'])).toEqual({
      ok: true,
      command: { kind: 'offboard', target: '<@U0DEPARTED|Departed Person>' },
    });
    const empty = parseGatewayCommand('offboard', ['prod']);
    expect(empty.ok).toBe(false);
    if (!empty.ok) expect(empty.message).toContain('Who left?');
  });
});

describe('the users poll: who is leaving', () => {
  const user = (loginName: string, status: string): User => UserSchema.parse({ id: loginName, loginName, status });
  it.each([
    ['the first poll: suspended only', [user('a@x.test', 'active'), user('b@x.test', 'suspended')], undefined, [['b@x.test', 'suspended']]],
    ['a login gone since the last poll', [user('a@x.test', 'active')], new Set(['a@x.test', 'c@x.test']), [['c@x.test', 'removed']]],
    ['nothing changed', [user('a@x.test', 'active'), user('d@x.test', 'idle')], new Set(['a@x.test', 'd@x.test']), []],
  ])('%s', (_label, users, previous, expected) => {
    expect(loginsLeaving(users, previous).map((entry) => [entry.login, entry.why])).toEqual(expected);
  });
});

describe('a device re-fetched just before deletion', () => {
  it.each([
    ['still theirs and untagged', dev('1', 'laptop', 'Departed@example.test'), undefined],
    ['re-owned', dev('1', 'laptop', 'ops1@example.test'), 'it now belongs to ops1@example.test'],
    ['re-tagged', dev('1', 'laptop', 'departed@example.test', ['tag:kiosk']), 'it is now tagged tag:kiosk (a tagged device belongs to its tags)'],
  ])('%s', (_label, device, blocker) => {
    expect(deletionBlocker(device, 'departed@example.test')).toBe(blocker);
  });
});

describe('button values and action ids', () => {
  it.each([
    ['{"o":"00000000-0000-4000-8000-000000000000","d":"22222"}', true],
    ['{"o":"00000000-0000-4000-8000-000000000000","w":"prod"}', true],
    ['{"o":"not an id"}', false],
    ['{"o":"00000000-0000-4000-8000-000000000000","token":"x"}', false],
    ['not json', false],
    [undefined, false],
  ])('%s parses: %s', (value, ok) => {
    expect(parseButtonValue(value) !== undefined).toBe(ok);
  });
  it('maps action ids to actions', () => {
    expect(actionKind('offboarding_delete_device:22222')).toBe('deleteDevice');
    expect(actionKind('offboarding_mark_done')).toBe('markDone');
    expect(actionKind('gateway_rerun')).toBeUndefined();
  });
});

describe('offboarding config', () => {
  const base = { channel: '#ops' };
  it('has safe defaults: nobody approves, no apply, a deletion cap, reminders every 4 h', () => {
    const parsed = OffboardingConfigSchema.parse(base);
    expect(parsed).toMatchObject({
      approvers: { users: [], userGroups: [] },
      applyPolicy: false,
      dryRun: false,
      maxDeletions: 10,
      reminders: { afterMinutes: 240, escalateAfter: 3 },
      usersPoll: { enabled: true, intervalMinutes: 10 },
    });
  });
  it.each([
    ['a channel that is not an id or #name', { channel: 'ops' }],
    ['an approver that is not a user id', { ...base, approvers: { users: ['oncall'] } }],
    ['an identity key that is neither an id nor an e-mail', { ...base, identities: { contractor: 'contractor@github' } }],
    ['an unknown key', { ...base, apiKey: 'x' }],
  ])('refuses %s', (_label, section) => {
    expect(OffboardingConfigSchema.safeParse(section).success).toBe(false);
  });
  it('is a section of clawops.yaml', () => {
    const config = ConfigSchema.parse({ gateways: { prod: { url: 'ws://127.0.0.1:18789' } }, offboarding: base });
    expect(config.offboarding?.channel).toBe('#ops');
  });
});

describe('the rotation correlation', () => {
  const HOUR = 3_600_000;
  const NOW = Date.parse('2026-03-02T12:00:00Z');
  const authRejected = notReachedAfter(
    withLayer(healthyReport({ gateway: { name: 'prod' } }), {
      layer: 'handshake',
      status: 'failed',
      startMs: 10,
      durationMs: 3,
      summary: 'INVALID_REQUEST/AUTH_TOKEN_MISMATCH "unauthorized: gateway token mismatch" · close 1008',
      evidence: {
        challenge: true,
        scopes: [],
        requestedScopes: ['operator.read'],
        failure: 'rejected',
        error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', detailsCode: 'AUTH_TOKEN_MISMATCH' },
        close: { code: 1008, reason: 'unauthorized: gateway token mismatch' },
      },
    }),
    'handshake',
  );
  const enrichmentWith = (rotations: Record<string, number>) =>
    createOffboardingEnrichment({
      store: { listOpen: async () => [], lastRotation: async (gateway) => rotations[gateway] },
      now: () => NOW,
      permalink: async () => undefined,
    });

  it('a ticked rotation plus an auth-rejected result names the rotation', async () => {
    const context = await enrichmentWith({ prod: NOW - 3 * HOUR }).contextFor(authRejected);
    const verdict = diagnose(authRejected, context).verdicts[0]!;
    expect(verdict.id).toBe('auth-rejected');
    expect(verdict.notes[0]).toBe("the token was rotated 3 h ago (offboarding): update this client's token in OPENCLAW_GATEWAY_TOKEN");
  });

  it.each([
    ['no rotation ticked', {}],
    ['a rotation of another gateway', { staging: NOW - HOUR }],
    ['a rotation older than the window', { prod: NOW - 80 * HOUR }],
  ])('%s: no rotation note', async (_label, rotations) => {
    const context = await enrichmentWith(rotations).contextFor(authRejected);
    expect(diagnose(authRejected, context).verdicts[0]!.notes.join(' ')).not.toContain('rotated');
  });

  it('combines with other enrichments: contexts merged, footers stacked, a failing part left out', async () => {
    const combined = combineEnrichments(
      { contextFor: async () => ({ versionChange: { from: '1', to: '2' } }), footerFor: async () => ({ blocks: [divider()], text: md`history` }) },
      enrichmentWith({ prod: NOW - HOUR }),
      { contextFor: async () => Promise.reject(new Error('down')), footerFor: async () => Promise.reject(new Error('down')) },
      undefined,
    );
    expect(await combined.contextFor!(authRejected)).toEqual({ versionChange: { from: '1', to: '2' }, tokenRotatedHoursAgo: 1 });
    expect(await combined.footerFor!(['prod'])).toEqual({ blocks: [divider()], text: md`history` });
  });
});

describe('one checklist item per policy group', () => {
  const hujson = `{
  // ops
  "groups": {
    "group:ops": [
      "ops1@example.test",
      "departed@example.test", // leaving
    ],
    "group:admins": ["departed@example.test", "ops1@example.test"], // admins
  },
}
`;
  it('removes the login from the named group only, comments kept', () => {
    const result = removeLoginFromPolicy(hujson, 'departed@example.test', { groups: ['group:admins'] });
    if (!result.ok) throw new Error('does not parse');
    expect(result.edits.map((edit) => edit.path[1])).toEqual(['group:admins']);
    expect(result.text).toContain('"departed@example.test", // leaving');
    expect(result.text).toContain('"group:admins": ["ops1@example.test"], // admins');
    expect(result.text).toContain('// ops');
  });

  it('changes nothing when the login is no longer in that group', () => {
    const result = removeLoginFromPolicy(hujson, 'departed@example.test', { groups: ['group:none'] });
    expect(result.ok && result.text === hujson && result.edits.length === 0).toBe(true);
  });
});
