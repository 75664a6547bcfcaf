import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { LayerOf, ProbeReport } from '../../src/report/report.js';
import { buildFingerprint } from '../../src/features/fingerprint/build.js';
import { buildTicketBundle, MAX_TICKET_BYTES } from '../../src/features/fingerprint/ticket/bundle.js';
import { REDACTED, scrubText, scrubValue } from '../../src/features/fingerprint/ticket/scrub.js';
import { knownSecrets } from '../../src/features/fingerprint/ticket/secrets.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { healthyReport, withLayer } from '../support/reports.js';

/**
 * The ticket bundle, PURE: its sections from literal reports, and every secret scrubbed — with
 * the real token value planted where a Gateway or a bug could put it (an error message, a doctor
 * finding, a field named `token`, the last failed report).
 */
const TOKEN = 'gw-prod-token-3f9a7c1e5b2d8046';
const DEVICE_TOKEN = 'devtok-6e1f0a9b-2c3d-4e5f-8a7b-9c0d1e2f3a4b';

function upgradedFailing(): ProbeReport {
  const base = healthyReport();
  const handshake = base.layers.find((layer) => layer.layer === 'handshake') as LayerOf<'handshake'>;
  const report = withLayer(
    base,
    { ...handshake, evidence: { ...handshake.evidence!, serverVersion: '2026.9.6', features: { methods: ['health', 'status'], events: ['tick'] } } },
    {
      layer: 'health',
      status: 'failed',
      startMs: 45,
      durationMs: 3,
      summary: `closed 4001 "token rotated: ${TOKEN}"`,
      evidence: { method: 'health', close: { code: 4001, reason: `token ${TOKEN} was rotated` }, pluginErrors: [] },
    },
  );
  report.startedAt = '2026-11-24T10:00:00.000Z';
  report.host = {
    agent: { status: 'answered', deadlineMs: 4000 },
    doctor: {
      ran: true,
      exitCode: 1,
      findings: [{ id: 'gateway.auth.token', severity: 'warning', message: `token ${TOKEN} is weak`, fixHint: `rotate ${DEVICE_TOKEN}` }],
      notes: [],
    },
  };
  (report as unknown as Record<string, unknown>).token = 'anything-in-a-field-named-token';
  return report;
}

function goodBefore() {
  const base = healthyReport();
  const handshake = base.layers.find((layer) => layer.layer === 'handshake') as LayerOf<'handshake'>;
  const report = withLayer(base, {
    ...handshake,
    evidence: { ...handshake.evidence!, serverVersion: '2026.9.2', features: { methods: ['health', 'status', 'sessions.reset'], events: ['tick'] } },
  });
  report.startedAt = '2026-11-24T09:12:00.000Z';
  const fingerprint = buildFingerprint(report, diagnose(report));
  return { fingerprint, firstSeenAt: fingerprint.at, lastSeenAt: fingerprint.at };
}

describe('scrub', () => {
  it('known values anywhere, fields the logs redact, credential shapes', () => {
    expect(scrubText(`a ${TOKEN} b`, [TOKEN])).toBe(`a ${REDACTED} b`);
    expect(scrubText('xoxb-1234-5678-abcdef and xapp-1-A0-123456 and Bearer abc.def.ghi', [])).toBe(`${REDACTED} and ${REDACTED} and Bearer ${REDACTED}`);
    expect(scrubText('redis://clawops:s3cretpass@10.0.0.1:6379 ?token=abcdef123', [])).toBe(`redis://clawops:${REDACTED}@10.0.0.1:6379 ?token=${REDACTED}`);
    expect(
      scrubValue({ token: 'x', nested: { deviceToken: 'y', password: 'z', tokenEnv: 'PROD_TOKEN', tokenPresent: true, tokenFingerprint: '0123456789ab' } }, []),
    ).toEqual({
      token: REDACTED,
      nested: { deviceToken: REDACTED, password: REDACTED, tokenEnv: 'PROD_TOKEN', tokenPresent: true, tokenFingerprint: '0123456789ab' },
    });
  });

  it('the secrets known to the process: gateway tokens from their env vars, Slack, Redis, device tokens', async () => {
    const config = ConfigSchema.parse({ gateways: { prod: { url: 'ws://127.0.0.1:18789', tokenEnv: 'PROD_GW' } } });
    const secrets = await knownSecrets({ config, env: { PROD_GW: TOKEN, SLACK_BOT_TOKEN: 'xoxb-real', REDIS_URL: 'redis://u:redis-pass-1@h:6379' } });
    expect(secrets).toEqual(expect.arrayContaining([TOKEN, 'xoxb-real', 'redis-pass-1']));
  });
});

describe('buildTicketBundle', () => {
  const bundle = buildTicketBundle({
    gateway: 'prod',
    current: { report: upgradedFailing() },
    good: [goodBefore()],
    lastFailure: { report: { ...upgradedFailing(), startedAt: '2026-11-23T08:00:00.000Z' } },
    secrets: [TOKEN, DEVICE_TOKEN],
    now: Date.parse('2026-11-24T10:05:00.000Z'),
  });

  it('holds no secret: not the token, not the device token, not a field named token', () => {
    expect(bundle.content).not.toContain(TOKEN);
    expect(bundle.content).not.toContain(DEVICE_TOKEN);
    expect(bundle.content).not.toContain('anything-in-a-field-named-token');
    expect(bundle.content).toContain(REDACTED);
    expect(JSON.stringify(bundle.summary)).not.toContain(TOKEN);
  });

  it('has the check report, the fingerprint and its diff, the doctor lint, the last failure, the JSON', () => {
    expect(bundle.filename).toBe('clawops-ticket-prod-20261124T100500Z.md');
    const sections = bundle.content.split('\n').filter((line) => line.startsWith('## '));
    expect(sections).toEqual([
      '## Check report (2026-11-24 10:00 UTC): unhealthy',
      '## Success fingerprint',
      '## openclaw doctor --lint (host agent)',
      '## Last failed check (2026-11-23 08:00 UTC)',
      '## Appendix: check report (JSON)',
      '## Appendix: last failed report (JSON)',
    ]);
    expect(bundle.content).toContain('**since last good (2026-11-24 09:12 UTC): version `2026.9.2` → `2026.9.6` · methods +0 −1 (`sessions.reset` gone)**');
    expect(bundle.content).toContain('- **warning** `gateway.auth.token`: token [redacted] is weak — fix: rotate [redacted]');
    expect(bundle.summary.sinceLastGood).toContain('`sessions.reset` gone');
  });

  it('without a check recorded or an agent, it says so instead of leaving sections out', () => {
    const empty = buildTicketBundle({ gateway: 'prod', good: [], secrets: [], now: 0 });
    expect(empty.content).toContain('No check of prod is recorded yet.');
    const noAgent = buildTicketBundle({ gateway: 'prod', current: { report: healthyReport() }, good: [], secrets: [], now: 0 });
    expect(noAgent.content).toContain('No host agent for this gateway');
  });

  it('is bounded: a huge report loses its JSON appendix first, and stays under the limit', () => {
    const huge = upgradedFailing();
    const handshake = huge.layers.find((layer) => layer.layer === 'handshake') as LayerOf<'handshake'>;
    handshake.evidence!.features = { methods: Array.from({ length: 4000 }, (_, index) => `method.${'x'.repeat(180)}.${index}`), events: [] };
    const big = buildTicketBundle({ gateway: 'prod', current: { report: huge }, good: [], secrets: [TOKEN], now: 0 });
    expect(Buffer.byteLength(big.content)).toBeLessThanOrEqual(MAX_TICKET_BYTES);
    expect(big.content).toContain('the JSON appendices were left out');
    expect(big.content).toContain('## Check report');
  });
});
