import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { Severity, SymptomId } from '../../src/diagnosis/symptom-table.js';
import type { GatewayState } from '../../src/diagnosis/verdict.js';
import { TLS_ALERT_INTERNAL_ERROR } from '../../src/report/net-error.js';
import { ProbeReportSchema, type EvidenceOf, type HostEvidenceData, type LayerName, type LayerOf, type ProbeReport } from '../../src/report/report.js';
import { GATEWAY_VERSION, healthyReport, notReachedAfter, settle, withLayer } from '../support/reports.js';

/**
 * The Serve-topology rows of the symptom table, from literal reports as the ladder leaves them
 * behind a Tailscale-Serve-like front (wss:// on 443 in front of the Gateway on 18789), with the
 * evidence values each verdict must show.
 */

const NAME = 'gw-prod.example-tailnet.ts.net';
const FRONT = '100.101.102.103';
const behindServe = (): ProbeReport => {
  const report = healthyReport({ gateway: { url: `wss://${NAME}`, host: NAME, port: 443, gatewayPort: 18789 } });
  return withLayer(
    report,
    { layer: 'dns', status: 'ok', startMs: 0, durationMs: 1, summary: `${NAME} → ${FRONT}`, evidence: { host: NAME, literal: false, addresses: [FRONT] } },
    { layer: 'tcp', status: 'ok', startMs: 1, durationMs: 4, summary: `${FRONT}:443 connected`, evidence: { address: FRONT, port: 443 } },
  );
};

type HttpEndpoint = EvidenceOf<'http'>['healthz'];
const httpLayer = (healthz: HttpEndpoint, readyz: HttpEndpoint, status: 'ok' | 'failed', summary: string): LayerOf<'http'> => {
  const live = healthz.status === 200 && healthz.json?.ok === true;
  return { layer: 'http', status, startMs: 1, durationMs: 9, summary, evidence: { healthz, readyz, live, failing: [] } };
};
const upgradeLayer = (evidence: Partial<EvidenceOf<'upgrade'>>, summary: string): LayerOf<'upgrade'> => ({
  layer: 'upgrade',
  status: 'failed',
  startMs: 1,
  durationMs: 8,
  summary,
  evidence: { url: `wss://${NAME}/`, ...evidence },
});

const LIVE: HttpEndpoint = { path: '/healthz', status: 200, contentType: 'application/json; charset=utf-8', json: { ok: true, status: 'live' } };
const ATTRIBUTION = {
  error: { message: 'Proxy client attribution is required. Configure gateway.trustedProxies narrowly…', type: 'proxy_attribution_required' },
};

const proxyUntrusted = (): ProbeReport =>
  notReachedAfter(
    withLayer(
      behindServe(),
      httpLayer(LIVE, { path: '/readyz', status: 403, contentType: 'application/json; charset=utf-8', json: ATTRIBUTION }, 'ok', '/healthz live · /readyz 403'),
      upgradeLayer(
        {
          httpStatus: 403,
          contentType: 'application/json; charset=utf-8',
          bodyStart: '{"error":{"message":"Proxy client attribution is required.',
          errorType: 'proxy_attribution_required',
        },
        'no upgrade: HTTP 403 application/json',
      ),
    ),
    'upgrade',
  );

const frontDown = (status = 502): ProbeReport =>
  settle(
    notReachedAfter(
      withLayer(
        behindServe(),
        httpLayer(
          { path: '/healthz', status, bodyStart: '' },
          { path: '/readyz', status, bodyStart: '' },
          'failed',
          `/healthz status ${status} no content type, not the health JSON`,
        ),
        upgradeLayer({ httpStatus: status }, `no upgrade: HTTP ${status}`),
      ),
      'upgrade',
    ),
  );

const hung = (): ProbeReport =>
  settle(
    notReachedAfter(
      withLayer(
        behindServe(),
        httpLayer({ path: '/healthz', error: 'timeout' }, { path: '/readyz', error: 'timeout' }, 'failed', '/healthz timeout'),
        upgradeLayer({ error: 'timeout' }, 'timeout'),
      ),
      'upgrade',
    ),
  );

const routeless404 = (report = behindServe()): ProbeReport =>
  settle(
    notReachedAfter(
      withLayer(
        report,
        httpLayer(
          { path: '/healthz', status: 404, contentType: 'text/plain; charset=utf-8', bodyStart: '404 page not found ' },
          { path: '/readyz', status: 404, contentType: 'text/plain; charset=utf-8', bodyStart: '404 page not found ' },
          'failed',
          '/healthz status 404 text/plain, not the health JSON',
        ),
        upgradeLayer(
          { httpStatus: 404, contentType: 'text/plain; charset=utf-8', bodyStart: '404 page not found ' },
          'no upgrade: HTTP 404 text/plain "404 page not found "',
        ),
      ),
      'upgrade',
    ),
  );

const tlsAlert = (report = behindServe(), errno = TLS_ALERT_INTERNAL_ERROR): ProbeReport =>
  settle(
    notReachedAfter(
      withLayer(
        report,
        httpLayer({ path: '/healthz', error: 'tls', errno }, { path: '/readyz', error: 'tls', errno }, 'failed', `/healthz tls (${errno})`),
        upgradeLayer({ error: 'tls', errno }, `tls (${errno})`),
      ),
      'upgrade',
    ),
  );

const closed1000 = (closedAfterMs: number): ProbeReport =>
  notReachedAfter(
    withLayer(healthyReport(), {
      layer: 'handshake',
      status: 'failed',
      startMs: 6,
      durationMs: closedAfterMs,
      summary: `close 1000 (empty reason) before hello-ok after ${closedAfterMs} ms`,
      evidence: {
        challenge: true,
        challengeMs: 1,
        offeredProtocol: { min: 4, max: 4 },
        scopes: [],
        requestedScopes: ['operator.read'],
        failure: 'closed',
        close: { code: 1000, reason: '' },
        closedAfterMs,
      },
    }),
    'handshake',
  );

const healthWarn = (report: ProbeReport, evidence: Partial<EvidenceOf<'health'>>, summary: string, uptimeMs?: number): ProbeReport => {
  const handshake = report.layers.find((layer) => layer.layer === 'handshake') as LayerOf<'handshake'>;
  return withLayer(
    report,
    { layer: 'health', status: 'warn', startMs: 45, durationMs: 12, summary, evidence: { method: 'health', ok: true, pluginErrors: [], ...evidence } },
    { ...handshake, evidence: { ...handshake.evidence!, ...(uptimeMs !== undefined ? { uptimeMs } : {}) } },
  );
};

const policySilent = (): ProbeReport =>
  withLayer(healthyReport(), {
    layer: 'channels',
    status: 'warn',
    startMs: 45,
    durationMs: 300,
    summary: 'telegram: dmPolicy allowlist with an empty allowFrom (channels.telegram.allowFrom): every DM is dropped',
    evidence: {
      method: 'channels.status',
      policy: { read: true },
      channels: [
        {
          channel: 'telegram',
          account: 'default',
          configured: true,
          running: true,
          dmPolicy: 'allowlist',
          allowFromCount: 0,
          groupPolicy: 'allowlist',
          dmPolicyAt: 'channels.telegram.dmPolicy',
          groupPolicyAt: 'channels.telegram.groupPolicy',
          issues: ['dmPolicy allowlist with an empty allowFrom (channels.telegram.allowFrom): every DM is dropped', 'probe failed: fetch failed'],
        },
        {
          channel: 'telegram',
          account: 'ops',
          configured: true,
          running: true,
          dmPolicy: 'disabled',
          groupPolicy: 'allowlist',
          dmPolicyAt: 'channels.telegram.accounts.ops.dmPolicy',
          groupPolicyAt: 'channels.telegram.groupPolicy',
          issues: ['dmPolicy disabled (channels.telegram.accounts.ops.dmPolicy): every DM is ignored'],
        },
        {
          channel: 'telegram',
          account: 'home',
          configured: true,
          running: true,
          dmPolicy: 'pairing',
          groupPolicy: 'allowlist',
          dmPolicyAt: 'default',
          groupPolicyAt: 'default',
          issues: [],
        },
      ],
    },
  });

interface Case {
  name: string;
  report: ProbeReport;
  id: SymptomId | undefined;
  ids?: SymptomId[];
  state: GatewayState;
  failedLayer: LayerName | undefined;
  severity?: Severity;
  /** The primary verdict's evidence, exactly. */
  evidence?: string[];
  notes?: string[];
  todo?: string[];
}

const exposureOpen = (port: number) => ({ address: '203.0.113.10', port, tcp: 'open' as const, httpStatus: 200, openclaw: true, durationMs: 40 });
const exposureRefused = (port: number) => ({ address: '203.0.113.10', port, tcp: 'refused' as const, durationMs: 2 });

const cases: Case[] = [
  {
    name: 'proxy-untrusted: 403 proxy_attribution_required on the upgrade and /readyz, /healthz 200',
    report: proxyUntrusted(),
    id: 'proxy-untrusted',
    ids: ['proxy-untrusted'],
    state: 'unhealthy',
    failedLayer: 'upgrade',
    evidence: [
      'upgrade answered HTTP 403 proxy_attribution_required',
      '/readyz 403 proxy_attribution_required',
      '/healthz 200 {"ok":true,"status":"live"}',
      'token from OPENCLAW_GATEWAY_TOKEN (set): not the problem',
    ],
    todo: ['`openclaw config set gateway.trustedProxies \'["127.0.0.1/32","::1/128"]\' --strict-json`', "Don't rotate the token"],
  },
  {
    name: 'a 403 on the upgrade that is not the proxy attribution stays auth-rejected',
    report: notReachedAfter(
      withLayer(
        behindServe(),
        upgradeLayer({ httpStatus: 403, contentType: 'text/plain', bodyStart: 'Forbidden' }, 'no upgrade: HTTP 403 text/plain "Forbidden"'),
      ),
      'upgrade',
    ),
    id: 'auth-rejected',
    state: 'unhealthy',
    failedLayer: 'upgrade',
    evidence: ['upgrade answered HTTP 403', 'token from OPENCLAW_GATEWAY_TOKEN (set)'],
  },
  {
    name: 'gateway-down-behind-proxy: the front answers 502 with an empty body on /healthz and the upgrade',
    report: frontDown(),
    id: 'gateway-down-behind-proxy',
    state: 'unhealthy',
    failedLayer: 'http',
    evidence: [
      `TCP ${FRONT}:443 connected: the front answers`,
      '/healthz 502 (empty body)',
      'upgrade HTTP 502 (empty body)',
      'the Gateway behind the front does not answer it',
    ],
    todo: ['`curl -fsS http://127.0.0.1:18789/healthz`', '`tailscale serve status`'],
  },
  {
    name: 'gateway-down-behind-proxy: 504 from the front too',
    report: frontDown(504),
    id: 'gateway-down-behind-proxy',
    state: 'unhealthy',
    failedLayer: 'http',
    evidence: [
      `TCP ${FRONT}:443 connected: the front answers`,
      '/healthz 504 (empty body)',
      'upgrade HTTP 504 (empty body)',
      'the Gateway behind the front does not answer it',
    ],
  },
  {
    name: 'a 502 on the upgrade alone, with /healthz answered by the Gateway, is the upgrade path (upgrade-stripped), not a Gateway gone',
    report: notReachedAfter(withLayer(behindServe(), upgradeLayer({ httpStatus: 502 }, 'no upgrade: HTTP 502')), 'upgrade'),
    id: 'upgrade-stripped',
    state: 'unhealthy',
    failedLayer: 'upgrade',
  },
  {
    name: 'gateway-hung: TCP accepted, no HTTP answer within the deadline (not not-openclaw)',
    report: hung(),
    id: 'gateway-hung',
    state: 'unhealthy',
    failedLayer: 'http',
    evidence: [`TCP ${FRONT}:443 connected`, '/healthz: no answer within the HTTP deadline', 'upgrade: no answer within the upgrade deadline'],
    todo: ['`curl -m 5 -fsS http://127.0.0.1:18789/healthz`'],
  },
  {
    name: 'serve-route-missing: the front answers 404 on /healthz',
    report: routeless404(),
    id: 'serve-route-missing',
    state: 'unhealthy',
    failedLayer: 'http',
    evidence: ['/healthz 404 "404 page not found": the front has no route for this path', 'upgrade: no upgrade: HTTP 404 text/plain "404 page not found "'],
    todo: ['`tailscale serve --bg --https=443 http://127.0.0.1:18789`'],
  },
  {
    name: 'a 404 from a plain ws:// port (no front) stays not-openclaw',
    report: routeless404(healthyReport()),
    id: 'not-openclaw',
    state: 'unhealthy',
    failedLayer: 'http',
  },
  {
    name: 'serve-route-missing: TLS answered with alert internal_error (no certificate/route for the name)',
    report: tlsAlert(),
    id: 'serve-route-missing',
    state: 'unhealthy',
    failedLayer: 'http',
    evidence: [
      `TLS to ${NAME}:443 answered with alert internal_error: the front (Serve) has no route for this name`,
      `HTTP /healthz tls (${TLS_ALERT_INTERNAL_ERROR})`,
      `upgrade: tls (${TLS_ALERT_INTERNAL_ERROR})`,
    ],
    notes: [],
  },
  {
    name: 'serve-route-missing by IP literal: Serve answers only for its MagicDNS name',
    report: tlsAlert(
      withLayer(healthyReport({ gateway: { url: `wss://${FRONT}`, host: FRONT, port: 443 } }), {
        layer: 'tcp',
        status: 'ok',
        startMs: 1,
        durationMs: 4,
        summary: 'ok',
        evidence: { address: FRONT, port: 443 },
      }),
    ),
    id: 'serve-route-missing',
    state: 'unhealthy',
    failedLayer: 'http',
    notes: ['the URL names an address: Serve answers only for its MagicDNS name (`wss://<host>.<tailnet>.ts.net`)'],
  },
  {
    name: 'any other TLS failure stays tls-mismatch',
    report: tlsAlert(behindServe(), 'ERR_SSL_WRONG_VERSION_NUMBER'),
    id: 'tls-mismatch',
    state: 'unhealthy',
    failedLayer: 'http',
  },
  {
    name: 'ws-closed-early: close 1000 within milliseconds of connect',
    report: closed1000(12),
    id: 'ws-closed-early',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: [
      "close 1000 (empty reason) before hello-ok after 12 ms: right after connect, not the Gateway's handshake timer (≈15 s)",
      'connect.challenge received, connect sent, no answer to it',
    ],
  },
  {
    name: 'handshake-timeout: close 1000 after ≈ the handshake timeout with no answer',
    report: closed1000(15_004),
    id: 'handshake-timeout',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: [
      "close 1000 (empty reason) before hello-ok after 15004 ms (≈ the Gateway's handshake timer)",
      'connect.challenge received, connect sent, no answer to it',
    ],
  },
  {
    name: 'gateway-degraded right after a start (hello-ok uptime 8 s): information, still healthy',
    report: healthWarn(healthyReport(), { eventLoopDegraded: true, eventLoopDelayP99Ms: 420 }, 'event loop degraded (p99 420 ms)', 8_000),
    id: 'gateway-degraded',
    state: 'healthy',
    failedLayer: undefined,
    severity: 'info',
    evidence: [
      'health: event loop degraded (p99 420 ms)',
      'the Gateway started 8 s ago: a busy event loop right after a start is expected; re-check in a minute',
    ],
  },
  {
    name: 'gateway-degraded right after a start, uptime from /readyz (token-only view without the snapshot)',
    report: withLayer(healthWarn(healthyReport(), { eventLoopDegraded: true, eventLoopDelayP99Ms: 600 }, 'event loop degraded (p99 600 ms)'), {
      ...(healthyReport().layers.find((layer) => layer.layer === 'http') as LayerOf<'http'>),
      evidence: {
        ...(healthyReport().layers.find((layer) => layer.layer === 'http') as LayerOf<'http'>).evidence!,
        readyz: { path: '/readyz', status: 200, json: { ready: true, failing: [], uptimeMs: 4_400 } },
      },
    }),
    id: 'gateway-degraded',
    state: 'healthy',
    failedLayer: undefined,
    severity: 'info',
    evidence: [
      'health: event loop degraded (p99 600 ms)',
      'the Gateway started 4 s ago: a busy event loop right after a start is expected; re-check in a minute',
    ],
  },
  {
    name: 'plugin errors right after a start stay a warning (with the start said)',
    report: healthWarn(healthyReport(), { eventLoopDegraded: true, pluginErrors: ['telegram: bad config'] }, 'event loop degraded · 1 plugin error(s)', 5_000),
    id: 'gateway-degraded',
    state: 'degraded',
    failedLayer: undefined,
    severity: 'warning',
    evidence: [
      'health: event loop degraded · 1 plugin error(s)',
      'the Gateway started 5 s ago: a busy event loop right after a start is expected; re-check in a minute',
    ],
  },
  {
    name: 'a degraded event loop an hour in is the overload warning, no start note',
    report: healthWarn(healthyReport(), { eventLoopDegraded: true, eventLoopDelayP99Ms: 420 }, 'event loop degraded (p99 420 ms)', 3_600_000),
    id: 'gateway-degraded',
    state: 'degraded',
    failedLayer: undefined,
    severity: 'warning',
    evidence: ['health: event loop degraded (p99 420 ms)'],
  },
  {
    name: 'channel-silent from the policy: channel, account and the config path that drops the messages',
    report: policySilent(),
    id: 'channel-silent',
    state: 'degraded',
    failedLayer: undefined,
    evidence: [
      'telegram/default: dmPolicy allowlist with an empty allowFrom (channels.telegram.allowFrom): every DM is dropped; probe failed: fetch failed',
      'telegram/ops: dmPolicy disabled (channels.telegram.accounts.ops.dmPolicy): every DM is ignored',
    ],
    todo: ['fix `channels.<name>.dmPolicy` / `allowFrom`'],
  },
  {
    name: 'auth-none: the Gateway config (config.get) says gateway.auth.mode none',
    report: { ...healthyReport(), gatewayConfig: { source: 'config.get', available: true, authMode: 'none', tokenSource: 'none' } },
    id: 'auth-none',
    ids: ['auth-none'],
    state: 'unhealthy',
    failedLayer: undefined,
    severity: 'critical',
    evidence: ['config.get: gateway.auth.mode is none'],
    todo: ['CRITICAL: keep tokens fully on'],
  },
  {
    name: 'gateway.tailscale.mode funnel (config.get) → public-exposure',
    report: {
      ...healthyReport(),
      gatewayConfig: { source: 'config.get', available: true, tailscaleMode: 'funnel', authMode: 'token', tokenSource: 'redacted' },
    },
    id: 'public-exposure',
    state: 'unhealthy',
    failedLayer: undefined,
    severity: 'critical',
    evidence: ['config.get: gateway.tailscale.mode is funnel: Tailscale Funnel puts the Gateway on the public internet'],
  },
  {
    name: "public-exposure on the Gateway's own port behind Serve (443 closed, 18789 open)",
    report: { ...behindServe(), exposure: exposureOpen(18789), exposureChecks: [exposureOpen(18789), exposureRefused(443)] },
    id: 'public-exposure',
    ids: ['public-exposure'],
    state: 'unhealthy',
    failedLayer: undefined,
    severity: 'critical',
    evidence: ["TCP 203.0.113.10:18789 open on the public address (the Gateway's own port)", 'HTTP 200 (OpenClaw health JSON)'],
  },
  {
    name: 'both ports probed and closed: healthy',
    report: { ...behindServe(), exposure: exposureRefused(18789), exposureChecks: [exposureRefused(18789), exposureRefused(443)] },
    id: undefined,
    ids: [],
    state: 'healthy',
    failedLayer: undefined,
  },
];

describe('diagnose: the Serve-topology rows', () => {
  it('the literal reports are schema-valid', () => {
    for (const { name, report } of cases) {
      const parsed = ProbeReportSchema.safeParse(report);
      expect(parsed.success, `${name}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
    }
  });

  it.each(cases)('$name', ({ report, id, ids, state, failedLayer, severity, evidence, notes, todo }) => {
    const diagnosis = diagnose(report);
    const primary = diagnosis.verdicts[0];
    expect(primary?.id).toBe(id);
    if (ids) expect(diagnosis.verdicts.map((verdict) => verdict.id)).toEqual(ids);
    expect(diagnosis.state).toBe(state);
    expect(diagnosis.failedLayer).toBe(failedLayer);
    if (severity) expect(primary?.severity).toBe(severity);
    if (evidence) expect(primary?.evidence).toEqual(evidence);
    if (notes) expect(primary?.notes).toEqual(notes);
    for (const needle of todo ?? []) expect(primary?.do).toContain(needle);
    for (const verdict of diagnosis.verdicts) expect(`${verdict.see}${verdict.suspect}${verdict.do}`).not.toMatch(/\{\w+\}/);
  });
});

describe("diagnose: the host agent's Serve and config view joined in", () => {
  const host = (extra: Partial<HostEvidenceData>): HostEvidenceData => ({
    agent: { status: 'answered', deadlineMs: 8_000 },
    loopback: { url: 'ws://127.0.0.1:18789', ok: true, serverVersion: GATEWAY_VERSION, summary: `hello-ok ${GATEWAY_VERSION}`, layers: [] },
    ...extra,
  });
  const mismatch = {
    available: true,
    gatewayPort: 18789,
    routes: [
      { hostPort: `${NAME}:443`, mount: '/', target: 'http://127.0.0.1:18790', targetHost: '127.0.0.1', targetPort: 18790, toGateway: false, funnel: false },
    ],
  };

  it('Serve forwards to 18790, the Gateway listens on 18789: both ports in the evidence', () => {
    const diagnosis = diagnose({ ...frontDown(), host: host({ serve: mismatch }) });
    expect(diagnosis.verdicts[0]).toMatchObject({ id: 'gateway-down-behind-proxy' });
    expect(diagnosis.verdicts[0]!.evidence[1]).toBe(`Serve forwards ${NAME}:443 to 127.0.0.1:18790 but the Gateway listens on 18789 (host agent)`);
    expect(diagnosis.verdicts[0]!.notes).toContain(`on its host the Gateway answers: 127.0.0.1:18789 hello-ok ${GATEWAY_VERSION} (host agent)`);
  });

  it('hung from outside: the Gateway answering on its host makes it the path (network-path); failing there too, the Gateway (gateway-down)', () => {
    expect(diagnose({ ...hung(), host: host({}) }).verdicts[0]).toMatchObject({
      id: 'network-path',
      notes: expect.arrayContaining(['from outside alone this read as `gateway-hung`']),
    });
    const failing = host({ loopback: { url: 'ws://127.0.0.1:18789', ok: false, failedLayer: 'http', summary: 'http: /healthz timeout', layers: [] } });
    expect(diagnose({ ...hung(), host: failing }).verdicts[0]).toMatchObject({ id: 'gateway-down', layer: 'host' });
  });

  it('no Serve route at all on the host: said so', () => {
    const diagnosis = diagnose({ ...tlsAlert(), host: host({ serve: { available: true, gatewayPort: 18789, routes: [] } }) });
    expect(diagnosis.verdicts[0]!.evidence[1]).toBe(
      "tailscaled on the host serves nothing to the Gateway's port 18789 (`tailscale serve status` is empty) (host agent)",
    );
  });

  it('proxy-untrusted with the file: no trustedProxies named; a serve mode beside a non-loopback bind noted', () => {
    const config = {
      source: 'file' as const,
      path: '/home/openclaw/.openclaw/openclaw.json',
      available: true,
      tailscaleMode: 'serve',
      bind: 'lan',
      authMode: 'token',
      tokenSource: 'config' as const,
      tokenFingerprint: 'a1b2c3d4e5f6',
    };
    const untrusted = diagnose({ ...proxyUntrusted(), host: host({ gatewayConfig: config }) });
    expect(untrusted.verdicts[0]!.notes).toContain('/home/openclaw/.openclaw/openclaw.json sets no gateway.trustedProxies (host agent)');
    const down = diagnose({ ...frontDown(), host: host({ gatewayConfig: config, serve: mismatch }) });
    expect(down.verdicts[0]!.notes).toContain(
      'gateway.tailscale.mode is serve but gateway.bind is lan: Serve and Funnel need bind loopback (a carried-over bind crash-loops the Gateway)',
    );
  });

  it('Funnel on the Gateway route → public-exposure; auth.mode none on the host → auth-none: both critical', () => {
    const funnel = {
      available: true,
      gatewayPort: 18789,
      routes: [{ ...mismatch.routes[0]!, target: 'http://127.0.0.1:18789', targetPort: 18789, toGateway: true, funnel: true }],
    };
    const diagnosis = diagnose({
      ...healthyReport(),
      host: host({
        serve: funnel,
        gatewayConfig: { source: 'file', path: '/etc/openclaw/openclaw.json', available: true, authMode: 'none', tokenSource: 'none' },
      }),
    });
    expect(diagnosis.state).toBe('unhealthy');
    expect(diagnosis.verdicts.map((verdict) => [verdict.id, verdict.severity])).toEqual([
      ['public-exposure', 'critical'],
      ['auth-none', 'critical'],
    ]);
    expect(diagnosis.verdicts[0]!.evidence).toEqual([
      `(host agent) Funnel is on for ${NAME}:443 → http://127.0.0.1:18789: the Gateway is reachable from the internet`,
    ]);
    expect(diagnosis.verdicts[1]!.evidence).toEqual(['(host agent) /etc/openclaw/openclaw.json: gateway.auth.mode is none']);
  });
});
