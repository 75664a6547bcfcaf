import { describe, expect, it } from 'vitest';
import type { DeviceItem, Offboarding } from '../../src/features/offboarding/model.js';
import { OffboardingSchema } from '../../src/features/offboarding/model.js';
import { renderOffboardingPrompt } from '../../src/features/offboarding/render/offboarding-blocks.js';
import { renderOffboardingDigest } from '../../src/features/offboarding/render/offboarding-digest.js';
import { renderOffboardingReminder, renderOffboardingReminderText } from '../../src/features/offboarding/render/offboarding-reminder.js';
import { formatAge, summaryLine } from '../../src/features/offboarding/render/offboarding-summary.js';
import { renderCheckResults } from '../../src/render/check-blocks.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { blockKitProblems } from '../support/slack-emulator.js';
import { healthyReport } from '../support/reports.js';

const NOW = Date.parse('2026-03-02T12:00:00Z');
const HOUR = 3_600_000;
const LONG = 'x'.repeat(240);

const devices = (count: number, name = (index: number) => `laptop-${index}`): DeviceItem[] =>
  Array.from({ length: count }, (_, index) => ({
    id: String(10_000 + index),
    name: name(index),
    os: 'linux',
    lastSeen: '2026-03-01T11:00:00Z',
    tags: [],
    status: 'open',
  }));

function offboarding(overrides: Partial<Offboarding> & { index?: number } = {}): Offboarding {
  const { index = 0, ...rest } = overrides;
  return OffboardingSchema.parse({
    id: `0000000${index}-0000-4000-8000-000000000000`.slice(-36),
    subject: { login: `departed${index}@example.test`, slackUserId: 'U0DEPARTED' },
    trigger: { kind: 'slack-user-deleted' },
    openedAt: NOW - (index + 1) * HOUR,
    devices: devices(2),
    groups: [{ name: 'group:ops', status: 'open' }],
    review: { tagOwners: ['tag:ci'], tests: ['#0 src departed@example.test · accept tag:gateway:18789'], acls: 1, grants: 0 },
    gateways: [
      { name: 'prod', status: 'open' },
      { name: 'staging', status: 'open' },
    ],
    mirrors: [],
    ...rest,
  });
}

const PROMPT = { dryRun: false, applyPolicy: true, maxDeletions: 10 };
const actionIds = (blocks: unknown[]) => [...JSON.stringify(blocks).matchAll(/"action_id":"([^"]+)"/g)].map((match) => match[1]);

describe('the offboarding checklist stays inside Block Kit limits', () => {
  it.each([
    ['no devices, groups or gateways', offboarding({ devices: [], groups: [], gateways: [], review: { tagOwners: [], tests: [], acls: 0, grants: 0 } })],
    ['a usual departure', offboarding()],
    ['200 devices with long names', offboarding({ devices: devices(200, (index) => `${LONG}-${index}`) })],
    [
      '40 groups and 40 gateways',
      offboarding({
        groups: Array.from({ length: 40 }, (_, index) => ({ name: `group:team-${index}`, status: 'open' as const })),
        gateways: Array.from({ length: 40 }, (_, index) => ({ name: `gw-${index}`, status: 'open' as const })),
      }),
    ],
    [
      '500 tests and tag owners to review',
      offboarding({
        review: {
          tagOwners: Array.from({ length: 500 }, (_, index) => `tag:t${index}`),
          tests: Array.from({ length: 500 }, (_, index) => `#${index} src departed@example.test`),
          acls: 3,
          grants: 2,
        },
      }),
    ],
    [
      'a closed one with everything done',
      offboarding({
        closed: { by: 'U0ONCALL', at: NOW, openItems: 0 },
        devices: devices(30).map((device) => ({ ...device, status: 'deleted' as const, by: 'U0ONCALL', at: NOW })),
      }),
    ],
    [
      'problems gathering',
      offboarding({ problems: ['could not list devices: GET tailnet/-/devices answered 503', 'could not read the policy file: no answer within 10000 ms'] }),
    ],
  ])('%s', (_label, record) => {
    for (const options of [PROMPT, { ...PROMPT, dryRun: true }, { ...PROMPT, applyPolicy: false }]) {
      const message = renderOffboardingPrompt(record, options);
      expect(blockKitProblems(message.blocks)).toEqual([]);
      expect(message.blocks.length).toBeLessThanOrEqual(50);
      expect(message.text.length).toBeGreaterThan(0);
      expect(message.text.length).toBeLessThanOrEqual(3_000);
    }
  });

  it('gives each open untagged device a Delete button with a confirm dialog, and caps them with a summary', () => {
    const record = offboarding({ devices: [...devices(25), { id: '99999', name: 'ci-runner', tags: ['tag:ci'], status: 'tagged' }] });
    const message = renderOffboardingPrompt(record, PROMPT);
    const deletes = actionIds(message.blocks).filter((id) => id!.startsWith('offboarding_delete_device:'));
    expect(deletes).toHaveLength(20);
    expect(deletes).not.toContain('offboarding_delete_device:99999');
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('…and 5 more');
    expect(json).toContain('ci-runner');
    expect(json).toContain('"title":{"type":"plain_text","text":"Delete this device?"}');
  });

  it('offers Apply only where enabled, says dry run where on, and drops every button once closed', () => {
    expect(actionIds(renderOffboardingPrompt(offboarding(), PROMPT).blocks)).toEqual([
      'offboarding_delete_device:10000',
      'offboarding_delete_device:10001',
      'offboarding_show_policy:0',
      'offboarding_apply_policy:0',
      'offboarding_token_rotated:prod',
      'offboarding_token_rotated:staging',
      'offboarding_mark_done',
    ]);
    expect(actionIds(renderOffboardingPrompt(offboarding(), { ...PROMPT, applyPolicy: false }).blocks)).not.toContain('offboarding_apply_policy:0');
    expect(JSON.stringify(renderOffboardingPrompt(offboarding(), { ...PROMPT, dryRun: true }).blocks)).toContain('Delete device (dry run)');
    expect(actionIds(renderOffboardingPrompt(offboarding({ closed: { by: 'U0ONCALL', at: NOW, openItems: 3 } }), PROMPT).blocks)).toEqual([]);
  });

  it('shows who did what, and when, on done items', () => {
    const record = offboarding({
      devices: [
        { ...devices(1)[0]!, status: 'deleted', by: 'U0ONCALL', at: NOW },
        { id: '2', name: 'phone', tags: [], status: 'kept', by: 'U0ONCALL', at: NOW, note: 'not deleted: it is now tagged tag:kiosk' },
      ],
      gateways: [{ name: 'prod', status: 'rotated', by: 'U0ONCALL', at: NOW }],
    });
    const json = JSON.stringify(renderOffboardingPrompt(record, PROMPT).blocks);
    expect(json).toContain('🗑️ deleted `laptop-0` by <@U0ONCALL> · 2026-03-02 12:00 UTC');
    expect(json).toContain('not deleted: it is now tagged tag:kiosk');
    expect(json).toContain('✅ *prod* rotated by <@U0ONCALL>');
  });
});

describe('the reminder under every verdict', () => {
  const many = Array.from({ length: 30 }, (_, index) => offboarding({ index, devices: devices(3) }));

  it('is nothing when no offboarding is open', () => {
    expect(renderOffboardingReminder([], { now: NOW, gateways: ['prod'] })).toBeUndefined();
    expect(renderOffboardingReminderText([], { now: NOW, gateways: ['prod'] })).toBeUndefined();
  });

  it('for one: who left and when, their devices, the tokens — this check’s gateway first — and the checklist button', () => {
    const reminder = renderOffboardingReminder([offboarding()], {
      now: NOW,
      gateways: ['staging'],
      linkFor: () => 'https://clawops-test.slack.com/archives/C0OPS/p1700000000000100',
    })!;
    expect(blockKitProblems(reminder.blocks)).toEqual([]);
    expect(reminder.text.mrkdwn).toBe(
      '🚪 Offboarding open: departed0@example.test left 1 h ago (Slack account deactivated) · 2 devices still on the tailnet (laptop-0, laptop-1) · still in group:ops · rotate the token of staging (this check), prod',
    );
    const json = JSON.stringify(reminder.blocks);
    expect(json).toContain('*staging* (this check), prod');
    expect(json).toContain('<https://clawops-test.slack.com/archives/C0OPS/p1700000000000100|checklist>');
    expect(json).toContain('"action_id":"offboarding_open_checklist"');
    expect(json).toContain('"value":"{\\"o\\":\\"00000000-0000-4000-8000-000000000000\\"}"');
  });

  it('for 30: one line (count, oldest, link) and one button, not a wall', () => {
    const reminder = renderOffboardingReminder(many, {
      now: NOW,
      gateways: ['prod'],
      linkFor: (record) => `https://clawops-test.slack.com/archives/C0OPS/p${record.openedAt}`,
    })!;
    expect(reminder.blocks).toHaveLength(2);
    expect(blockKitProblems(reminder.blocks)).toEqual([]);
    expect(reminder.text.mrkdwn).toBe(
      "🚪 30 offboardings open · oldest: departed29@example.test (30 h) · 90 devices still on the tailnet · 30 with a token of this check's gateway to rotate",
    );
    expect(JSON.stringify(reminder.blocks)).toContain(`p${NOW - 30 * HOUR}|oldest checklist>`);
    expect(renderOffboardingReminderText(many, { now: NOW, gateways: ['prod'] })).toBe(
      '🚪 30 offboardings open (oldest: departed29@example.test, 30 h): the checklists are in Slack',
    );
  });

  it.each([
    ['0 open', 0],
    ['1 open', 1],
    ['30 open', 30],
  ])('under a verdict with %s the message stays inside the limits, with the text fallback', (_label, count) => {
    const reminder = renderOffboardingReminder(many.slice(0, count), { now: NOW, gateways: ['prod'] });
    const results = [healthyReport()].map((report) => ({ report, diagnosis: diagnose(report) }));
    const rendered = renderCheckResults(results, { requestedBy: 'U0ONCALL', rerun: { gateways: ['prod'] }, footer: reminder?.blocks });
    expect(blockKitProblems(rendered.blocks)).toEqual([]);
    expect(rendered.blocks.length).toBeLessThanOrEqual(50);
    const text = reminder ? `${rendered.text}\n${reminder.text.mrkdwn}` : rendered.text;
    expect(text.length).toBeLessThanOrEqual(3_000);
    if (count === 0) expect(JSON.stringify(rendered.blocks)).not.toContain('offboarding');
    else expect(text).toContain(count === 1 ? 'Offboarding open: departed0@example.test' : '30 offboardings open');
  });

  it('never carries anything but logins and device names', () => {
    const record = offboarding({ devices: devices(1, () => '<script>'), subject: { login: 'a&b@example.test' } });
    const reminder = renderOffboardingReminder([record], { now: NOW, gateways: [] })!;
    const json = JSON.stringify(reminder.blocks);
    expect(json).toContain('&lt;script&gt;');
    expect(json).toContain('a&amp;b@example.test');
    expect(Object.keys(OffboardingSchema.shape)).not.toEqual(expect.arrayContaining(['token']));
  });
});

describe('summaries and the digest section', () => {
  it.each([
    [30_000, '1 min'],
    [45 * 60_000, '45 min'],
    [3 * HOUR, '3 h'],
    [47 * HOUR, '47 h'],
    [5 * 24 * HOUR, '5 d'],
  ])('an age of %i ms reads %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });

  it('says when everything is done but the checklist is not closed', () => {
    const done = offboarding({ devices: [], groups: [], gateways: [] });
    expect(summaryLine(done, { now: NOW })).toContain('every item is done: close the checklist');
  });

  it('the digest lists open offboardings oldest first with their age, in at most 8 blocks', () => {
    const open = Array.from({ length: 14 }, (_, index) => offboarding({ index }));
    const section = renderOffboardingDigest(open, { now: NOW })!;
    expect(section.title).toBe('Open offboardings (14)');
    expect(section.blocks.length).toBeLessThanOrEqual(8);
    expect(blockKitProblems(section.blocks)).toEqual([]);
    expect(section.text.mrkdwn.split('\n')[1]).toMatch(/^• open 14 h · departed13@example\.test left 14 h ago/);
    expect(section.text.mrkdwn).toContain('…and 4 more');
    expect(renderOffboardingDigest([], { now: NOW })).toBeUndefined();
  });
});
