/**
 * Issue 12: a forged or unreadable gateway is never healthy. The invariant in diagnose() (no
 * hello-ok, no health), forged upgrades, and payloads refused unread, as literal reports.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { LayerResult, ProbeReport } from '../../src/report/report.js';
import { healthyReport, notReachedAfter, withLayer } from '../support/reports.js';

const upgradeOk: LayerResult = {
  layer: 'upgrade',
  status: 'ok',
  startMs: 2,
  durationMs: 3,
  summary: '101 Switching Protocols',
  evidence: { url: 'ws://100.101.102.103:18789/', httpStatus: 101 },
};
const relayed: LayerResult = {
  layer: 'path',
  status: 'warn',
  startMs: 1,
  durationMs: 150,
  summary: 'DERP fra 150 ms',
  evidence: { ip: '100.101.102.103', disco: { ok: true, latencyMs: 150, derpRegion: 'fra' }, direct: false, relayThresholdMs: 120 },
};

/** What the ladder left before this issue for a forged 101: upgrade "ok", the handshake never reached. */
function handshakeNeverReached(report = healthyReport()): ProbeReport {
  return notReachedAfter(withLayer(report, upgradeOk), 'upgrade');
}

describe('diagnose: no hello-ok, no health', () => {
  it('a check whose handshake was never reached is unhealthy, and says why', () => {
    const diagnosis = diagnose(handshakeNeverReached());
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'not-openclaw', severity: 'error', layer: 'handshake' });
    expect(diagnosis.verdicts[0]!.evidence.join(' ')).toContain('no hello-ok');
  });

  it('an advisory warning beside it (a relayed path) does not make it merely degraded', () => {
    const diagnosis = diagnose(handshakeNeverReached(withLayer(healthyReport(), relayed)));
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts.map((verdict) => verdict.id)).toEqual(['not-openclaw', 'relayed-path']);
  });

  it('a report without a handshake layer at all is unhealthy', () => {
    const report = healthyReport();
    const diagnosis = diagnose({ ...report, layers: report.layers.filter((layer) => layer.layer !== 'handshake') });
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts[0]!.evidence[0]).toBe('handshake: missing from the report');
  });

  it('a blocking row that explains the handshake speaks instead (a gateway starting stays degraded)', () => {
    const starting = withLayer(healthyReport(), {
      layer: 'handshake',
      status: 'failed',
      startMs: 5,
      durationMs: 10,
      summary: 'UNAVAILABLE "gateway starting; retry shortly" · close 1013 "gateway starting"',
      evidence: {
        challenge: true,
        scopes: [],
        requestedScopes: [],
        error: { code: 'UNAVAILABLE', message: 'gateway starting; retry shortly', retryable: true },
        close: { code: 1013, reason: 'gateway starting' },
        failure: 'rejected',
      },
    });
    const diagnosis = diagnose(notReachedAfter(starting, 'handshake'));
    expect(diagnosis.verdicts[0]!.id).toBe('gateway-starting');
    expect(diagnosis.verdicts.map((verdict) => verdict.id)).not.toContain('not-openclaw');
  });

  it('a healthy report stays healthy', () => {
    expect(diagnose(healthyReport()).state).toBe('healthy');
  });
});

describe('forged upgrades', () => {
  const forged = (health: 'live' | 'html'): ProbeReport => {
    let report = withLayer(healthyReport(), {
      layer: 'upgrade',
      status: 'failed',
      startMs: 2,
      durationMs: 3,
      summary: '101 without a valid WebSocket accept: a proxy or a non-OpenClaw server (Invalid Sec-WebSocket-Accept header)',
      evidence: { url: 'ws://100.101.102.103:18789/', httpStatus: 101, error: 'other', notWebSocket: 'Invalid Sec-WebSocket-Accept header' },
    });
    if (health === 'html') {
      report = withLayer(report, {
        layer: 'http',
        status: 'failed',
        startMs: 1,
        durationMs: 2,
        summary: '/healthz status 200 text/html, not the health JSON',
        evidence: { healthz: { path: '/healthz', status: 200, contentType: 'text/html', bodyStart: '<html>' }, failing: [], live: false },
      });
    }
    return notReachedAfter(report, 'upgrade');
  };

  it.each([
    ['behind a health endpoint that answers (a proxy in the path)', 'live', 'upgrade-stripped'],
    ['with no health JSON either (not an OpenClaw)', 'html', 'not-openclaw'],
  ] as const)('%s: %s', (_label, health, id) => {
    const diagnosis = diagnose(forged(health));
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts[0]!.id).toBe(id);
    expect(diagnosis.verdicts[0]!.evidence.join(' ')).toContain('101 without a valid WebSocket accept: a proxy or a non-OpenClaw server');
  });
});

describe('payloads refused unread', () => {
  const refusal = 'a body of 16 KiB nested 8,000 deep: refused (clawops reads at most 32 levels)';
  it.each<[string, ProbeReport, string]>([
    [
      '/healthz',
      withLayer(healthyReport(), {
        layer: 'http',
        status: 'failed',
        startMs: 1,
        durationMs: 2,
        summary: `/healthz ${refusal}`,
        evidence: {
          healthz: { path: '/healthz', status: 200, refused: refusal },
          readyz: { path: '/readyz', status: 200, json: { ready: true } },
          failing: [],
          live: false,
          ready: true,
        },
      }),
      'http',
    ],
    [
      'the challenge',
      notReachedAfter(
        withLayer(healthyReport(), {
          layer: 'handshake',
          status: 'failed',
          startMs: 5,
          durationMs: 9,
          summary: 'protocol violation',
          evidence: {
            challenge: false,
            scopes: [],
            requestedScopes: [],
            protocolViolation: 'a frame of 781 KiB nested 400,000 deep: refused',
            refused: 'a frame of 781 KiB nested 400,000 deep: refused',
            failure: 'protocol-violation',
          },
        }),
        'handshake',
      ),
      'handshake',
    ],
    [
      'an RPC reply',
      withLayer(healthyReport(), {
        layer: 'health',
        status: 'failed',
        startMs: 20,
        durationMs: 9,
        summary: 'health: a frame of 781 KiB nested 400,000 deep: refused',
        evidence: { method: 'health', refused: 'a frame of 781 KiB nested 400,000 deep: refused', close: { code: 1006, reason: '' }, pluginErrors: [] },
      }),
      'health',
    ],
  ])('from %s: payload-refused, unhealthy, with the numbers', (_label, report, layer) => {
    const diagnosis = diagnose(report);
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'payload-refused', layer, severity: 'error' });
    expect(diagnosis.verdicts[0]!.evidence[0]).toMatch(/nested [\d,]+ deep: refused/);
    expect(diagnosis.headline).toMatch(/UNHEALTHY: payload-refused/);
  });
});
