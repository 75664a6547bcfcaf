import { isIP } from 'node:net';
import type { EvidenceOf, ProbeReport } from '../report/report.js';
import { layerOf } from '../report/layer-order.js';
import { TLS_ALERT_INTERNAL_ERROR } from '../report/net-error.js';
import { decodeClose, type CloseKind } from '../openclaw/close-codes.js';
import { payloadRefused } from './payload-rules.js';
import { portBlockedCause } from './port-blocked.js';
import type { Rule } from './finding.js';

export type { Finding } from './finding.js';

const q = (text: string) => JSON.stringify(text);
const closeText = (close: { code: number; reason: string } | undefined) =>
  close ? `close ${close.code}${close.reason ? ` ${q(close.reason)}` : ' (empty reason)'}` : undefined;
const errorText = (error: EvidenceOf<'handshake'>['error']) =>
  error ? `error ${error.code}${error.detailsCode ? `/${error.detailsCode}` : ''} ${q(error.message.slice(0, 160))}` : undefined;
/** A close, decoded by the one table of what each code means (openclaw/close-codes.ts). PURE. */
function closeKindOf(
  close: { code: number; reason: string },
  context: { beforeHello: boolean; error?: { code: string; detailsCode?: string } | undefined },
): CloseKind {
  return decodeClose({
    code: close.code,
    reason: close.reason,
    beforeHello: context.beforeHello,
    ...(context.error ? { errorCode: context.error.code } : {}),
    ...(context.error?.detailsCode !== undefined ? { detailsCode: context.error.detailsCode } : {}),
  }).kind;
}
const compact = (items: Array<string | undefined>) => items.filter((item): item is string => item !== undefined);

function tcpTarget(report: ProbeReport): string {
  const tcp = layerOf(report, 'tcp')?.evidence;
  const address = tcp?.address ?? report.gateway.host;
  return `${address.includes(':') ? `[${address}]` : address}:${report.gateway.port}`;
}

export function runningVersion(report: ProbeReport): string | undefined {
  return (
    layerOf(report, 'handshake')?.evidence?.serverVersion ??
    layerOf(report, 'status')?.evidence?.runtimeVersion ??
    layerOf(report, 'http')?.evidence?.version ??
    // The host agent's hello-ok on loopback, when the view from outside never got that far.
    report.host?.loopback?.serverVersion
  );
}

const botNodeOffline: Rule = (report) => {
  const layer = layerOf(report, 'bot-node');
  if (layer?.status !== 'failed') return undefined;
  const e = layer.evidence;
  return {
    id: 'bot-node-offline',
    blocking: true,
    layer: 'bot-node',
    evidence: compact([
      `tailscaled on this node: ${layer.summary}`,
      e?.backendState ? `BackendState ${e.backendState}` : undefined,
      ...(e?.healthWarnings ?? []).slice(0, 3),
    ]),
  };
};

const dnsRules: Rule = (report) => {
  const layer = layerOf(report, 'dns');
  const e = layer?.evidence;
  if (!layer || !e) return undefined;
  if (e.split && (e.split.outsideTailnet.length > 0 || e.split.disagree)) {
    const split = e.split;
    // A short name: show which name each side answered for (the search domain that captured it).
    const systemName = split.systemName && split.systemName !== e.host ? `${e.host} → ${split.systemName}` : e.host;
    const searched = split.searchDomains ? ` (search ${split.searchDomains.join(' ') || 'none'})` : '';
    const captured = split.systemName && split.magicDnsName && split.systemName !== split.magicDnsName;
    return {
      id: 'dns-hijack',
      blocking: true,
      layer: 'dns',
      evidence: compact([
        `system resolver${searched}: ${systemName} → ${split.system.join(', ') || split.systemError || 'no answer'}`,
        `100.100.100.100: ${split.magicDnsName ?? e.host} → ${split.magicDns.join(', ') || split.magicDnsError || 'no answer'}`,
        split.outsideTailnet.length ? `outside the tailnet ranges: ${split.outsideTailnet.join(', ')}` : undefined,
      ]),
      ...(captured
        ? {
            notes: [
              `the search domain ${split.systemName!.slice(e.host.length + 1)} answers for ${e.host} before the tailnet's ${split.magicDnsName!.slice(e.host.length + 1)}: use the full name ${split.magicDnsName} in the URL, or put the tailnet's domain first in the search list`,
            ],
            suspect: `the search domain ${split.systemName!.slice(e.host.length + 1)} captures the short name ${e.host}: the system resolver answers ${split.systemName}, not the tailnet node ${split.magicDnsName}`,
          }
        : {}),
    };
  }
  if (layer.status === 'failed') {
    const magicDns = e.magicDns;
    if (magicDns?.enabled === false) {
      return {
        id: 'dns-fail',
        blocking: true,
        layer: 'dns',
        evidence: [`DNS ${layer.summary}`, `MagicDNS is off in the tailnet (${magicDns.source}: magicDNS false)`],
        suspect: 'MagicDNS is turned off for the tailnet: no *.ts.net name resolves, on any node',
        do: 'turn MagicDNS on (admin console → DNS → Enable MagicDNS, or `POST /tailnet/-/dns/preferences {"magicDNS": true}`), or put the node\'s 100.x address in the gateway URL',
      };
    }
    const state = magicDns?.enabled
      ? `MagicDNS is on in the tailnet (${magicDns.source}): the name is wrong, or this node does not use MagicDNS (\`tailscale set --accept-dns\`)`
      : magicDns?.error
        ? `MagicDNS state unknown: ${magicDns.error}`
        : undefined;
    return { id: 'dns-fail', blocking: true, layer: 'dns', evidence: compact([`DNS ${layer.summary}`, state]) };
  }
  return undefined;
};

const peerOffline: Rule = (report) => {
  const layer = layerOf(report, 'peer');
  const e = layer?.evidence;
  if (layer?.status !== 'failed' || !e) return undefined;
  return {
    id: 'peer-offline',
    blocking: true,
    layer: 'peer',
    evidence: compact([
      e.inNetmap
        ? `peer ${e.dnsName ?? e.hostName ?? e.query}: ${e.expired ? 'node key expired' : 'offline'}${e.lastSeen ? `, last seen ${e.lastSeen}` : ''}`
        : `${e.query} is not in this node's netmap: an ACL hides it or the name is wrong`,
    ]),
    notes: e.inNetmap ? [] : ['not in your netmap: an ACL hides it or the name is wrong'],
  };
};

const tcpRules: Rule = (report) => {
  const layer = layerOf(report, 'tcp');
  const e = layer?.evidence;
  if (layer?.status !== 'failed' || !e) return undefined;
  const target = tcpTarget(report);
  const path = layerOf(report, 'path');
  const tsmp = path?.evidence?.tsmp;
  const disco = path?.evidence?.disco;
  if (e.error === 'refused') {
    const overTailnet = path?.status === 'ok' || path?.status === 'warn';
    return {
      id: 'refused',
      blocking: true,
      layer: 'tcp',
      evidence: compact([
        `TCP ${target} refused`,
        overTailnet ? `tailscale ping ok (${tsmp?.ok ? 'TSMP' : 'disco'}): the host answered, nothing listens on its tailnet address` : undefined,
      ]),
      notes: overTailnet ? ['refused over the tailnet: the Gateway is most likely bound to loopback without Tailscale Serve or a tailnet bind'] : [],
    };
  }
  if (e.error === 'timeout' || e.error === 'unreachable') {
    const pingOk = tsmp?.ok || disco?.ok;
    if (pingOk) {
      // ACL or host firewall: the policy for this node and the host's packet filter decide which.
      const cause = portBlockedCause(report);
      return {
        id: 'tailnet-port-blocked',
        blocking: true,
        layer: 'tcp',
        evidence: compact([
          tsmp?.ok
            ? `tailscale ping TSMP ok${tsmp.latencyMs !== undefined ? ` in ${tsmp.latencyMs} ms` : ''} (WireGuard session alive)`
            : `tailscale ping disco ok${disco?.latencyMs !== undefined ? ` in ${disco.latencyMs} ms` : ''}`,
          `TCP ${target} ${layer.summary.replace(/^\S+\s/, '')}`,
          ...cause.evidence,
        ]),
        notes: cause.notes,
        ...(cause.suspect ? { suspect: cause.suspect } : {}),
        ...(cause.do ? { do: cause.do } : {}),
        ...(cause.cause !== 'undecided' ? { decided: true } : {}),
      };
    }
    return { id: 'timeout', blocking: true, layer: 'tcp', evidence: [`TCP ${layer.summary}`] };
  }
  if (e.error === 'tls') return { id: 'tls-mismatch', blocking: true, layer: 'tcp', evidence: [`TCP ${layer.summary}`] };
  return { id: 'timeout', blocking: true, layer: 'tcp', evidence: [`TCP ${layer.summary}`] };
};

/** HTTP health, the upgrade and the handshake together: their evidence explains each other. */
const gatewayRules: Rule = (report) => {
  const http = layerOf(report, 'http');
  const upgrade = layerOf(report, 'upgrade');
  const handshake = layerOf(report, 'handshake');
  const h = http?.evidence;
  const u = upgrade?.evidence;
  const s = handshake?.evidence;
  // What the handshake's close means comes from the one close-code table (openclaw/close-codes.ts).
  const closeKind = s?.close ? closeKindOf(s.close, { beforeHello: true, error: s.error }) : undefined;
  const healthJson = h?.live === true;
  const httpLine = http ? `HTTP ${http.summary}` : undefined;

  // What the upgrade met, even where the ladder shows it as "not reached" after an earlier failure.
  const upgradeLine = upgrade ? `upgrade: ${upgrade.summary.replace(/^not reached \((.*)\)$/, '$1')}` : undefined;
  if (h?.healthz.errno === TLS_ALERT_INTERNAL_ERROR || u?.errno === TLS_ALERT_INTERNAL_ERROR) {
    // Go's crypto/tls (Tailscale Serve) answers a ClientHello for a name it has no certificate and route for so.
    const literal = isIP(report.gateway.host) !== 0;
    return {
      id: 'serve-route-missing',
      blocking: true,
      layer: h?.healthz.errno === TLS_ALERT_INTERNAL_ERROR ? 'http' : 'upgrade',
      evidence: compact([
        `TLS to ${report.gateway.host}:${report.gateway.port} answered with alert internal_error: the front (Serve) has no route for this name`,
        httpLine,
        upgradeLine,
      ]),
      notes: literal ? ['the URL names an address: Serve answers only for its MagicDNS name (`wss://<host>.<tailnet>.ts.net`)'] : [],
    };
  }
  if (h?.healthz.error === 'tls' || u?.error === 'tls') {
    return {
      id: 'tls-mismatch',
      blocking: true,
      layer: 'upgrade',
      evidence: compact([httpLine, upgradeLine, `URL scheme ${new URL(report.gateway.url).protocol}//`]),
    };
  }
  const tcpOk = layerOf(report, 'tcp')?.status === 'ok';
  // A front (Serve, a reverse proxy) answering for a Gateway that is not there: Go's ReverseProxy
  // says 502 with an empty body; the Gateway itself never answers /healthz with 5xx.
  const frontStatus = (status: number | undefined) => status === 502 || status === 503 || status === 504;
  if (tcpOk && ((frontStatus(h?.healthz.status) && !gatewayJson(h?.healthz.json)) || ((u?.httpStatus === 502 || u?.httpStatus === 504) && !healthJson))) {
    return {
      id: 'gateway-down-behind-proxy',
      blocking: true,
      layer: frontStatus(h?.healthz.status) ? 'http' : 'upgrade',
      evidence: compact([
        `TCP ${tcpTarget(report)} connected: the front answers`,
        h?.healthz.status !== undefined ? `/healthz ${endpointText(h.healthz)}` : undefined,
        u?.httpStatus !== undefined ? `upgrade HTTP ${u.httpStatus}${u.bodyStart ? ` ${q(u.bodyStart.slice(0, 60))}` : ' (empty body)'}` : upgradeLine,
        'the Gateway behind the front does not answer it',
      ]),
    };
  }
  if (u?.errorType === 'proxy_attribution_required' || httpErrorType(h?.readyz?.json) === 'proxy_attribution_required') {
    return {
      id: 'proxy-untrusted',
      blocking: true,
      layer: upgrade?.status === 'failed' ? 'upgrade' : 'http',
      evidence: compact([
        u?.httpStatus !== undefined && u.httpStatus !== 101 ? `upgrade answered HTTP ${u.httpStatus}${u.errorType ? ` ${u.errorType}` : ''}` : undefined,
        h?.readyz?.status !== undefined ? `/readyz ${endpointText(h.readyz)}` : undefined,
        h?.healthz.status !== undefined ? `/healthz ${endpointText(h.healthz)}` : undefined,
        `${tokenLine(report)}: not the problem`,
      ]),
    };
  }
  if (tcpOk && h?.healthz.error === 'timeout' && (u?.error === 'timeout' || upgrade?.status !== 'ok')) {
    return {
      id: 'gateway-hung',
      blocking: true,
      layer: 'http',
      evidence: compact([
        `TCP ${tcpTarget(report)} connected`,
        '/healthz: no answer within the HTTP deadline',
        u?.error === 'timeout' ? 'upgrade: no answer within the upgrade deadline' : upgradeLine,
      ]),
    };
  }
  const behindFront = new URL(report.gateway.url).protocol === 'wss:' || /\.ts\.net\.?$/i.test(report.gateway.host);
  if (behindFront && h?.healthz.status === 404 && !gatewayJson(h.healthz.json)) {
    return {
      id: 'serve-route-missing',
      blocking: true,
      layer: 'http',
      evidence: compact([`/healthz ${endpointText(h.healthz)}: the front has no route for this path`, upgradeLine]),
    };
  }
  if (h?.ready === false || s?.error?.code === 'UNAVAILABLE' || closeKind === 'starting') {
    return {
      id: 'gateway-starting',
      blocking: true,
      layer: h?.ready === false ? 'http' : 'handshake',
      evidence: compact([
        h?.ready === false ? `/readyz ${h.readyz?.status ?? ''} failing: ${h.failing.join(', ') || 'unknown'}` : undefined,
        errorText(s?.error),
        closeText(s?.close),
        s?.error?.retryAfterMs ? `retry after ${s.error.retryAfterMs} ms` : undefined,
      ]),
    };
  }
  if (upgrade?.status === 'failed' || upgrade?.status === 'not-reached') {
    if (u?.httpStatus === 401 || u?.httpStatus === 403) {
      return { id: 'auth-rejected', blocking: true, layer: 'upgrade', evidence: compact([`upgrade answered HTTP ${u.httpStatus}`, tokenLine(report)]) };
    }
    if (u?.httpStatus !== undefined && u.httpStatus !== 101) {
      // The upgrade was answered as a plain request: by an OpenClaw (health JSON, or its Control UI
      // HTML) → something in between strips the Upgrade headers; by anything else → wrong target.
      const openclawAnswered = healthJson || h?.healthz.controlUi === true || /openclaw/i.test(u.bodyStart ?? '');
      if (openclawAnswered) return { id: 'upgrade-stripped', blocking: true, layer: 'upgrade', evidence: compact([httpLine, `upgrade: ${upgrade.summary}`]) };
      return {
        id: 'not-openclaw',
        blocking: true,
        layer: http?.status === 'failed' ? 'http' : 'upgrade',
        evidence: compact([httpLine, `upgrade: ${upgrade.summary}`]),
      };
    }
    // A network failure on the upgrade after TCP succeeded (reset, closed): the layer speaks for itself.
    if (u?.error && layerOf(report, 'tcp')?.status === 'ok') {
      return {
        id: healthJson ? 'upgrade-stripped' : 'not-openclaw',
        blocking: true,
        layer: 'upgrade',
        evidence: compact([httpLine, `upgrade: ${upgrade.summary}`]),
      };
    }
    return undefined;
  }
  if (!s || handshake?.status === 'ok' || handshake?.status === 'skipped') {
    return undefined;
  }
  const close = closeText(s.close);
  const error = errorText(s.error);
  const details = s.error?.detailsCode;
  if (s.shutdown || closeKind === 'restarting') {
    return {
      id: 'gateway-restarting',
      blocking: true,
      layer: 'handshake',
      evidence: compact([
        s.shutdown
          ? `shutdown event${s.shutdown.reason ? ` ${q(s.shutdown.reason)}` : ''}${s.shutdown.restartExpectedMs ? `, restart expected in ${s.shutdown.restartExpectedMs} ms` : ''}`
          : undefined,
        close,
      ]),
    };
  }
  if (closeKind === 'auth-changed') return { id: 'token-rotated', blocking: true, layer: 'handshake', evidence: compact([close]) };
  if (s.error?.code === 'PROTOCOL_MISMATCH' || closeKind === 'protocol-mismatch' || closeKind === 'protocol-error') {
    const offered = s.offeredProtocol ? `clawops offered protocol ${s.offeredProtocol.min}–${s.offeredProtocol.max}` : undefined;
    return {
      id: 'protocol-mismatch',
      blocking: true,
      layer: 'handshake',
      evidence: compact([error, close, s.error?.expectedProtocol !== undefined ? `gateway expects protocol ${s.error.expectedProtocol}` : undefined, offered]),
    };
  }
  if (
    details === 'AUTH_TOKEN_MISMATCH' ||
    /token mismatch|unauthori[sz]ed/i.test(s.error?.message ?? '') ||
    (details === 'DEVICE_IDENTITY_REQUIRED' && !report.gateway.tokenPresent)
  ) {
    return { id: 'auth-rejected', blocking: true, layer: 'handshake', evidence: compact([error, close, tokenLine(report)]) };
  }
  if (s.error?.code === 'NOT_PAIRED' || details === 'DEVICE_IDENTITY_REQUIRED' || /pairing required/i.test(s.error?.message ?? '')) {
    return {
      id: 'pairing-required',
      blocking: true,
      layer: 'handshake',
      evidence: compact([error, close, s.error?.requestId ? `request id ${s.error.requestId}` : undefined]),
    };
  }
  if (s.failure === 'protocol-violation' || (s.failure === 'no-challenge' && !healthJson)) {
    return { id: 'not-openclaw', blocking: true, layer: 'handshake', evidence: compact([httpLine, `handshake: ${handshake.summary}`]) };
  }
  if (s.failure === 'closed' && (closeKind === 'handshake-timeout' || closeKind === 'closed-immediately' || closeKind === 'closed-before-hello')) {
    // The timing decides: the Gateway's pre-auth timer fires after its handshake timeout (15 s by
    // default) with no answer; a close within milliseconds of connect is the session shape refused.
    const after = s.closedAfterMs !== undefined ? ` after ${Math.round(s.closedAfterMs)} ms` : '';
    const kind = decodeClose({ code: 1000, beforeHello: true, ...(s.closedAfterMs !== undefined ? { closedAfterMs: s.closedAfterMs } : {}) }).kind;
    if (kind === 'closed-immediately' && s.challenge) {
      return {
        id: 'ws-closed-early',
        blocking: true,
        layer: 'handshake',
        evidence: compact([
          `${close} before hello-ok${after}: right after connect, not the Gateway's handshake timer (≈15 s)`,
          'connect.challenge received, connect sent, no answer to it',
        ]),
      };
    }
    return {
      id: 'handshake-timeout',
      blocking: true,
      layer: 'handshake',
      evidence: compact([
        `${close} before hello-ok${after}${kind === 'handshake-timeout' ? " (≈ the Gateway's handshake timer)" : ''}`,
        s.challenge ? 'connect.challenge received, connect sent, no answer to it' : 'no connect.challenge received',
      ]),
    };
  }
  if (s.failure === 'timeout' || s.failure === 'no-challenge') {
    return { id: 'handshake-timeout', blocking: true, layer: 'handshake', evidence: compact([`handshake: ${handshake.summary}`, httpLine]) };
  }
  if (s.failure === 'closed')
    return { id: 'ws-closed-early', blocking: true, layer: 'handshake', evidence: compact([close ?? 'closed before hello-ok', error]) };
  if (s.failure === 'rejected') return { id: 'ws-closed-early', blocking: true, layer: 'handshake', evidence: compact([error, close]) };
  return undefined;
};

/** The Gateway's own health JSON (`{"ok":…,"status":…}`), as opposed to a front's page. */
function gatewayJson(json: Record<string, unknown> | undefined): boolean {
  return json !== undefined && typeof json.ok === 'boolean' && typeof json.status === 'string';
}

function httpErrorType(json: Record<string, unknown> | undefined): string | undefined {
  const error = json?.error;
  return error && typeof error === 'object' && typeof (error as { type?: unknown }).type === 'string' ? (error as { type: string }).type : undefined;
}

function endpointText(endpoint: EvidenceOf<'http'>['healthz']): string {
  if (endpoint.error) return `${endpoint.error}${endpoint.errno ? ` (${endpoint.errno})` : ''}`;
  const type = httpErrorType(endpoint.json);
  if (type) return `${endpoint.status} ${type}`;
  if (endpoint.json) return `${endpoint.status} ${JSON.stringify(endpoint.json).slice(0, 60)}`;
  return `${endpoint.status}${endpoint.bodyStart?.trim() ? ` ${q(endpoint.bodyStart.trim().slice(0, 60))}` : ' (empty body)'}`;
}

function tokenLine(report: ProbeReport): string {
  return report.gateway.tokenPresent ? `token from ${report.gateway.tokenEnv} (set)` : `no token sent: ${report.gateway.tokenEnv} is not set on this node`;
}

const rpcRules: Rule = (report) => {
  const health = layerOf(report, 'health');
  if (health?.status !== 'failed') return undefined;
  const e = health.evidence;
  if (e?.close) {
    const closeKind = closeKindOf(e.close, { beforeHello: false });
    if (closeKind === 'auth-changed')
      return { id: 'token-rotated', blocking: true, layer: 'health', evidence: compact([closeText(e.close), 'after hello-ok']) };
    if (closeKind === 'restarting')
      return { id: 'gateway-restarting', blocking: true, layer: 'health', evidence: compact([closeText(e.close), 'after hello-ok']) };
    return {
      id: 'ws-closed-early',
      blocking: true,
      layer: 'health',
      evidence: compact([`${closeText(e.close)} right after hello-ok, before health answered`]),
    };
  }
  // health answered ok:false, an error or nothing: a failed layer, not mere degradation (as `unexplained`).
  return { id: 'gateway-degraded', blocking: true, severity: 'error', layer: 'health', evidence: [`health: ${health.summary}`] };
};

const pairingPending: Rule = (report) => {
  const pairing = layerOf(report, 'handshake')?.evidence?.pairing;
  if (pairing?.status !== 'pending') return undefined;
  return {
    id: 'pairing-required',
    blocking: false,
    // The check went on token-only: degraded (health only), not failed as a refused pairing is.
    severity: 'warning',
    layer: 'handshake',
    evidence: compact([`device pairing pending${pairing.requestId ? `: request id ${pairing.requestId}` : ''}`, 'fell back to token-only (health only)']),
  };
};

const scopeLimited: Rule = (report) => {
  const status = layerOf(report, 'status');
  if (status?.status !== 'warn') return undefined;
  const scopes = layerOf(report, 'handshake')?.evidence?.scopes ?? [];
  const missing = status.evidence?.error?.missingScope;
  return {
    id: 'scope-limited',
    blocking: false,
    layer: 'status',
    evidence: compact([
      missing ? `status: FORBIDDEN missing scope: ${missing}` : `granted scopes [${scopes.join(', ')}] lack operator.read`,
      'health checked; status and channels.status not readable',
    ]),
  };
};

/** A fresh Gateway's event loop is busy for seconds (plugins, model catalog): expected, not an overload. */
export const FRESH_START_MS = 60_000;

/** How long the Gateway has run: hello-ok `snapshot.uptimeMs`, else `/readyz` (detailed for loopback/authenticated callers). */
export function gatewayUptimeMs(report: ProbeReport): number | undefined {
  const fromHello = layerOf(report, 'handshake')?.evidence?.uptimeMs;
  if (fromHello !== undefined) return fromHello;
  const readyz = layerOf(report, 'http')?.evidence?.readyz?.json?.uptimeMs;
  return typeof readyz === 'number' ? readyz : undefined;
}

const degraded: Rule = (report) => {
  const health = layerOf(report, 'health');
  const handshake = layerOf(report, 'handshake');
  const slowMs = report.gateway.slowHandshakeMs;
  const evidence = compact([
    health?.status === 'warn' ? `health: ${health.summary}` : undefined,
    handshake?.status === 'ok' && typeof slowMs === 'number' && handshake.durationMs > slowMs
      ? `handshake took ${Math.round(handshake.durationMs)} ms (> ${slowMs} ms)`
      : undefined,
  ]);
  if (!evidence.length) return undefined;
  const uptimeMs = gatewayUptimeMs(report);
  if (uptimeMs === undefined || uptimeMs >= FRESH_START_MS) return { id: 'gateway-degraded', blocking: false, layer: 'health', evidence };
  const e = health?.evidence;
  // Only the start-up kind of degradation is excused: plugin errors and a degraded model runtime stay warnings.
  const startupOnly = !e?.modelRuntimeDegraded && (e?.pluginErrors.length ?? 0) === 0;
  const started = `the Gateway started ${Math.max(1, Math.round(uptimeMs / 1000))} s ago: a busy event loop right after a start is expected; re-check in a minute`;
  return { id: 'gateway-degraded', blocking: false, layer: 'health', evidence: [...evidence, started], ...(startupOnly ? { severity: 'info' as const } : {}) };
};

const channelSilent: Rule = (report) => {
  const channels = layerOf(report, 'channels');
  const silent = channels?.evidence?.channels.filter((channel) => channel.issues.length > 0) ?? [];
  if (silent.length === 0) return undefined;
  return {
    id: 'channel-silent',
    blocking: false,
    layer: 'channels',
    evidence: silent.slice(0, 5).map((channel) => `${channel.channel}/${channel.account ?? 'default'}: ${channel.issues.join('; ')}`),
  };
};

const relayed: Rule = (report) => {
  const path = layerOf(report, 'path');
  if (path?.status !== 'warn' || !path.evidence) return undefined;
  const disco = path.evidence.disco;
  return {
    id: 'relayed-path',
    blocking: false,
    layer: 'path',
    evidence: [`tailscale ping via DERP ${disco?.derpRegion ?? '?'} in ${disco?.latencyMs ?? '?'} ms (threshold ${path.evidence.relayThresholdMs} ms)`],
  };
};

const exposure: Rule = (report) => {
  const open = (report.exposureChecks ?? (report.exposure ? [report.exposure] : [])).filter((check) => check.tcp === 'open');
  if (open.length === 0) return undefined;
  return {
    id: 'public-exposure',
    blocking: false,
    layer: 'exposure',
    evidence: open.flatMap((e) =>
      compact([
        `TCP ${e.address}:${e.port} open on the public address${e.port === report.gateway.gatewayPort ? " (the Gateway's own port)" : ''}`,
        e.httpStatus !== undefined ? `HTTP ${e.httpStatus}${e.openclaw ? ' (OpenClaw health JSON)' : ''}` : undefined,
      ]),
    ),
  };
};

/** The Gateway's own config as `config.get` answered it (a paired client with operator.read). */
const gatewayConfigRisks: Rule = (report) => {
  const config = report.gatewayConfig;
  if (!config?.available) return undefined;
  if (config.authMode === 'none') return { id: 'auth-none', blocking: false, layer: 'status', evidence: ['config.get: gateway.auth.mode is none'] };
  return undefined;
};

const funnelMode: Rule = (report) => {
  const config = report.gatewayConfig;
  if (!config?.available || config.tailscaleMode !== 'funnel') return undefined;
  return {
    id: 'public-exposure',
    blocking: false,
    layer: 'status',
    evidence: ['config.get: gateway.tailscale.mode is funnel: Tailscale Funnel puts the Gateway on the public internet'],
  };
};

const versionChanged: Rule = (report) => {
  const running = runningVersion(report);
  if (!running) return undefined;
  const { expectedVersion, lastKnownGoodVersion } = report.gateway;
  const evidence = compact([
    expectedVersion && running !== expectedVersion ? `running ${running}, expected ${expectedVersion}` : undefined,
    lastKnownGoodVersion && running !== lastKnownGoodVersion ? `running ${running}, last known good ${lastKnownGoodVersion}` : undefined,
  ]);
  // Not matching the pinned expectation is worth a warning; drifting from the last good build is news.
  return evidence.length
    ? { id: 'version-changed', blocking: false, layer: 'version', evidence, severity: expectedVersion && running !== expectedVersion ? 'warning' : 'info' }
    : undefined;
};

/** In ladder order: the first blocking finding is the diagnosis. */
export const BLOCKING_RULES: Rule[] = [botNodeOffline, dnsRules, peerOffline, tcpRules, payloadRefused, gatewayRules, rpcRules];
export const ADVISORY_RULES: Rule[] = [
  exposure,
  funnelMode,
  gatewayConfigRisks,
  pairingPending,
  scopeLimited,
  degraded,
  channelSilent,
  relayed,
  versionChanged,
];
