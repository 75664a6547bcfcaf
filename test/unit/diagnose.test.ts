import { describe, expect, it } from 'vitest';
import { diagnose, type DiagnosisContext } from '../../src/diagnosis/diagnose.js';
import type { Severity, SymptomId } from '../../src/diagnosis/symptom-table.js';
import type { GatewayState } from '../../src/diagnosis/verdict.js';
import { ProbeReportSchema, type EvidenceOf, type LayerName, type ProbeReport } from '../../src/report/report.js';
import {
  CLIENT_DEVICE_ID,
  GATEWAY_ADDRESS,
  GATEWAY_PORT,
  GATEWAY_VERSION,
  healthyReport,
  notReachedAfter,
  settle,
  withLayer,
  withTailnet,
} from '../support/reports.js';

const TS_NET_HOST = 'gw-prod.example-tailnet.ts.net';
const target = `${GATEWAY_ADDRESS}:${GATEWAY_PORT}`;

// ---- Reports as the ladder leaves them for each failure -------------------------------------

/** TCP, HTTP and the upgrade all meet the same network failure; the WebSocket layers are never attempted. */
function tcpDown(report: ProbeReport, kind: 'refused' | 'timeout', address = GATEWAY_ADDRESS): ProbeReport {
  const errno = kind === 'refused' ? 'ECONNREFUSED' : undefined;
  const tcpSummary = kind === 'refused' ? `${address}:${GATEWAY_PORT} refused` : `${address}:${GATEWAY_PORT} timeout after 3000 ms`;
  return settle(
    notReachedAfter(
      withLayer(
        report,
        {
          layer: 'tcp',
          status: 'failed',
          startMs: 0.2,
          durationMs: kind === 'refused' ? 0.6 : 3000,
          summary: tcpSummary,
          evidence: { address, port: GATEWAY_PORT, error: kind, ...(errno ? { errno } : {}) },
        },
        {
          layer: 'http',
          status: 'failed',
          startMs: 0.2,
          durationMs: kind === 'refused' ? 0.9 : 3000,
          summary: `/healthz ${kind}${errno ? ` (${errno})` : ''}`,
          evidence: { healthz: { path: '/healthz', error: kind, ...(errno ? { errno } : {}) }, failing: [] },
        },
        {
          layer: 'upgrade',
          status: 'failed',
          startMs: 0.2,
          durationMs: kind === 'refused' ? 0.8 : 4000,
          summary: `${kind}${errno ? ` (${errno})` : ''}`,
          evidence: { url: report.gateway.url, error: kind, ...(errno ? { errno } : {}) },
        },
      ),
      'upgrade',
    ),
  );
}

type HandshakeInput = Partial<EvidenceOf<'handshake'>>;

/** The upgrade succeeded, the handshake failed; nothing after it was attempted. */
function handshakeFails(report: ProbeReport, evidence: HandshakeInput, summary: string, durationMs = 20): ProbeReport {
  return notReachedAfter(
    withLayer(report, {
      layer: 'handshake',
      status: 'failed',
      startMs: 6.4,
      durationMs,
      summary,
      evidence: { challenge: true, challengeMs: 1.1, offeredProtocol: { min: 4, max: 4 }, scopes: [], requestedScopes: ['operator.read'], ...evidence },
    }),
    'handshake',
  );
}

/** hello-ok arrived, then the connection closed before the RPCs answered. */
function closedAfterHello(report: ProbeReport, code: number, reason: string): ProbeReport {
  const close = { code, reason };
  const summary = (method: string) => `${method}: connection closed ${code}${reason ? ` "${reason}"` : ''}`;
  return settle(
    withLayer(
      report,
      { layer: 'health', status: 'failed', startMs: 45, durationMs: 3, summary: summary('health'), evidence: { method: 'health', close, pluginErrors: [] } },
      { layer: 'status', status: 'failed', startMs: 45, durationMs: 3, summary: summary('status'), evidence: { method: 'status', close } },
      {
        layer: 'channels',
        status: 'failed',
        startMs: 45,
        durationMs: 3,
        summary: summary('channels.status'),
        evidence: { method: 'channels.status', close, channels: [] },
      },
    ),
  );
}

const htmlUpgrade = (report: ProbeReport, status = 200) =>
  notReachedAfter(
    withLayer(report, {
      layer: 'upgrade',
      status: 'failed',
      startMs: 0.2,
      durationMs: 7,
      summary: `no upgrade: HTTP ${status} text/html "<!doctype html><html lang="en">"`,
      evidence: { url: report.gateway.url, httpStatus: status, contentType: 'text/html; charset=utf-8', bodyStart: '<!doctype html><html lang="en">' },
    }),
    'upgrade',
  );

const htmlHealthz = (report: ProbeReport) =>
  withLayer(report, {
    layer: 'http',
    status: 'failed',
    startMs: 0.2,
    durationMs: 9,
    summary: '/healthz status 200 text/html, not the health JSON',
    evidence: {
      healthz: { path: '/healthz', status: 200, contentType: 'text/html; charset=utf-8', bodyStart: '<!doctype html><html lang="en">' },
      readyz: { path: '/readyz', status: 200, contentType: 'text/html; charset=utf-8', bodyStart: '<!doctype html><html lang="en">' },
      live: false,
      failing: [],
    },
  });

/** A token-only remote client: hello-ok with scopes cleared, `status` and `channels.status` refused. */
function tokenOnly(report: ProbeReport, pairing: EvidenceOf<'handshake'>['pairing']): ProbeReport {
  const forbidden = { code: 'FORBIDDEN', message: 'missing scope: operator.read', detailsCode: 'MISSING_SCOPE', missingScope: 'operator.read' };
  return withLayer(
    report,
    {
      layer: 'handshake',
      status: 'ok',
      startMs: 6.4,
      durationMs: 40,
      summary: `hello-ok protocol 4 · ${GATEWAY_VERSION} · scopes []${pairing?.status === 'pending' ? ' · device pairing pending' : ''}`,
      evidence: {
        challenge: true,
        protocol: 4,
        serverVersion: GATEWAY_VERSION,
        authMethod: 'token',
        role: 'operator',
        scopes: [],
        requestedScopes: ['operator.read'],
        pairing,
      },
    },
    {
      layer: 'status',
      status: 'warn',
      startMs: 46,
      durationMs: 2,
      summary: 'status: FORBIDDEN missing scope: operator.read',
      evidence: { method: 'status', error: forbidden },
    },
    {
      layer: 'channels',
      status: 'warn',
      startMs: 46,
      durationMs: 2,
      summary: 'channels.status: FORBIDDEN missing scope: operator.read',
      evidence: { method: 'channels.status', error: forbidden, channels: [] },
    },
  );
}

const publicOpen = { address: '203.0.113.10', port: GATEWAY_PORT, tcp: 'open' as const, httpStatus: 200, openclaw: true, durationMs: 41 };
const tsNet = { url: `ws://${TS_NET_HOST}:${GATEWAY_PORT}`, host: TS_NET_HOST };

// ---- The table --------------------------------------------------------------------------------

interface Case {
  name: string;
  report: ProbeReport;
  context?: DiagnosisContext;
  /** Primary verdict id; undefined: no verdicts. */
  id: SymptomId | undefined;
  state: GatewayState;
  failedLayer: LayerName | undefined;
  /** Substrings each found in some evidence line of the primary verdict. */
  evidence: string[];
  /** Substrings each found in some note of the primary verdict. */
  notes?: string[];
  /** Every verdict id, in order, where the whole set matters. */
  ids?: SymptomId[];
  severity?: Severity;
  /** Substrings of the primary verdict's filled `do` column. */
  todo?: string[];
}

const base = healthyReport();

const cases: Case[] = [
  {
    name: 'healthy: no verdicts',
    report: base,
    id: undefined,
    ids: [],
    state: 'healthy',
    failedLayer: undefined,
    evidence: [],
  },
  {
    name: 'tailnet-port-blocked: TSMP ping ok, TCP times out',
    report: tcpDown(withTailnet(base), 'timeout'),
    id: 'tailnet-port-blocked',
    state: 'unhealthy',
    failedLayer: 'tcp',
    evidence: ['tailscale ping TSMP ok in 11 ms', `TCP ${target} timeout after 3000 ms`],
    todo: [`curl -fsS http://127.0.0.1:${GATEWAY_PORT}/healthz`, `tag:ops → tag:gateway:${GATEWAY_PORT}`],
  },
  {
    name: 'auth-rejected: AUTH_TOKEN_MISMATCH, close 1008',
    report: handshakeFails(
      base,
      {
        failure: 'rejected',
        error: {
          code: 'INVALID_REQUEST',
          message: 'unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)',
          detailsCode: 'AUTH_TOKEN_MISMATCH',
        },
        close: { code: 1008, reason: 'unauthorized: gateway token mismatch' },
      },
      'INVALID_REQUEST/AUTH_TOKEN_MISMATCH "unauthorized: gateway token mismatch" · close 1008',
    ),
    id: 'auth-rejected',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: [
      'error INVALID_REQUEST/AUTH_TOKEN_MISMATCH "unauthorized: gateway token mismatch',
      'close 1008 "unauthorized: gateway token mismatch"',
      'token from OPENCLAW_GATEWAY_TOKEN (set)',
    ],
    todo: ['this node reads it from `OPENCLAW_GATEWAY_TOKEN`'],
  },
  {
    name: 'auth-rejected: DEVICE_IDENTITY_REQUIRED with no token set',
    report: handshakeFails(
      healthyReport({ gateway: { tokenPresent: false }, client: { deviceId: undefined } }),
      {
        failure: 'rejected',
        error: { code: 'NOT_PAIRED', message: 'device identity required', detailsCode: 'DEVICE_IDENTITY_REQUIRED' },
        close: { code: 1008, reason: 'device identity required' },
      },
      'NOT_PAIRED/DEVICE_IDENTITY_REQUIRED "device identity required" · close 1008',
    ),
    id: 'auth-rejected',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: ['DEVICE_IDENTITY_REQUIRED', 'no token sent: OPENCLAW_GATEWAY_TOKEN is not set on this node'],
  },
  {
    name: 'auth-rejected: the upgrade answers HTTP 401',
    report: notReachedAfter(
      withLayer(base, {
        layer: 'upgrade',
        status: 'failed',
        startMs: 0.2,
        durationMs: 5,
        summary: 'no upgrade: HTTP 401 application/json',
        evidence: { url: base.gateway.url, httpStatus: 401, contentType: 'application/json', bodyStart: '{"error":{"message":"Unauthorized"' },
      }),
      'upgrade',
    ),
    id: 'auth-rejected',
    state: 'unhealthy',
    failedLayer: 'upgrade',
    evidence: ['upgrade answered HTTP 401', 'token from OPENCLAW_GATEWAY_TOKEN (set)'],
  },
  {
    name: 'ws-closed-early: closed right after hello-ok, on the health RPC',
    report: closedAfterHello(base, 1006, ''),
    id: 'ws-closed-early',
    state: 'unhealthy',
    failedLayer: 'health',
    evidence: ['close 1006 (empty reason) right after hello-ok, before health answered'],
  },
  {
    name: 'ws-closed-early: closed (not 1000) before hello-ok',
    report: handshakeFails(
      base,
      { failure: 'closed', close: { code: 1006, reason: '' }, closedAfterMs: 30 },
      'close 1006 (empty reason) before hello-ok after 30 ms',
    ),
    id: 'ws-closed-early',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: ['close 1006 (empty reason)'],
  },
  {
    name: 'channel-silent: channels with issues (degraded)',
    report: withLayer(base, {
      layer: 'channels',
      status: 'warn',
      startMs: 45,
      durationMs: 800,
      summary: 'telegram: configured but not running · slack/work: dmPolicy allowlist with an empty allowFrom: every DM is dropped',
      evidence: {
        method: 'channels.status',
        channels: [
          { channel: 'telegram', account: 'default', configured: true, running: false, issues: ['configured but not running'] },
          {
            channel: 'slack',
            account: 'work',
            configured: true,
            running: true,
            connected: true,
            dmPolicy: 'allowlist',
            allowFromCount: 0,
            issues: ['dmPolicy allowlist with an empty allowFrom: every DM is dropped'],
          },
          { channel: 'discord', account: 'default', configured: true, running: true, connected: true, issues: [] },
        ],
      },
    }),
    id: 'channel-silent',
    ids: ['channel-silent'],
    state: 'degraded',
    failedLayer: undefined,
    severity: 'warning',
    evidence: ['telegram/default: configured but not running', 'slack/work: dmPolicy allowlist with an empty allowFrom'],
  },
  {
    name: 'protocol-mismatch: close 1002',
    report: handshakeFails(
      base,
      {
        failure: 'rejected',
        offeredProtocol: { min: 3, max: 3 },
        error: { code: 'PROTOCOL_MISMATCH', message: 'protocol mismatch', expectedProtocol: 4 },
        close: { code: 1002, reason: 'protocol mismatch' },
      },
      'PROTOCOL_MISMATCH "protocol mismatch" · close 1002 "protocol mismatch"',
    ),
    id: 'protocol-mismatch',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: ['error PROTOCOL_MISMATCH "protocol mismatch"', 'close 1002 "protocol mismatch"', 'gateway expects protocol 4', 'clawops offered protocol 3–3'],
  },
  {
    name: 'handshake-timeout: close 1000, empty reason, after the challenge',
    report: handshakeFails(
      base,
      { failure: 'closed', close: { code: 1000, reason: '' }, closedAfterMs: 15_002.4 },
      'close 1000 (empty reason) before hello-ok after 15002 ms',
      15_002,
    ),
    id: 'handshake-timeout',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: ['close 1000 (empty reason) before hello-ok after 15002 ms', 'connect.challenge received, connect sent'],
  },
  {
    name: 'handshake-timeout: our own handshake deadline',
    report: handshakeFails(base, { failure: 'timeout' }, 'no hello-ok within 5000 ms', 5_000),
    id: 'handshake-timeout',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: ['handshake: no hello-ok within 5000 ms'],
  },
  {
    name: 'pairing-required: NOT_PAIRED close 1008 with a request id (blocking)',
    report: handshakeFails(
      base,
      {
        failure: 'rejected',
        error: { code: 'NOT_PAIRED', message: 'pairing required', detailsCode: 'PAIRING_REQUIRED', requestId: 'req-4b1d' },
        close: { code: 1008, reason: 'pairing required' },
        pairing: { status: 'approved' },
      },
      'NOT_PAIRED/PAIRING_REQUIRED "pairing required" · close 1008 "pairing required"',
    ),
    id: 'pairing-required',
    state: 'unhealthy',
    failedLayer: 'handshake',
    severity: 'error',
    evidence: ['error NOT_PAIRED/PAIRING_REQUIRED "pairing required"', 'close 1008 "pairing required"', 'request id req-4b1d'],
    todo: [`this node's device id is \`${CLIENT_DEVICE_ID}\``],
  },
  {
    name: 'pairing-required: pending, fell back to token-only (advisory, degraded)',
    report: tokenOnly(base, { status: 'pending', requestId: 'req-4b1d' }),
    id: 'pairing-required',
    ids: ['pairing-required', 'scope-limited'],
    state: 'degraded',
    failedLayer: undefined,
    severity: 'warning',
    evidence: ['device pairing pending: request id req-4b1d', 'fell back to token-only (health only)'],
  },
  {
    name: 'scope-limited: status FORBIDDEN missing scope (degraded, not failed)',
    report: tokenOnly(base, { status: 'not-used' }),
    id: 'scope-limited',
    ids: ['scope-limited'],
    state: 'degraded',
    failedLayer: undefined,
    severity: 'warning',
    evidence: ['status: FORBIDDEN missing scope: operator.read', 'health checked; status and channels.status not readable'],
  },
  {
    name: 'gateway-starting: UNAVAILABLE, close 1013',
    report: handshakeFails(
      base,
      {
        failure: 'rejected',
        error: { code: 'UNAVAILABLE', message: 'gateway starting; retry shortly', retryable: true, retryAfterMs: 500 },
        close: { code: 1013, reason: 'gateway starting' },
      },
      'UNAVAILABLE "gateway starting; retry shortly" · close 1013 "gateway starting"',
    ),
    id: 'gateway-starting',
    state: 'degraded',
    failedLayer: 'handshake',
    severity: 'warning',
    evidence: ['error UNAVAILABLE "gateway starting; retry shortly"', 'close 1013 "gateway starting"', 'retry after 500 ms'],
  },
  {
    name: 'gateway-starting: /readyz 503 failing startup-sidecars',
    report: settle(
      handshakeFails(
        withLayer(base, {
          layer: 'http',
          status: 'failed',
          startMs: 0.2,
          durationMs: 8,
          summary: '/healthz live · /readyz 503 not ready: startup-sidecars',
          evidence: {
            healthz: { path: '/healthz', status: 200, contentType: 'application/json', json: { ok: true, status: 'live' } },
            readyz: { path: '/readyz', status: 503, contentType: 'application/json', json: { ready: false, failing: ['startup-sidecars'] } },
            live: true,
            ready: false,
            failing: ['startup-sidecars'],
          },
        }),
        {
          failure: 'rejected',
          error: { code: 'UNAVAILABLE', message: 'gateway starting; retry shortly', retryable: true, retryAfterMs: 500 },
          close: { code: 1013, reason: 'gateway starting' },
        },
        'UNAVAILABLE "gateway starting; retry shortly" · close 1013',
      ),
    ),
    id: 'gateway-starting',
    state: 'degraded',
    failedLayer: 'http',
    evidence: ['/readyz 503 failing: startup-sidecars'],
  },
  {
    name: 'gateway-restarting: shutdown event, then close 1012',
    report: handshakeFails(
      base,
      { failure: 'closed', shutdown: { reason: 'service restart', restartExpectedMs: 5_000 }, close: { code: 1012, reason: 'service restart' } },
      'close 1012 "service restart" before hello-ok · shutdown event "service restart"',
    ),
    id: 'gateway-restarting',
    state: 'degraded',
    failedLayer: 'handshake',
    evidence: ['shutdown event "service restart", restart expected in 5000 ms', 'close 1012 "service restart"'],
  },
  {
    name: 'gateway-restarting: close 1012 after hello-ok',
    report: closedAfterHello(base, 1012, 'service restart'),
    id: 'gateway-restarting',
    state: 'degraded',
    failedLayer: 'health',
    evidence: ['close 1012 "service restart"', 'after hello-ok'],
  },
  {
    name: 'token-rotated: close 4001 while connected',
    report: closedAfterHello(base, 4001, 'gateway auth changed'),
    id: 'token-rotated',
    state: 'unhealthy',
    failedLayer: 'health',
    evidence: ['close 4001 "gateway auth changed"', 'after hello-ok'],
    todo: ["update the client's token (`OPENCLAW_GATEWAY_TOKEN` on this node)"],
  },
  {
    name: 'token-rotated: close 4001 during the handshake',
    report: handshakeFails(
      base,
      { failure: 'closed', close: { code: 4001, reason: 'gateway auth changed' } },
      'close 4001 "gateway auth changed" before hello-ok',
    ),
    id: 'token-rotated',
    state: 'unhealthy',
    failedLayer: 'handshake',
    evidence: ['close 4001 "gateway auth changed"'],
  },
  {
    name: 'refused: nothing listens',
    report: tcpDown(base, 'refused'),
    id: 'refused',
    ids: ['refused'],
    state: 'unhealthy',
    failedLayer: 'tcp',
    evidence: [`TCP ${target} refused`],
    todo: [`lsof -nP -iTCP:${GATEWAY_PORT} -sTCP:LISTEN`],
  },
  {
    name: 'refused over the tailnet (path ok): loopback bind / Serve note',
    report: tcpDown(withTailnet(base), 'refused'),
    id: 'refused',
    state: 'unhealthy',
    failedLayer: 'tcp',
    evidence: [`TCP ${target} refused`, 'tailscale ping ok (TSMP): the host answered, nothing listens on its tailnet address'],
    notes: ['bound to loopback without Tailscale Serve or a tailnet bind'],
  },
  {
    name: 'timeout: TCP times out, no tailnet evidence',
    report: tcpDown(base, 'timeout'),
    id: 'timeout',
    state: 'unhealthy',
    failedLayer: 'tcp',
    evidence: [`TCP ${target} timeout after 3000 ms`],
  },
  {
    name: 'upgrade-stripped: /healthz JSON live, upgrade answered 200 HTML',
    report: htmlUpgrade(base),
    id: 'upgrade-stripped',
    state: 'unhealthy',
    failedLayer: 'upgrade',
    evidence: ['HTTP /healthz live · /readyz ready', 'upgrade: no upgrade: HTTP 200 text/html'],
  },
  {
    name: 'upgrade-stripped: upgrade answered 426',
    report: htmlUpgrade(base, 426),
    id: 'upgrade-stripped',
    state: 'unhealthy',
    failedLayer: 'upgrade',
    evidence: ['upgrade: no upgrade: HTTP 426'],
  },
  {
    name: 'tls-mismatch: wss:// against a plain port',
    report: settle(
      notReachedAfter(
        withLayer(
          healthyReport({ gateway: { url: `wss://${GATEWAY_ADDRESS}:${GATEWAY_PORT}` } }),
          {
            layer: 'http',
            status: 'failed',
            startMs: 0.2,
            durationMs: 3,
            summary: '/healthz tls (ERR_SSL_WRONG_VERSION_NUMBER)',
            evidence: { healthz: { path: '/healthz', error: 'tls', errno: 'ERR_SSL_WRONG_VERSION_NUMBER' }, failing: [] },
          },
          {
            layer: 'upgrade',
            status: 'failed',
            startMs: 0.2,
            durationMs: 3,
            summary: 'tls (ERR_SSL_WRONG_VERSION_NUMBER)',
            evidence: { url: `wss://${GATEWAY_ADDRESS}:${GATEWAY_PORT}`, error: 'tls', errno: 'ERR_SSL_WRONG_VERSION_NUMBER' },
          },
        ),
        'upgrade',
      ),
    ),
    id: 'tls-mismatch',
    state: 'unhealthy',
    failedLayer: 'http',
    evidence: ['HTTP /healthz tls (ERR_SSL_WRONG_VERSION_NUMBER)', 'URL scheme wss://'],
  },
  {
    name: 'not-openclaw: HTML on /healthz and a 200 HTML upgrade',
    report: settle(htmlUpgrade(htmlHealthz(base))),
    id: 'not-openclaw',
    state: 'unhealthy',
    failedLayer: 'http',
    // The upgrade comes after the failed HTTP layer: shown as not reached, its evidence kept.
    evidence: ['HTTP /healthz status 200 text/html, not the health JSON', 'upgrade: not reached (no upgrade: HTTP 200 text/html'],
  },
  {
    name: 'not-openclaw: garbage frames (protocol violation)',
    report: settle(
      handshakeFails(
        withLayer(base, {
          layer: 'http',
          status: 'failed',
          startMs: 0.2,
          durationMs: 4,
          summary: '/healthz status 404 text/plain, not the health JSON',
          evidence: { healthz: { path: '/healthz', status: 404, contentType: 'text/plain', bodyStart: 'Not Found' }, live: false, failing: [] },
        }),
        { challenge: false, failure: 'protocol-violation', protocolViolation: 'non-JSON text frame "hello"' },
        'protocol violation: non-JSON text frame "hello"',
      ),
    ),
    id: 'not-openclaw',
    state: 'unhealthy',
    failedLayer: 'http',
    evidence: ['HTTP /healthz status 404 text/plain', 'handshake: not reached (protocol violation: non-JSON text frame "hello")'],
  },
  {
    name: 'not-openclaw (warning): HTML on /healthz while the WebSocket works',
    report: htmlHealthz(base),
    id: 'not-openclaw',
    state: 'degraded',
    failedLayer: 'http',
    severity: 'warning',
    evidence: ['http: /healthz status 200 text/html', 'the WebSocket handshake works'],
  },
  {
    name: 'dns-fail: the MagicDNS name does not resolve',
    report: notReachedAfter(
      withLayer(healthyReport({ gateway: tsNet }), {
        layer: 'dns',
        status: 'failed',
        startMs: 0,
        durationMs: 12,
        summary: `${TS_NET_HOST} ENOTFOUND`,
        evidence: { host: TS_NET_HOST, literal: false, addresses: [], error: 'ENOTFOUND' },
      }),
      'dns',
    ),
    id: 'dns-fail',
    state: 'unhealthy',
    failedLayer: 'dns',
    evidence: [`DNS ${TS_NET_HOST} ENOTFOUND`],
  },
  {
    name: 'dns-hijack: a ts.net name resolves outside the tailnet',
    report: tcpDown(
      withLayer(healthyReport({ gateway: tsNet }), {
        layer: 'dns',
        status: 'ok',
        startMs: 0,
        durationMs: 9,
        summary: `${TS_NET_HOST} → 203.0.113.7`,
        evidence: {
          host: TS_NET_HOST,
          literal: false,
          addresses: ['203.0.113.7'],
          split: { system: ['203.0.113.7'], magicDns: [GATEWAY_ADDRESS], outsideTailnet: ['203.0.113.7'], disagree: true },
        },
      }),
      'timeout',
      '203.0.113.7',
    ),
    id: 'dns-hijack',
    state: 'unhealthy',
    failedLayer: 'tcp',
    evidence: [
      `system resolver: ${TS_NET_HOST} → 203.0.113.7`,
      `100.100.100.100: ${TS_NET_HOST} → ${GATEWAY_ADDRESS}`,
      'outside the tailnet ranges: 203.0.113.7',
    ],
    todo: [`dig @100.100.100.100 ${TS_NET_HOST}`],
  },
  {
    name: 'peer-offline: the gateway node is offline',
    report: tcpDown(
      notReachedAfter(
        withLayer(withTailnet(base), {
          layer: 'peer',
          status: 'failed',
          startMs: 0.2,
          durationMs: 1,
          summary: 'gw-prod offline',
          evidence: {
            query: GATEWAY_ADDRESS,
            inNetmap: true,
            hostName: 'gw-prod',
            dnsName: 'gw-prod.example-tailnet.ts.net.',
            tailscaleIPs: [GATEWAY_ADDRESS],
            online: false,
            tags: [],
            lastSeen: '2026-11-20T08:12:00Z',
          },
        }),
        'peer',
      ),
      'timeout',
    ),
    id: 'peer-offline',
    state: 'unhealthy',
    failedLayer: 'peer',
    evidence: ['peer gw-prod.example-tailnet.ts.net.: offline, last seen 2026-11-20T08:12:00Z'],
  },
  {
    name: 'peer-offline: not in the netmap',
    report: notReachedAfter(
      withLayer(withTailnet(base), {
        layer: 'peer',
        status: 'failed',
        startMs: 0.2,
        durationMs: 1,
        summary: `${GATEWAY_ADDRESS} not in netmap`,
        evidence: { query: GATEWAY_ADDRESS, inNetmap: false, tailscaleIPs: [], tags: [] },
      }),
      'peer',
    ),
    id: 'peer-offline',
    state: 'unhealthy',
    failedLayer: 'peer',
    evidence: [`${GATEWAY_ADDRESS} is not in this node's netmap`],
    notes: ['not in your netmap: an ACL hides it or the name is wrong'],
  },
  {
    name: 'relayed-path: tailscale ping via DERP',
    report: withLayer(withTailnet(base), {
      layer: 'path',
      status: 'warn',
      startMs: 2,
      durationMs: 190,
      summary: 'relayed via DERP fra · 180 ms',
      evidence: {
        ip: GATEWAY_ADDRESS,
        disco: { ok: true, latencyMs: 180, derpRegion: 'fra' },
        tsmp: { ok: true, latencyMs: 175 },
        direct: false,
        relayThresholdMs: 100,
      },
    }),
    id: 'relayed-path',
    ids: ['relayed-path'],
    state: 'degraded',
    failedLayer: undefined,
    evidence: ['tailscale ping via DERP fra in 180 ms (threshold 100 ms)'],
  },
  {
    name: 'bot-node-offline: suppresses every other verdict except public-exposure',
    report: withLayer(
      healthyReport({ gateway: { expectedVersion: '2026.9.5' }, exposure: publicOpen }),
      {
        layer: 'bot-node',
        status: 'failed',
        startMs: 0,
        durationMs: 3,
        summary: 'BackendState Stopped',
        evidence: { backendState: 'Stopped', loggedIn: true, healthWarnings: ['Tailscale is stopped.'] },
      },
      {
        layer: 'health',
        status: 'warn',
        startMs: 45,
        durationMs: 12,
        summary: 'event loop degraded (p99 420 ms)',
        evidence: { method: 'health', ok: true, eventLoopDegraded: true, eventLoopDelayP99Ms: 420, pluginErrors: [] },
      },
      {
        layer: 'channels',
        status: 'warn',
        startMs: 45,
        durationMs: 300,
        summary: 'telegram: configured but not running',
        evidence: {
          method: 'channels.status',
          channels: [{ channel: 'telegram', account: 'default', configured: true, running: false, issues: ['configured but not running'] }],
        },
      },
    ),
    id: 'bot-node-offline',
    ids: ['bot-node-offline', 'public-exposure'],
    state: 'unhealthy',
    failedLayer: 'bot-node',
    severity: 'critical',
    evidence: ['tailscaled on this node: BackendState Stopped', 'BackendState Stopped', 'Tailscale is stopped.'],
  },
  {
    name: 'bot-node-offline: before a TCP timeout that would read as a blocked port',
    report: tcpDown(
      notReachedAfter(
        withLayer(base, {
          layer: 'bot-node',
          status: 'failed',
          startMs: 0,
          durationMs: 3,
          summary: 'not logged in',
          evidence: { backendState: 'NeedsLogin', loggedIn: false, healthWarnings: [] },
        }),
        'dns',
      ),
      'timeout',
    ),
    id: 'bot-node-offline',
    ids: ['bot-node-offline'],
    state: 'unhealthy',
    failedLayer: 'bot-node',
    evidence: ['BackendState NeedsLogin'],
  },
  {
    name: 'public-exposure: critical even when everything else is fine',
    report: healthyReport({ exposure: publicOpen }),
    id: 'public-exposure',
    ids: ['public-exposure'],
    state: 'unhealthy',
    failedLayer: undefined,
    severity: 'critical',
    evidence: [`TCP 203.0.113.10:${GATEWAY_PORT} open on the public address`, 'HTTP 200 (OpenClaw health JSON)'],
    todo: ['CRITICAL: set `gateway.bind: loopback`'],
  },
  {
    name: 'exposure probed and closed: healthy',
    report: healthyReport({ exposure: { ...publicOpen, tcp: 'refused', httpStatus: undefined, openclaw: undefined } }),
    id: undefined,
    ids: [],
    state: 'healthy',
    failedLayer: undefined,
    evidence: [],
  },
  {
    name: 'version-changed: running differs from the expected version (warning)',
    report: healthyReport({ gateway: { expectedVersion: '2026.9.5' } }),
    id: 'version-changed',
    ids: ['version-changed'],
    state: 'degraded',
    failedLayer: undefined,
    severity: 'warning',
    evidence: [`running ${GATEWAY_VERSION}, expected 2026.9.5`],
  },
  {
    name: 'version-changed: differs from the last known good (info, still healthy)',
    report: healthyReport({ gateway: { lastKnownGoodVersion: '2026.9.5' } }),
    id: 'version-changed',
    ids: ['version-changed'],
    state: 'healthy',
    failedLayer: undefined,
    severity: 'info',
    evidence: [`running ${GATEWAY_VERSION}, last known good 2026.9.5`],
  },
  {
    name: 'gateway-degraded: health warns, event loop degraded',
    report: withLayer(base, {
      layer: 'health',
      status: 'warn',
      startMs: 45,
      durationMs: 12,
      summary: 'event loop degraded (p99 420 ms)',
      evidence: { method: 'health', ok: true, eventLoopDegraded: true, eventLoopDelayP99Ms: 420, pluginErrors: [] },
    }),
    id: 'gateway-degraded',
    ids: ['gateway-degraded'],
    state: 'degraded',
    failedLayer: undefined,
    severity: 'warning',
    evidence: ['health: event loop degraded (p99 420 ms)'],
  },
  {
    name: 'gateway-degraded: slow handshake above slowHandshakeMs',
    report: withLayer(base, {
      ...(base.layers.find((layer) => layer.layer === 'handshake') as Extract<ProbeReport['layers'][number], { layer: 'handshake' }>),
      durationMs: 3_500,
    }),
    id: 'gateway-degraded',
    state: 'degraded',
    failedLayer: undefined,
    evidence: ['handshake took 3500 ms (> 2000 ms)'],
  },
  {
    name: 'gateway-degraded (error): health ok:false',
    report: settle(
      withLayer(base, {
        layer: 'health',
        status: 'failed',
        startMs: 45,
        durationMs: 12,
        summary: 'health ok:false',
        evidence: { method: 'health', ok: false, pluginErrors: [] },
      }),
    ),
    id: 'gateway-degraded',
    state: 'unhealthy',
    failedLayer: 'health',
    severity: 'error',
    evidence: ['health: health ok:false'],
  },
  {
    name: 'gateway-degraded (error): the health RPC does not answer',
    report: settle(
      withLayer(base, {
        layer: 'health',
        status: 'failed',
        startMs: 45,
        durationMs: 5_000,
        summary: 'health: no answer within 5000 ms',
        evidence: { method: 'health', timedOut: true, pluginErrors: [] },
      }),
    ),
    id: 'gateway-degraded',
    state: 'unhealthy',
    failedLayer: 'health',
    severity: 'error',
    evidence: ['health: health: no answer within 5000 ms'],
  },
  {
    name: 'unexplained failure: status fails with an internal error',
    report: withLayer(base, {
      layer: 'status',
      status: 'failed',
      startMs: 45,
      durationMs: 5,
      summary: 'status: INTERNAL',
      evidence: { method: 'status', error: { code: 'INTERNAL', message: 'boom' } },
    }),
    id: 'gateway-degraded',
    state: 'unhealthy',
    failedLayer: 'status',
    severity: 'error',
    evidence: ['status: status: INTERNAL'],
  },
];

const allText = (diagnosis: ReturnType<typeof diagnose>) =>
  diagnosis.verdicts.flatMap((verdict) => [verdict.title, verdict.see, verdict.suspect, verdict.do, ...verdict.evidence, ...verdict.notes]);

describe('diagnose: the symptom table, row by row', () => {
  it('the report builder produces schema-valid reports', () => {
    expect(ProbeReportSchema.parse(healthyReport())).toEqual(healthyReport());
    for (const { name, report } of cases) {
      const parsed = ProbeReportSchema.safeParse(report);
      expect(parsed.success, `${name}: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
    }
  });

  it.each(cases)('$name', ({ report, context, id, ids, state, failedLayer, evidence, notes, severity, todo }) => {
    const diagnosis = diagnose(report, context);
    const primary = diagnosis.verdicts[0];
    expect(primary?.id).toBe(id);
    if (ids) expect(diagnosis.verdicts.map((verdict) => verdict.id)).toEqual(ids);
    expect(diagnosis.state).toBe(state);
    expect(diagnosis.failedLayer).toBe(failedLayer);
    if (severity) expect(primary?.severity).toBe(severity);
    for (const needle of evidence)
      expect(
        primary?.evidence.some((line) => line.includes(needle)),
        `evidence ${JSON.stringify(needle)} in ${JSON.stringify(primary?.evidence)}`,
      ).toBe(true);
    for (const needle of notes ?? [])
      expect(
        primary?.notes.some((line) => line.includes(needle)),
        `note ${JSON.stringify(needle)} in ${JSON.stringify(primary?.notes)}`,
      ).toBe(true);
    for (const needle of todo ?? []) expect(primary?.do).toContain(needle);
    // Every verdict text has its placeholders filled.
    for (const text of allText(diagnosis)) expect(text).not.toMatch(/\{(port|host|tokenEnv|deviceId)\}/);
    for (const verdict of diagnosis.verdicts) expect(`${verdict.see}${verdict.suspect}${verdict.do}`).not.toContain('{');
  });

  it('covers every row the ladder layers can produce', () => {
    const produced = new Set(cases.flatMap(({ report, context }) => diagnose(report, context).verdicts.map((verdict) => verdict.id)));
    const hostOrPolicyOnly = new Set<SymptomId>(['bind-not-loopback', 'acl-too-broad', 'unit-token-drift']);
    const expected = [
      'tailnet-port-blocked',
      'auth-rejected',
      'ws-closed-early',
      'channel-silent',
      'protocol-mismatch',
      'handshake-timeout',
      'pairing-required',
      'scope-limited',
      'gateway-starting',
      'gateway-restarting',
      'token-rotated',
      'refused',
      'timeout',
      'upgrade-stripped',
      'tls-mismatch',
      'not-openclaw',
      'dns-fail',
      'dns-hijack',
      'peer-offline',
      'relayed-path',
      'bot-node-offline',
      'public-exposure',
      'version-changed',
      'gateway-degraded',
    ] satisfies SymptomId[];
    expect([...produced].sort()).toEqual([...expected].sort());
    for (const id of hostOrPolicyOnly) expect(produced.has(id)).toBe(false);
  });

  it('healthy: the headline names the running version', () => {
    const diagnosis = diagnose(healthyReport());
    expect(diagnosis.headline).toBe(`prod healthy · ${GATEWAY_VERSION} · 262 ms`);
    expect(diagnosis.version).toEqual({ running: GATEWAY_VERSION, expected: undefined, lastKnownGood: undefined });
    expect(diagnosis.suppressed).toBe(false);
  });

  it('unhealthy: the headline names the primary verdict and its first evidence', () => {
    expect(diagnose(tcpDown(base, 'refused')).headline).toBe(`prod UNHEALTHY: refused — TCP ${target} refused`);
    expect(diagnose(healthyReport({ gateway: { expectedVersion: '2026.9.5' } })).headline).toBe(
      `prod degraded: version-changed — running ${GATEWAY_VERSION}, expected 2026.9.5`,
    );
  });

  it('suppressed is set while this node is off the tailnet', () => {
    const report = cases.find((entry) => entry.id === 'bot-node-offline')!.report;
    expect(diagnose(report).suppressed).toBe(true);
  });
});

describe('diagnose: priority', () => {
  it('the primary verdict is the first failed layer’s, even when later layers failed too', () => {
    // Overlapped layers: TCP refused and (unsettled) a handshake failure; TCP comes first in the ladder.
    const report = handshakeFails(
      tcpDown(base, 'refused'),
      {
        failure: 'rejected',
        error: { code: 'INVALID_REQUEST', message: 'unauthorized: gateway token mismatch', detailsCode: 'AUTH_TOKEN_MISMATCH' },
        close: { code: 1008, reason: 'unauthorized' },
      },
      'rejected',
    );
    const diagnosis = diagnose(report);
    expect(diagnosis.failedLayer).toBe('tcp');
    expect(diagnosis.verdicts.map((verdict) => verdict.id)).toEqual(['refused']);
  });

  it('a blocking verdict stays first; advisory ones follow by severity', () => {
    const report = tcpDown(healthyReport({ gateway: { lastKnownGoodVersion: '2026.9.5' }, exposure: publicOpen }), 'refused');
    const diagnosis = diagnose(report);
    expect(diagnosis.verdicts.map((verdict) => [verdict.id, verdict.severity])).toEqual([
      ['refused', 'error'],
      ['public-exposure', 'critical'],
    ]);
  });

  it('advisory verdicts are ordered critical → warning → info after the primary', () => {
    const report = withLayer(healthyReport({ gateway: { lastKnownGoodVersion: '2026.9.5' }, exposure: publicOpen }), {
      layer: 'health',
      status: 'warn',
      startMs: 45,
      durationMs: 12,
      summary: 'model runtime degraded',
      evidence: { method: 'health', ok: true, modelRuntimeDegraded: true, pluginErrors: [] },
    });
    expect(diagnose(report).verdicts.map((verdict) => verdict.id)).toEqual(['public-exposure', 'gateway-degraded', 'version-changed']);
  });
});

describe('diagnose: causal notes', () => {
  const closedEarly = closedAfterHello(healthyReport({ gateway: { lastKnownGoodVersion: '2026.9.5' } }), 1006, '');

  it('a version change during a failure adds the roll back / bisect note', () => {
    const primary = diagnose(closedEarly).verdicts[0]!;
    expect(primary.id).toBe('ws-closed-early');
    expect(primary.notes).toContain(
      `the failure began with a version change 2026.9.5 → ${GATEWAY_VERSION}: read the release notes, roll back to the last known good build (2026.9.5) and bisect`,
    );
  });

  it('a version change recorded by history (context) adds the same note', () => {
    const primary = diagnose(closedAfterHello(base, 1006, ''), { versionChange: { from: '2026.8.30', to: GATEWAY_VERSION } }).verdicts[0]!;
    expect(primary.notes.some((note) => note.includes('roll back to the last known good build (2026.8.30) and bisect'))).toBe(true);
  });

  it('no version note without a change, nor on a healthy gateway', () => {
    expect(diagnose(closedAfterHello(base, 1006, '')).verdicts[0]!.notes).toEqual([]);
    const healthy = diagnose(healthyReport({ gateway: { lastKnownGoodVersion: '2026.9.5' } }));
    expect(healthy.state).toBe('healthy');
    expect(healthy.verdicts.flatMap((verdict) => verdict.notes)).toEqual([]);
  });

  const authRejected = cases.find((entry) => entry.name.startsWith('auth-rejected: AUTH_TOKEN_MISMATCH'))!.report;

  it('a recent token rotation is named first on auth-rejected', () => {
    const hours = diagnose(authRejected, { tokenRotatedHoursAgo: 3 }).verdicts[0]!;
    expect(hours.id).toBe('auth-rejected');
    expect(hours.notes[0]).toBe("the token was rotated 3 h ago (offboarding): update this client's token in OPENCLAW_GATEWAY_TOKEN");
    const minutes = diagnose(authRejected, { tokenRotatedHoursAgo: 0.25 }).verdicts[0]!;
    expect(minutes.notes[0]).toContain('the token was rotated 15 min ago');
  });

  it('the rotation note also goes on token-rotated, and not on unrelated verdicts', () => {
    const rotated = diagnose(closedAfterHello(base, 4001, 'gateway auth changed'), { tokenRotatedHoursAgo: 2 }).verdicts[0]!;
    expect(rotated.notes[0]).toContain('the token was rotated 2 h ago');
    const refused = diagnose(tcpDown(base, 'refused'), { tokenRotatedHoursAgo: 2 }).verdicts[0]!;
    expect(refused.notes.join(' ')).not.toContain('rotated');
  });
});

describe('diagnose: no secrets', () => {
  it('neither the report nor the diagnosis carries a token value', () => {
    const allowed = new Set(['tokenEnv', 'tokenPresent', 'deviceTokenIssued']);
    for (const { report, context } of cases) {
      const json = JSON.stringify({ report, diagnosis: diagnose(report, context) });
      const tokenKeys = [...json.matchAll(/"(\w*token\w*)"\s*:/gi)].map((match) => match[1]!);
      for (const key of tokenKeys) expect(allowed.has(key), `unexpected key ${key}`).toBe(true);
      expect(json).not.toMatch(/Bearer\s/);
    }
  });
});
