import type { EvidenceOf, LayerName, LayerResult, ProbeReport } from '../../report/report.js';
import type { AcceptFacts } from './facts.js';

/**
 * The change-ticket acceptance checklist, decided from gathered facts. PURE.
 *
 * Each line is `pass`, `fail`, `unchecked` or `not-applicable`. A line that could not be checked
 * (no host agent, no admin API, no public address configured) says why and what to configure.
 * It is never a pass, and it makes the checklist "not all passed" (exit 1): a change ticket that
 * says "all pass" must mean every line was proven now. `not-applicable` is kept for one case the
 * config decides — no Serve in front (the URL reaches the Gateway's own port directly) — and says so.
 */
export type LineStatus = 'pass' | 'fail' | 'unchecked' | 'not-applicable';

export const LINE_IDS = ['loopback-only', 'tailnet-health', 'public-closed', 'token-auth', 'serve-route', 'acl-ops-only', 'fingerprint'] as const;
export type LineId = (typeof LINE_IDS)[number];

export interface ChecklistLine {
  id: LineId;
  title: string;
  status: LineStatus;
  /** What was seen, values resolved (outside text: renderers escape it). */
  evidence: string[];
  /** fail: what to do · unchecked: what to configure so it can be checked. */
  action?: string;
}

export interface Checklist {
  gateway: string;
  url: string;
  checkedAt: number;
  clientVersion: string;
  lines: ChecklistLine[];
  counts: Record<LineStatus, number>;
  /** Every line passed or does not apply. */
  allPassed: boolean;
}

export function evaluateChecklist(facts: AcceptFacts): Checklist {
  const lines = [
    loopbackOnly(facts),
    tailnetHealth(facts),
    publicClosed(facts),
    tokenAuth(facts),
    serveRoute(facts),
    aclOpsOnly(facts),
    fingerprintRecorded(facts),
  ];
  const counts: Record<LineStatus, number> = { pass: 0, fail: 0, unchecked: 0, 'not-applicable': 0 };
  for (const line of lines) counts[line.status] += 1;
  return {
    gateway: facts.gateway,
    url: facts.url,
    checkedAt: facts.checkedAt,
    clientVersion: facts.report.client.version,
    lines,
    counts,
    allPassed: counts.fail === 0 && counts.unchecked === 0,
  };
}

/** 0 every line passed (or does not apply) · 1 any failed or could not be checked. */
export function exitCodeOf(checklist: Checklist): 0 | 1 {
  return checklist.allPassed ? 0 : 1;
}

export function summaryOf(checklist: Checklist): string {
  const { pass, fail, unchecked } = checklist.counts;
  const applicable = checklist.lines.length - checklist.counts['not-applicable'];
  const parts = [`${pass} of ${applicable} passed`];
  if (fail) parts.push(`${fail} failed`);
  if (unchecked) parts.push(`${unchecked} not checked`);
  if (checklist.counts['not-applicable']) parts.push(`${checklist.counts['not-applicable']} not applicable`);
  return `${checklist.allPassed ? 'ALL PASSED' : 'NOT ALL PASSED'} — ${parts.join(' · ')}`;
}

const line = (id: LineId, title: string, status: LineStatus, evidence: string[], action?: string): ChecklistLine => ({
  id,
  title,
  status,
  evidence,
  ...(action ? { action } : {}),
});

function layer<L extends LayerName>(report: ProbeReport, name: L): Extract<LayerResult, { layer: L }> | undefined {
  return report.layers.find((entry): entry is Extract<LayerResult, { layer: L }> => entry.layer === name);
}

const agentSetup = (gateway: string) => `add \`gateways.${gateway}.agent\` to clawops.yaml and run \`clawops agent --gateway ${gateway}\` on the gateway host`;

/**
 * The host agent's evidence, or the unchecked line saying why there is none. Shared by the lines
 * only the agent can prove (the listener matrix, the Serve route).
 */
function hostOr(facts: AcceptFacts, id: LineId, title: string): { host: NonNullable<ProbeReport['host']> } | { unchecked: ChecklistLine } {
  if (!facts.agent.configured)
    return {
      unchecked: line(
        id,
        title,
        'unchecked',
        [`no host agent is configured for ${facts.gateway}: only the gateway host can see this`],
        agentSetup(facts.gateway),
      ),
    };
  if (facts.agent.notAsked)
    return {
      unchecked: line(
        id,
        title,
        'unchecked',
        [`the host agent was not asked: ${facts.agent.notAsked}`],
        'set REDIS_URL (and CLAWOPS_REDIS_PREFIX) to the Redis the agent reads, or run `/gateway accept` in Slack',
      ),
    };
  const host = facts.report.host;
  if (!host) return { unchecked: line(id, title, 'unchecked', ['the host agent was not asked for this check'], agentSetup(facts.gateway)) };
  if (host.agent.status === 'silent') {
    return {
      unchecked: line(
        id,
        title,
        'unchecked',
        [`the host agent did not answer within ${host.agent.deadlineMs} ms`],
        'on the gateway host: `systemctl status clawops-agent` and `journalctl -u clawops-agent` (is it running, can it reach Redis?)',
      ),
    };
  }
  if (host.agent.status === 'failed') {
    return {
      unchecked: line(
        id,
        title,
        'unchecked',
        [`the host agent did not run the checks: ${host.agent.detail ?? 'failed'}`],
        'on the gateway host: `journalctl -u clawops-agent`',
      ),
    };
  }
  return { host };
}

function loopbackOnly(facts: AcceptFacts): ChecklistLine {
  const bind = facts.agent.configured ? facts.agent.bind : 'loopback';
  const title =
    bind === 'tailnet'
      ? `The Gateway listens only on loopback and its tailnet address (port ${facts.gatewayPort})`
      : `The Gateway listens on loopback only (port ${facts.gatewayPort})`;
  const got = hostOr(facts, 'loopback-only', title);
  if ('unchecked' in got) return got.unchecked;
  const listeners = got.host.listeners;
  if (!listeners)
    return line(
      'loopback-only',
      title,
      'unchecked',
      ['the host agent sent no listener matrix'],
      'upgrade clawops on the gateway host (the agent reads /proc/net/tcp)',
    );
  if (!listeners.available)
    return line(
      'loopback-only',
      title,
      'unchecked',
      [`the host agent could not read the socket tables: ${listeners.reason ?? 'unavailable'}`],
      'the agent needs /proc/net/tcp and /proc/net/tcp6 (no ProcSubset=pid in its unit)',
    );
  const bound = listeners.bound.length ? listeners.bound.join(', ') : 'nothing';
  if (!listeners.listening)
    return line(
      'loopback-only',
      title,
      'fail',
      [`nothing listens on port ${listeners.port} on the host`],
      '`systemctl status <unit>` on the gateway host: the Gateway is not running on its port',
    );
  if (listeners.violations.length) {
    return line(
      'loopback-only',
      title,
      'fail',
      [`listening on ${bound}`, ...listeners.violations.map((violation) => `${violation.address}: ${violation.why}`)],
      'set `gateway.bind: loopback` in openclaw.json (Serve in front), restart the Gateway, and stop whatever else holds the port',
    );
  }
  const owner = listeners.owners?.find((entry) => entry.port === listeners.port && (entry.unit || entry.process));
  return line('loopback-only', title, 'pass', [
    `listening on ${bound} only (allowed: ${listeners.allowed.join(', ') || bind})${owner ? ` · held by ${owner.unit ?? owner.process}${owner.pid ? ` (pid ${owner.pid})` : ''}` : ''}`,
  ]);
}

const TAILNET_V4 = /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d{1,3}\.\d{1,3}$/;

export function isTailnetAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  return TAILNET_V4.test(bare) || bare.startsWith('fd7a:115c:a1e0:');
}

function tailnetHealth(facts: AcceptFacts): ChecklistLine {
  const title = 'Health answers over the tailnet address from this node';
  const { report } = facts;
  const http = layer(report, 'http');
  const tcp = layer(report, 'tcp');
  const address = tcp?.evidence?.address;
  const dnsAddresses = layer(report, 'dns')?.evidence?.addresses ?? [];
  const where = address ? `${address}:${tcp?.evidence?.port ?? facts.urlPort}` : report.gateway.host;
  const healthz = http?.evidence?.healthz;
  const answered = http !== undefined && (http.status === 'ok' || http.status === 'warn') && http.evidence?.live === true;
  if (!answered) {
    const failed = report.layers.find((entry) => entry.status === 'failed');
    const evidence = [failed ? `${failed.layer}: ${failed.summary}` : `http: ${http?.summary ?? 'not reached'}`];
    if (facts.verdict.primary) evidence.push(`verdict: ${facts.verdict.primary}`);
    return line('tailnet-health', title, 'fail', evidence, `run \`/gateway check ${facts.gateway}\` for the full verdict and what to do`);
  }
  const seen = `GET ${healthz?.path ?? '/healthz'} ${healthz?.status ?? ''} live from this node via ${where} (${report.gateway.host})`.replace(/ {2,}/g, ' ');
  const tailnet = (address !== undefined && isTailnetAddress(address)) || (address === undefined && dnsAddresses.some(isTailnetAddress));
  if (!tailnet) {
    return line(
      'tailnet-health',
      title,
      'unchecked',
      [seen, `${address ?? report.gateway.host} is not a tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48): this does not prove the path over the tailnet`],
      `point \`gateways.${facts.gateway}.url\` at the gateway's MagicDNS name (\`wss://<host>.<tailnet>.ts.net\`) or its 100.x address and run it from a tailnet node`,
    );
  }
  return line('tailnet-health', title, 'pass', [seen]);
}

function publicClosed(facts: AcceptFacts): ChecklistLine {
  const title = "The public address does not answer on the Gateway's ports";
  if (!facts.publicAddress) {
    return line(
      'public-closed',
      title,
      'unchecked',
      ['no public address is configured to probe'],
      `set \`gateways.${facts.gateway}.publicAddress\` to the host's public (cloud) IP`,
    );
  }
  const checks = facts.report.exposureChecks ?? (facts.report.exposure ? [facts.report.exposure] : []);
  if (checks.length === 0)
    return line(
      'public-closed',
      title,
      'unchecked',
      [`the exposure probe did not run against ${facts.publicAddress}`],
      'check again; the probe runs with every check of a gateway with publicAddress',
    );
  const text = (check: EvidenceOfExposure) =>
    `${check.address}:${check.port} ${check.tcp === 'open' ? `ANSWERS${check.httpStatus ? ` (HTTP ${check.httpStatus}${check.openclaw ? ', OpenClaw' : ''})` : ''}` : check.tcp === 'timeout' ? 'no answer (filtered)' : check.tcp}`;
  const evidence = checks.map(text);
  if (checks.some((check) => check.tcp === 'open')) {
    return line(
      'public-closed',
      title,
      'fail',
      evidence,
      'CRITICAL: remove the inbound rule for the port from the security group, keep `gateway.bind: loopback`, and rotate the token',
    );
  }
  const ports = new Set(checks.map((check) => check.port));
  if (checks.some((check) => check.tcp === 'error'))
    return line('public-closed', title, 'unchecked', evidence, 'the probe itself failed: check again from a node that can route to the public address');
  if (!ports.has(facts.gatewayPort))
    return line(
      'public-closed',
      title,
      'unchecked',
      [...evidence, `port ${facts.gatewayPort} was not probed`],
      'check again; both the URL port and gatewayPort are probed',
    );
  return line('public-closed', title, 'pass', evidence);
}

type EvidenceOfExposure = NonNullable<ProbeReport['exposure']>;

function tokenAuth(facts: AcceptFacts): ChecklistLine {
  const title = 'Token auth is on';
  const { report } = facts;
  const config = [report.host?.gatewayConfig, report.gatewayConfig].find((entry) => entry?.available);
  const handshake: EvidenceOf<'handshake'> | undefined = layer(report, 'handshake')?.evidence;
  const method = handshake?.authMethod ? `hello-ok auth.method ${handshake.authMethod}` : undefined;
  if (!config) {
    const reasons = [report.host?.gatewayConfig, report.gatewayConfig]
      .filter((entry) => entry !== undefined)
      .map((entry) => `${entry.source}: ${entry.reason ?? 'not available'}`);
    return line(
      'token-auth',
      title,
      'unchecked',
      [`the Gateway's gateway.auth was not read${reasons.length ? ` (${reasons.join('; ')})` : ''}`, ...(method ? [method] : [])],
      `let the host agent read openclaw.json (\`gateways.${facts.gateway}.agent.openclawConfig\`), or pair the bot's device so that \`config.get\` answers (operator.read)`,
    );
  }
  const from = config.source === 'file' ? (config.path ?? 'openclaw.json') : 'config.get';
  const mode = config.authMode;
  if (mode === 'none')
    return line(
      'token-auth',
      title,
      'fail',
      [`${from}: gateway.auth.mode is none`],
      'CRITICAL: `openclaw config set gateway.auth.mode token` with a token, restart the Gateway, rotate the token in every client',
    );
  if (mode !== undefined && mode !== 'token')
    return line(
      'token-auth',
      title,
      'fail',
      [`${from}: gateway.auth.mode is ${mode}, not token`],
      '`openclaw config set gateway.auth.mode token` with a token (`gateway.auth.token` or `OPENCLAW_GATEWAY_TOKEN`) and restart the Gateway',
    );
  const tokenWhere =
    config.tokenSource === 'config'
      ? 'gateway.auth.token set in the file'
      : config.tokenSource === 'secret-ref'
        ? 'gateway.auth.token from a SecretRef'
        : config.tokenSource === 'redacted'
          ? 'gateway.auth.token set (redacted by the Gateway)'
          : report.host?.unit?.tokenSource
            ? `the token from the unit (${report.host.unit.tokenSource})`
            : undefined;
  if (mode === 'token')
    return line('token-auth', title, 'pass', [`${from}: gateway.auth.mode token${tokenWhere ? ` · ${tokenWhere}` : ''}`, ...(method ? [method] : [])]);
  // Mode unset: OpenClaw authenticates by token when one is configured; then only seeing it in use proves it.
  if (tokenWhere && handshake?.authMethod === 'token')
    return line('token-auth', title, 'pass', [`${from}: gateway.auth.mode unset (token by default) · ${tokenWhere}`, method!]);
  return line(
    'token-auth',
    title,
    'unchecked',
    [
      `${from}: gateway.auth.mode unset${tokenWhere ? ` · ${tokenWhere}` : ' and no token found'}`,
      ...(method ? [method] : ['the handshake did not show token auth']),
    ],
    'set it explicitly: `openclaw config set gateway.auth.mode token`',
  );
}

function serveRoute(facts: AcceptFacts): ChecklistLine {
  const title = `The Serve route points at the Gateway's port (${facts.gatewayPort})`;
  const direct = facts.url.startsWith('ws://') && facts.urlPort === facts.gatewayPort;
  if (direct) return line('serve-route', title, 'not-applicable', [`no Serve in front: the URL reaches the Gateway's port ${facts.gatewayPort} directly`]);
  const got = hostOr(facts, 'serve-route', title);
  if ('unchecked' in got) return got.unchecked;
  const serve = got.host.serve;
  if (!serve) return line('serve-route', title, 'unchecked', ['the host agent sent no Serve config'], 'upgrade clawops on the gateway host');
  if (!serve.available)
    return line(
      'serve-route',
      title,
      'unchecked',
      [`tailscaled's Serve config was not read on the host: ${serve.reason ?? 'unavailable'}`],
      `the agent reads tailscaled's LocalAPI socket (\`gateways.${facts.gateway}.agent.tailscaledSocket\`, default /var/run/tailscale/tailscaled.sock)`,
    );
  const routes = serve.routes.map((route) => `${route.hostPort}${route.mount ?? ''} → ${route.target}${route.funnel ? ' (FUNNEL: public)' : ''}`);
  if (serve.routes.some((route) => route.toGateway && route.funnel))
    return line('serve-route', title, 'fail', routes, 'CRITICAL: `tailscale funnel --https=443 off`: Funnel puts the Gateway on the internet');
  const onUrlPort = serve.routes.filter((route) => route.hostPort.endsWith(`:${facts.urlPort}`));
  if (onUrlPort.some((route) => route.toGateway)) return line('serve-route', title, 'pass', routes);
  if (serve.routes.length === 0)
    return line(
      'serve-route',
      title,
      'fail',
      ['tailscaled has no Serve route on the host'],
      `\`tailscale serve --bg --https=${facts.urlPort} http://127.0.0.1:${facts.gatewayPort}\` on the gateway host`,
    );
  return line(
    'serve-route',
    title,
    'fail',
    [...routes, `no route on port ${facts.urlPort} forwards to the Gateway's port ${facts.gatewayPort}`],
    `\`tailscale serve --bg --https=${facts.urlPort} http://127.0.0.1:${facts.gatewayPort}\` on the gateway host`,
  );
}

function aclOpsOnly(facts: AcceptFacts): ChecklistLine {
  const title = 'The ACL lets only the ops sources reach the port';
  if (!facts.acl.configured) return line('acl-ops-only', title, 'unchecked', ['the tailnet policy was not read'], facts.acl.hint);
  const { result } = facts.acl;
  if (!result.ok)
    return line(
      'acl-ops-only',
      title,
      'unchecked',
      [`the ACL audit failed (${result.stage}): ${result.message}`],
      result.stage === 'config' ? 'configure `tailscale.adminApi` in clawops.yaml' : 'check the admin API credential (policy_file:read) and try again',
    );
  const access = result.audit.access.find((entry) => entry.gateway === facts.gateway);
  if (!access) return line('acl-ops-only', title, 'unchecked', [`the audit did not cover ${facts.gateway}`], 'check the gateway name and its `aclTarget`');
  const destination = `${access.target}:${access.port}`;
  const sources = access.sources.length ? access.sources.join(', ') : 'nobody';
  const rules = access.rules.map((rule) => `${rule.section}[${rule.index}]`).join(', ');
  const reach = `${destination} is reachable from ${sources}${rules ? ` (${rules})` : ''}`;
  const tooBroad = result.audit.findings.filter((finding) => finding.gateway === facts.gateway && finding.id === 'acl-too-broad');
  const missingDenyTest = result.audit.findings.some((finding) => finding.gateway === facts.gateway && finding.id === 'acl-missing-deny-test');
  const notes = [
    ...(missingDenyTest ? [`no policy test asserts the deny for ${destination} (clawops acl ${facts.gateway} prints one to paste)`] : []),
    ...result.notes,
  ];
  if (tooBroad.length)
    return line(
      'acl-ops-only',
      title,
      'fail',
      [reach, ...tooBroad.map((finding) => finding.message), ...notes],
      `narrow the rules to the ops sources (\`/gateway acl ${facts.gateway}\` shows the rules and the tests to add)`,
    );
  if (result.validation.status === 'failed')
    return line(
      'acl-ops-only',
      title,
      'fail',
      [reach, `the policy's own tests fail: ${result.validation.message}`, ...notes],
      'fix the policy or its tests in the admin console',
    );
  const ops = facts.acl.opsSources;
  if (!ops || ops.length === 0) {
    return line(
      'acl-ops-only',
      title,
      'unchecked',
      [reach, 'which sources are ops is not configured'],
      'list them in `tailscale.acl.opsGroups` (e.g. `[tag:ops]`) so the audit can tell ops from everyone else',
    );
  }
  if (access.rules.length === 0)
    return line(
      'acl-ops-only',
      title,
      'fail',
      [`no rule lets anyone reach ${destination}, not even ${ops.join(', ')}`],
      `allow \`${ops[0]} → ${destination}\` in the policy`,
    );
  const others = access.sources.filter((source) => !ops.includes(source));
  if (others.length) return line('acl-ops-only', title, 'fail', [reach, `not ops: ${others.join(', ')}`, ...notes], `narrow the rules to ${ops.join(', ')}`);
  return line('acl-ops-only', title, 'pass', [reach, ...notes]);
}

function fingerprintRecorded(facts: AcceptFacts): ChecklistLine {
  const title = 'A success fingerprint is recorded';
  const { fingerprint } = facts;
  if (!fingerprint.available) return line('fingerprint', title, 'unchecked', ['no fingerprint store in this process'], fingerprint.hint);
  if (fingerprint.error)
    return line('fingerprint', title, 'unchecked', [`the fingerprint store did not answer: ${fingerprint.error}`], 'try again when Redis answers');
  if (!fingerprint.latest)
    return line(
      'fingerprint',
      title,
      'fail',
      [`no success fingerprint recorded for ${facts.gateway} yet`],
      `run a healthy \`/gateway check ${facts.gateway}\` (or \`clawops check ${facts.gateway}\`): each one records it`,
    );
  const at = fingerprint.latest.recordedAt;
  const when = Number.isFinite(at.getTime()) ? `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'unknown time';
  return line('fingerprint', title, 'pass', [`recorded ${when} · ${fingerprint.latest.hash.slice(0, 16)}`]);
}
