import { describe, expect, it } from 'vitest';
import type { AlertPost } from '../../src/features/monitoring/alerts/policy.js';
import { renderAlertPost } from '../../src/features/monitoring/render/alert-blocks.js';
import { renderHistory, type HistoryView } from '../../src/features/monitoring/render/history-blocks.js';
import { bucketsOf } from '../../src/state/handshake-sketch.js';
import { handshakeQuantiles } from '../../src/features/monitoring/state/history-stats.js';
import { authRejected, botNodeOffline, resultOf } from '../support/monitoring-reports.js';
import { blockKitProblems } from '../support/slack-emulator.js';
import { code, md } from '../../src/render/slack-text.js';

const T0 = Date.UTC(2026, 8, 15, 12, 2);
const base = { subject: 'prod', incidentId: `prod-${T0}`, verdict: 'auth-rejected', startedAt: T0, at: T0 + 65 * 60_000 };

describe('alert messages', () => {
  it.each<[string, AlertPost, boolean, RegExp]>([
    [
      'the alert carries the verdict and a Re-run',
      { ...base, kind: 'alert', failures: 3, at: T0 + 120_000 },
      false,
      /^🚨 prod is DOWN: prod UNHEALTHY: auth-rejected/,
    ],
    ['a reminder says for how long', { ...base, kind: 'reminder', n: 1 }, false, /^⏰ prod still DOWN \(auth-rejected\) for 1 h 5 min$/],
    [
      'a verdict change says from and to',
      { ...base, kind: 'verdict-changed', from: 'refused', n: 1 },
      false,
      /^🔁 prod: verdict changed refused → auth-rejected$/,
    ],
    [
      'the resolve says how long it was down',
      { ...base, kind: 'resolved', endedAt: T0 + 72 * 60_000 },
      false,
      /^✅ prod recovered after 1 h 12 min \(was auth-rejected\)$/,
    ],
    [
      'clawops lost its network',
      { ...base, subject: '_network', verdict: 'unreachable', kind: 'alert', failures: 3 },
      true,
      /^📡 clawops lost its network: every gateway fails below the gateway/,
    ],
    [
      'this node offline',
      { ...base, subject: '_network', verdict: 'bot-node-offline', kind: 'alert', failures: 3 },
      true,
      /^📡 clawops lost its network: tailscaled on clawops' own node/,
    ],
    [
      'the network is back',
      { ...base, subject: '_network', verdict: 'unreachable', kind: 'resolved', endedAt: T0 + 10 * 60_000 },
      true,
      /^✅ clawops has its network back after 10 min$/,
    ],
  ])('%s', (_label, post, network, text) => {
    const report = post.verdict === 'bot-node-offline' ? botNodeOffline() : authRejected();
    const message = renderAlertPost(post, { network, result: resultOf(report), reminderIntervalMs: 3_600_000 });
    expect(message.text).toMatch(text);
    expect(blockKitProblems(message.blocks)).toEqual([]);
    if (post.kind === 'alert' && !network) {
      const all = JSON.stringify(message.blocks);
      expect(all).toContain('gateway_rerun');
      expect(all).toContain('What to do');
      // Times are Slack date tokens: each reader sees their own zone.
      expect(all).toContain(`<!date^${Math.floor(T0 / 1000)}^`);
    }
  });
});

describe('history message', () => {
  const view: HistoryView = {
    gateway: 'prod',
    now: T0,
    timeZone: 'Europe/Berlin',
    entries: Array.from(
      { length: 15 },
      (_, index) =>
        ({
          at: T0 - index * 60_000,
          state: index < 3 ? 'unhealthy' : 'healthy',
          ...(index < 3 ? { verdict: 'auth-rejected' } : {}),
          version: '2026.9.6',
          source: index % 5 === 0 ? 'command' : 'schedule',
          durationMs: 212,
          layers: { dns: 1, tcp: 4, handshake: 31 },
        }) as const,
    ),
    uptime24h: { checks: 1_440, up: 1_430, ratio: 1_430 / 1_440 },
    uptime7d: { checks: 10_080, up: 10_070, ratio: 10_070 / 10_080 },
    handshake24h: handshakeQuantiles([{ hourStart: 0, checks: 3, up: 3, handshake: bucketsOf([30, 31, 88]) }]),
    incidents7d: { count: 1, longestMs: 180_000, open: true },
    versions: { lastSeen: { version: '2026.9.6', at: T0 }, lastKnownGood: { version: '2026.9.2', at: T0 - 3_600_000 } },
    changes: [{ at: T0 - 600_000, from: '2026.9.2', to: '2026.9.6' }],
    alert: {
      phase: 'down',
      failures: 3,
      successes: 0,
      firstFailureAt: T0 - 180_000,
      incident: { id: 'prod-1', startedAt: T0 - 180_000, downAt: T0 - 60_000, verdict: 'auth-rejected', alerted: true, reminders: 0, changes: 0 },
    },
    maintenance: { startedAt: T0, until: T0 + 3_600_000, by: 'U0ONCALL', reason: 'token rotation' },
    failures: { kept: 3, latest: { at: T0, headline: 'prod UNHEALTHY: auth-rejected — token mismatch' } },
    scheduled: true,
  };

  it('shows now, uptime 24 h and 7 d, handshake p50/p95, versions and the last results, inside the limits', () => {
    const message = renderHistory(view);
    expect(blockKitProblems(message.blocks)).toEqual([]);
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('*DOWN* since Tue 15 Sep 13:59 (3 min)');
    expect(all).toContain('24 h 99.30 % (1440 checks) · 7 d 99.90 % (10080 checks)');
    expect(all).toMatch(/p50 3\d ms · p95 (8\d|9\d) ms over 3 handshakes/);
    expect(all).toContain('last known good 2026.9.2 ⚠️ the running version has not yet passed a check');
    expect(all).toContain('2026.9.2 → 2026.9.6 on Tue');
    expect(all).toContain('🛠 *Maintenance* until Tue 15 Sep 15:02');
    expect(all).toContain('*Last 15 result(s)*');
    expect(message.text).toMatch(/^🕘 prod: 🔴 DOWN since/);
  });

  it('an unchecked gateway says so', () => {
    const message = renderHistory({
      ...view,
      entries: [],
      alert: undefined,
      maintenance: undefined,
      failures: { kept: 0 },
      uptime24h: { checks: 0, up: 0 },
      uptime7d: { checks: 0, up: 0 },
      handshake24h: { samples: 0 },
    });
    expect(message.text).toContain('no results yet');
    expect(JSON.stringify(message.blocks)).toContain('— (no checks)');
  });
});

describe('an alert says what changed since the last good check', () => {
  const since = md`🧬 since last good: version ${code('2026.9.2')} → ${code('2026.9.6')} · methods +4 −1`;
  it('the DOWN alert carries the lines beside its verdict', () => {
    const post: AlertPost = { ...base, kind: 'alert', failures: 3 };
    const message = renderAlertPost(post, { network: false, result: resultOf(authRejected()), annotations: [since] });
    expect(JSON.stringify(message.blocks)).toContain('since last good: version `2026.9.2` → `2026.9.6`');
    expect(blockKitProblems(message.blocks)).toEqual([]);
  });
  it('so does a verdict change, and without lines nothing is added', () => {
    const post: AlertPost = { ...base, kind: 'verdict-changed', from: 'refused', n: 1 };
    const withLines = renderAlertPost(post, { network: false, result: resultOf(authRejected()), annotations: [since] });
    const without = renderAlertPost(post, { network: false, result: resultOf(authRejected()) });
    expect(JSON.stringify(withLines.blocks)).toContain('since last good');
    expect(JSON.stringify(without.blocks)).not.toContain('since last good');
    expect(withLines.blocks.length).toBe(without.blocks.length + 1);
  });
});
