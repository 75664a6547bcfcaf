import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { CheckResult } from '../../src/check/checker.js';
import type { ProbeReport } from '../../src/report/report.js';
import { GATEWAY_ADDRESS, GATEWAY_PORT, GATEWAY_VERSION, healthyReport, notReachedAfter, withLayer } from './reports.js';

/**
 * Literal results for the monitoring tests: a gateway healthy, refused, timing out, rejecting the
 * token, unresolvable, or this node offline — at a given time, with a given version and handshake.
 */
export interface At {
  name?: string;
  at?: number;
  version?: string;
  handshakeMs?: number;
}

function base(options: At): ProbeReport {
  const report = healthyReport({ gateway: { name: options.name ?? 'prod' } });
  if (options.at !== undefined) report.startedAt = new Date(options.at).toISOString();
  const version = options.version ?? GATEWAY_VERSION;
  for (const layer of report.layers) {
    if (layer.layer === 'handshake' && layer.evidence) {
      layer.evidence.serverVersion = version;
      if (options.handshakeMs !== undefined) layer.durationMs = options.handshakeMs;
    }
    if (layer.layer === 'status' && layer.evidence) layer.evidence.runtimeVersion = version;
  }
  return report;
}

export function healthy(options: At = {}): ProbeReport {
  return base(options);
}

export function tcpFailure(error: 'refused' | 'timeout' | 'unreachable', options: At = {}): ProbeReport {
  const report = withLayer(base(options), {
    layer: 'tcp',
    status: 'failed',
    startMs: 0.2,
    durationMs: error === 'timeout' ? 3_000 : 1,
    summary: `${GATEWAY_ADDRESS}:${GATEWAY_PORT} ${error}`,
    evidence: {
      address: GATEWAY_ADDRESS,
      port: GATEWAY_PORT,
      error,
      errno: error === 'refused' ? 'ECONNREFUSED' : error === 'timeout' ? 'ETIMEDOUT' : 'EHOSTUNREACH',
    },
  });
  const settled = notReachedAfter(report, 'tcp');
  // The WebSocket and HTTP layers ran in parallel with TCP and failed the same way; the ladder reports them not reached.
  return settled;
}

export function dnsFailure(options: At = {}): ProbeReport {
  const report = withLayer(base(options), {
    layer: 'dns',
    status: 'failed',
    startMs: 0,
    durationMs: 2_000,
    summary: 'gw.example-tailnet.ts.net: ENOTFOUND',
    evidence: { host: 'gw.example-tailnet.ts.net', literal: false, addresses: [], error: 'ENOTFOUND' },
  });
  return notReachedAfter(report, 'dns');
}

export function authRejected(options: At = {}): ProbeReport {
  const message = 'unauthorized: gateway token mismatch';
  return notReachedAfter(
    withLayer(base(options), {
      layer: 'handshake',
      status: 'failed',
      startMs: 10,
      durationMs: 3,
      summary: `INVALID_REQUEST/AUTH_TOKEN_MISMATCH "${message}" · close 1008`,
      evidence: {
        challenge: true,
        scopes: [],
        requestedScopes: ['operator.read'],
        failure: 'rejected',
        serverVersion: options.version ?? GATEWAY_VERSION,
        error: { code: 'INVALID_REQUEST', message, detailsCode: 'AUTH_TOKEN_MISMATCH' },
        close: { code: 1008, reason: message },
      },
    }),
    'handshake',
  );
}

export function botNodeOffline(options: At = {}): ProbeReport {
  const report = withLayer(base(options), {
    layer: 'bot-node',
    status: 'failed',
    startMs: 0,
    durationMs: 2,
    summary: 'Stopped',
    evidence: { backendState: 'Stopped', loggedIn: true, healthWarnings: [] },
  });
  return notReachedAfter(report, 'bot-node');
}

export function resultOf(report: ProbeReport): CheckResult {
  return { report, diagnosis: diagnose(report) };
}
