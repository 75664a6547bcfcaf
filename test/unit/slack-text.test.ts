/**
 * Issue 12: nothing outside clawops' own code reaches Slack unescaped. SlackText itself, then every
 * renderer fed text a hostile gateway, tailnet or person would send: the recursive checker
 * (test/support/slack-safety.ts) finds no `<` that clawops did not build, and nothing escaped twice.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { OffboardingSchema, type Offboarding } from '../../src/features/offboarding/model.js';
import type { LayerResult, ProbeReport } from '../../src/report/report.js';
import { renderAlertPost } from '../../src/features/monitoring/render/alert-blocks.js';
import { button, codeSection, context, header, message, section } from '../../src/render/blocks.js';
import { renderCheckFailed, renderCheckPending, renderCheckResults } from '../../src/render/check-blocks.js';
import { renderDigest, type GatewayDigest } from '../../src/features/monitoring/render/digest-blocks.js';
import { renderHistory } from '../../src/features/monitoring/render/history-blocks.js';
import { renderOffboardingPrompt } from '../../src/features/offboarding/render/offboarding-blocks.js';
import { renderOffboardingDigest } from '../../src/features/offboarding/render/offboarding-digest.js';
import { renderOffboardingReminder } from '../../src/features/offboarding/render/offboarding-reminder.js';
import { channelMention, code, joinText, link, md, mention, plainOf, SlackText, slackDate, slackText, truncateText } from '../../src/render/slack-text.js';
import { renderTailnetDigestSection } from '../../src/features/acl/render/tailnet-digest.js';
import { HOSTILE_TEXT } from '../support/fake-gateway.js';
import { healthyReport, notReachedAfter, withLayer } from '../support/reports.js';
import { unsafeTokens } from '../support/slack-safety.js';
import { blockKitProblems } from '../support/slack-emulator.js';

const H = HOSTILE_TEXT;
const NOW = Date.UTC(2026, 8, 15, 12, 0);
const REQUESTER = 'U0ONCALL';
const OK = { users: [REQUESTER, 'U0DEPARTED'], channels: ['C0OPS'], linkPrefixes: ['https://clawops-test.slack.com/'] };

/** Every string of a report that came from the gateway, with the hostile text added (enums kept). */
function taintReport(report: ProbeReport): ProbeReport {
  const keep = new Set(['layer', 'status', 'failure', 'error', 'schema', 'startedAt', 'method']);
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') return keep.has(key) ? value : `${value} ${H}`;
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    return value;
  };
  return { ...(walk(report, '') as ProbeReport), gateway: { ...report.gateway, url: `${report.gateway.url}/${H}`, tokenEnv: `TOKEN_${H}` } };
}

function failedHandshake(report: ProbeReport): ProbeReport {
  const handshake: LayerResult = {
    layer: 'handshake',
    status: 'failed',
    startMs: 10,
    durationMs: 20,
    summary: `INVALID_REQUEST/AUTH_TOKEN_MISMATCH "unauthorized ${H}" · close 1008 "${H}"`,
    evidence: {
      challenge: true,
      scopes: [],
      requestedScopes: ['operator.read'],
      error: { code: 'INVALID_REQUEST', message: `unauthorized: gateway token mismatch ${H}`, detailsCode: 'AUTH_TOKEN_MISMATCH' },
      close: { code: 1008, reason: H },
      failure: 'rejected',
      serverVersion: `2026.9.6 ${H}`,
    },
  };
  return notReachedAfter(withLayer(report, handshake), 'handshake');
}

const expectSafe = (value: unknown) => expect(unsafeTokens(value, OK)).toEqual([]);

describe('SlackText', () => {
  it('md escapes every interpolated string and every literal part, once', () => {
    expect(md`*${'a & <b>'}* & <c>`.mrkdwn).toBe('*a &amp; &lt;b&gt;* &amp; &lt;c&gt;');
    const inner = md`x ${'<y>'}`;
    expect(md`${inner} ${inner}`.mrkdwn).toBe('x &lt;y&gt; x &lt;y&gt;');
    expect(slackText(inner)).toBe(inner);
    expect(joinText(['<a>', inner], ' & ').mrkdwn).toBe('&lt;a&gt; &amp; x &lt;y&gt;');
    expect(plainOf(md`${H}`)).toBe(H);
    // In a plain string it reads as plain text; back through md it is escaped again, never raw.
    const asString = `${md`by ${mention('U0ONCALL')} ${'<!here>'}`}`;
    expect(asString).toBe('by <@U0ONCALL> <!here>');
    expect(md`${asString}`.mrkdwn).toBe('by &lt;@U0ONCALL&gt; &lt;!here&gt;');
  });

  it('cannot be made outside slack-text.ts', () => {
    expect(() => new (SlackText as unknown as new (key: symbol, text: string) => SlackText)(Symbol('SlackText'), '<!channel>')).toThrow(TypeError);
  });

  it('mentions, channels, links and dates only from ids, URLs and times', () => {
    expect(mention('U0ONCALL').mrkdwn).toBe('<@U0ONCALL>');
    expect(mention('<!channel>').mrkdwn).toBe('&lt;!channel&gt;');
    expect(mention('U1|x> <!here').mrkdwn).not.toContain('<');
    expect(channelMention('C0OPS').mrkdwn).toBe('<#C0OPS>');
    expect(channelMention('#ops').mrkdwn).toBe('#ops');
    expect(channelMention('<!channel>').mrkdwn).toBe('&lt;!channel&gt;');
    expect(link('https://x.slack.com/archives/C1/p1', 'checklist <!here>').mrkdwn).toBe('<https://x.slack.com/archives/C1/p1|checklist &lt;!here&gt;>');
    for (const url of ['javascript:alert(1)', 'https://x|<!channel>', 'https://x> <!here', 'not a url', undefined])
      expect(link(url, 'label').mrkdwn).toBe('label');
    expect(link('https://x.test/?a=1&b=2', 'q').mrkdwn).toBe('<https://x.test/?a=1&amp;b=2|q>');
    expect(slackDate(NOW).mrkdwn).toBe(`<!date^${NOW / 1000}^{date_short_pretty} {time}|2026-09-15 12:00 UTC>`);
    expect(code('a`b<c>').mrkdwn).toBe("`a'b&lt;c&gt;`");
  });

  it('truncation never cuts an entity, one of our tokens or a surrogate pair', () => {
    const text = md`${'x'.repeat(8)}&${mention('U0ONCALL')}`;
    for (let max = 2; max < text.length; max++) {
      const cut = truncateText(text, max).mrkdwn;
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/&[a-z]*…$/);
      expect(cut).not.toMatch(/<[^>]*…$/);
    }
    expect(truncateText(md`${'😀'.repeat(4)}`, 4).mrkdwn).toBe('😀…');
  });

  it('the block builders escape plain_text too: headers, buttons, confirm dialogs, code', () => {
    const hostile = md`${H}`;
    const built = message(hostile, [
      header(hostile),
      section(hostile, button({ actionId: 'a', text: hostile, value: H, confirm: { title: hostile, text: hostile, confirm: hostile, deny: hostile } })),
      context([hostile]),
      codeSection([H, `\`\`\` ${H}`]),
    ]);
    expectSafe(built);
    expect(blockKitProblems(built.blocks)).toEqual([]);
    expect(JSON.stringify(built.blocks)).toContain('"verbatim":true');
  });
});

describe('every renderer, fed hostile text, posts no live mention and nothing escaped twice', () => {
  const hostileHealthy = taintReport(healthyReport());
  const hostileFailed = taintReport(failedHandshake(healthyReport()));

  it.each([
    ['a healthy check', hostileHealthy],
    ['a failed handshake', hostileFailed],
  ])('check results: %s', (_label, report) => {
    const result = { report, diagnosis: diagnose(report) };
    for (const rendered of [
      renderCheckResults([result], { requestedBy: REQUESTER, rerun: { gateways: ['prod'] } }),
      renderCheckResults([result, result], { requestedBy: REQUESTER }),
      renderCheckPending([`prod${H}`], REQUESTER),
      renderCheckFailed([`prod${H}`], `Redis said ${H}`),
    ]) {
      expectSafe(rendered);
      expect(blockKitProblems(rendered.blocks)).toEqual([]);
    }
    // The hostile text is shown, escaped: readers see what the gateway said.
    expect(JSON.stringify(renderCheckResults([result]))).toContain('&lt;!channel&gt;');
  });

  it('alerts and their thread follow-ups', () => {
    const result = { report: hostileFailed, diagnosis: diagnose(hostileFailed) };
    const base = { subject: 'prod', incidentId: 'prod-1', verdict: 'auth-rejected', startedAt: NOW - 3_600_000, at: NOW } as const;
    for (const post of [
      { ...base, kind: 'alert', failures: 3 },
      { ...base, kind: 'reminder', n: 2 },
      { ...base, kind: 'verdict-changed', from: 'refused', n: 1 },
      { ...base, kind: 'resolved', endedAt: NOW },
    ] as const) {
      for (const network of [false, true]) expectSafe(renderAlertPost(post, { network, result, reminderIntervalMs: 3_600_000 }));
    }
  });

  it('history', () => {
    const rendered = renderHistory({
      gateway: 'prod',
      now: NOW,
      timeZone: 'UTC',
      entries: [
        { at: NOW, state: 'unhealthy', verdict: 'auth-rejected', version: `2026.9.6 ${H}`, source: 'schedule', durationMs: 20, layers: { handshake: 12 } },
      ],
      uptime24h: { checks: 1, up: 0, ratio: 0 },
      uptime7d: { checks: 1, up: 0, ratio: 0 },
      handshake24h: { samples: 0 },
      incidents7d: { count: 1, longestMs: 1, open: true },
      versions: { lastSeen: { version: `2026.9.6 ${H}`, at: NOW }, lastKnownGood: { version: `2026.9.2 ${H}`, at: NOW } },
      changes: [{ at: NOW, from: `a ${H}`, to: `b ${H}` }],
      maintenance: { startedAt: NOW, until: NOW + 1, by: REQUESTER, reason: `reason ${H}` },
      failures: { kept: 1, latest: { at: NOW, headline: `prod UNHEALTHY: ${H}` } },
      scheduled: true,
    });
    expectSafe(rendered);
  });

  it('the digest and its contributed sections', () => {
    const gateway = (name: string, overrides: Partial<GatewayDigest>): GatewayDigest => ({
      name,
      phase: 'ok',
      lastState: 'healthy',
      uptime: { checks: 10, up: 9, ratio: 0.9 },
      incidents: { count: 1, longestMs: 60_000, open: false },
      versionChanges: [{ at: NOW, from: `1 ${H}`, to: `2 ${H}` }],
      version: `2 ${H}`,
      ...overrides,
    });
    const tailnet = renderTailnetDigestSection({
      window: { fromMs: NOW - 3_600_000, toMs: NOW },
      exposures: [
        {
          gateway: `prod ${H}`,
          publicAddress: '203.0.113.1',
          latest: { at: new Date(NOW).toISOString(), address: `203.0.113.1 ${H}`, port: 18789, tcp: 'open', httpStatus: 200, openclaw: true, durationMs: 3 },
        },
      ],
      acl: { ok: false, stage: 'policy', message: `GET acl answered 500: ${H}` } as never,
    })!;
    expectSafe(tailnet);
    const rendered = renderDigest({
      fromMs: NOW - 86_400_000,
      toMs: NOW,
      timeZone: 'UTC',
      gateways: [
        gateway(`down${H}`, {
          phase: 'down',
          lastVerdict: `auth ${H}`,
          incident: { startedAt: NOW, verdict: `v ${H}` },
          maintenance: { startedAt: NOW, until: NOW + 1, by: REQUESTER, reason: `m ${H}` },
        }),
        gateway('fine', { uptime: { checks: 10, up: 10, ratio: 1 }, incidents: { count: 0, longestMs: 0, open: false }, versionChanges: [] }),
      ],
      sections: [tailnet, renderOffboardingDigest([hostileOffboarding()], { now: NOW, linkFor: () => 'https://clawops-test.slack.com/archives/C0OPS/p1' })!],
      sectionProblems: [{ name: `offboarding ${H}`, message: `admin API said ${H}` }],
      title: `schedule ${H}`,
    });
    expectSafe(rendered);
    expect(blockKitProblems(rendered.blocks)).toEqual([]);
  });

  it('the offboarding checklist, its reminder under verdicts and its digest line', () => {
    const record = hostileOffboarding();
    for (const options of [
      { dryRun: false, applyPolicy: true, maxDeletions: 10 },
      { dryRun: true, applyPolicy: false, maxDeletions: 0 },
    ])
      expectSafe(renderOffboardingPrompt(record, options));
    expectSafe(
      renderOffboardingPrompt({ ...record, closed: { by: REQUESTER, at: NOW, openItems: 2 } }, { dryRun: false, applyPolicy: true, maxDeletions: 10 }),
    );
    for (const open of [[record], Array.from({ length: 5 }, () => record)]) {
      const reminder = renderOffboardingReminder(open, { now: NOW, gateways: ['prod'], linkFor: () => 'https://clawops-test.slack.com/archives/C0OPS/p1' })!;
      expectSafe(reminder);
    }
  });

  it('the checker itself catches what it must (it would fail on the old renderers)', () => {
    expect(unsafeTokens({ text: `x ${H}` }, OK).map((found) => found.token)).toEqual([
      '<!channel>',
      '<!here>',
      '<@U0VICTIM>',
      '<#C0VICTIM>',
      '<http://evil.example|click>',
      '<!subteam^S0VICTIM>',
    ]);
    expect(unsafeTokens({ blocks: [{ text: { text: '&amp;lt;!channel&amp;gt;' } }] }, OK)).toHaveLength(2);
    expect(unsafeTokens({ text: '<@U0ONCALL> <#C0OPS> <https://clawops-test.slack.com/archives/C0OPS/p1|checklist>' }, OK)).toEqual([]);
    expect(unsafeTokens({ text: '<https://evil.example/archives|checklist>' }, OK)).toHaveLength(1);
  });
});

function hostileOffboarding(): Offboarding {
  return OffboardingSchema.parse({
    id: '00000000-0000-4000-8000-000000000000',
    subject: { login: `departed${H}@example.test`, slackUserId: 'U0DEPARTED' },
    trigger: { kind: 'tailnet-poll' },
    openedAt: NOW - 3_600_000,
    devices: [
      { id: '1', name: `laptop ${H}`, os: `linux <!here>`, lastSeen: '2026-03-01T11:00:00Z', tags: [], status: 'open' },
      { id: '2', name: `ci ${H}`, os: 'linux', tags: [`tag:${H}`], status: 'tagged' },
      { id: '3', name: `phone ${H}`, os: 'ios', tags: [], status: 'kept', by: REQUESTER, at: NOW, note: `not deleted: it now belongs to ${H}` },
    ],
    groups: [{ name: `group:${H}`, status: 'open' }],
    review: { tagOwners: [`tag:${H}`], tests: [`#0 src ${H}`], acls: 1, grants: 0 },
    gateways: [{ name: 'prod', status: 'open' }],
    mirrors: [],
    problems: [`could not list devices: ${H}`],
  });
}
