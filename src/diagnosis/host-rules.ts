import type { EvidenceOf, HostEvidenceData, LayerResult, ProbeReport } from '../report/report.js';
import type { Finding } from './finding.js';
import type { SymptomId } from './symptom-table.js';

/**
 * The host agent's evidence, read with the view from outside. PURE.
 *
 * From outside, a timeout cannot say whether the Gateway or the network is broken; with loopback
 * proven on the host it can: loopback healthy + outside failing → the path (`network-path`);
 * loopback failing too → the Gateway itself (`gateway-down`). Outside verdicts that already name
 * their cause (auth, pairing, a proxy stripping the upgrade) stay, with the host's view as a note.
 * A silent agent is said so, and the verdict stays the one from outside alone.
 */

/** Outside verdicts that cannot tell the Gateway from the path by themselves. */
const AMBIGUOUS = new Set<SymptomId>([
  'timeout',
  'tailnet-port-blocked',
  'refused',
  'handshake-timeout',
  'ws-closed-early',
  'gateway-degraded',
  'not-openclaw',
  'gateway-hung',
]);

type Loopback = NonNullable<HostEvidenceData['loopback']>;
type Rule = (report: ProbeReport) => Finding | undefined;

/**
 * `healthy`: nothing failed on loopback. `alive`: the Gateway spoke the protocol and refused the
 * agent's credentials (its token or pairing is the problem, not the Gateway). `failing`: the rest.
 */
export function loopbackState(loopback: Loopback): 'healthy' | 'alive' | 'failing' {
  if (loopback.ok) return 'healthy';
  const handshake = loopback.layers.find((layer): layer is Extract<LayerResult, { layer: 'handshake' }> => layer.layer === 'handshake')?.evidence;
  if (loopback.failedLayer === 'handshake' && handshake?.failure === 'rejected' && handshake.error && handshake.error.code !== 'UNAVAILABLE') return 'alive';
  return 'failing';
}

/** Verdicts where what Serve forwards to, on the host, is the missing half of the story. */
const SERVE_FAMILY = new Set<SymptomId>([
  'gateway-down-behind-proxy',
  'serve-route-missing',
  'refused',
  'timeout',
  'tailnet-port-blocked',
  'gateway-hung',
  'tls-mismatch',
  'network-path',
  'gateway-down',
]);

/** The decisive finding, with the host's view joined in. `outside` is what the ladder alone concluded. */
export function joinHostView(report: ProbeReport, outside: Finding | undefined): Finding | undefined {
  const host = report.host;
  if (!outside || !host) return outside;
  if (host.agent.status !== 'answered') return withNote(outside, `${agentProblem(host)}: this verdict is from outside alone`);
  return withHostConfig(host, joinLoopback(report, host, outside));
}

/** What Serve and the Gateway's own config on the host add to the decisive finding. */
function withHostConfig(host: HostEvidenceData, finding: Finding): Finding {
  const evidence = [...finding.evidence];
  const notes = [...(finding.notes ?? [])];
  const mismatch = SERVE_FAMILY.has(finding.id) ? serveMismatch(host.serve) : undefined;
  if (mismatch) evidence.splice(1, 0, `${mismatch} (host agent)`);
  const config = host.gatewayConfig;
  if (config?.available) {
    const where = config.source === 'file' ? (config.path ?? 'openclaw.json') : "the Gateway's config.get";
    if (finding.id === 'proxy-untrusted') {
      notes.push(
        config.trustedProxies?.length
          ? `${where} trusts [${config.trustedProxies.join(', ')}]: the front's source address is not among them`
          : `${where} sets no gateway.trustedProxies (host agent)`,
      );
    }
    const mode = config.tailscaleMode;
    if ((mode === 'serve' || mode === 'funnel') && config.bind && config.bind !== 'loopback' && SERVE_FAMILY.has(finding.id)) {
      notes.push(
        `gateway.tailscale.mode is ${mode} but gateway.bind is ${config.bind}: Serve and Funnel need bind loopback (a carried-over bind crash-loops the Gateway)`,
      );
    }
    if (config.port !== undefined && host.serve?.available && config.port !== host.serve.gatewayPort && SERVE_FAMILY.has(finding.id)) {
      notes.push(`${where} sets gateway.port ${config.port}, the agent checks port ${host.serve.gatewayPort}: align gatewayPort in clawops.yaml`);
    }
  }
  return { ...finding, evidence, notes };
}

function joinLoopback(report: ProbeReport, host: HostEvidenceData, outside: Finding): Finding {
  const loopback = host.loopback;
  if (!loopback) return outside;
  const where = loopback.url.replace(/^wss?:\/\//, '');
  const state = loopbackState(loopback);
  const fromOutside = outside.evidence.map((line) => `from outside: ${line}`);

  if (state !== 'failing') {
    const line =
      state === 'healthy'
        ? `on its host the Gateway answers: ${where} ${loopback.summary} (host agent)`
        : `on its host the Gateway speaks the protocol on ${where} (it refused the agent's own credentials: ${loopback.summary})`;
    if (!AMBIGUOUS.has(outside.id) || outside.decided) return withNote(outside, line);
    return {
      id: 'network-path',
      blocking: true,
      ...(outside.layer ? { layer: outside.layer } : {}),
      evidence: [line, ...fromOutside],
      notes: [`from outside alone this read as \`${outside.id}\``, ...pathHints(host, outside.id)],
    };
  }

  const line = `on its host too: ${where} ${loopback.summary} (host agent)`;
  if (!AMBIGUOUS.has(outside.id)) return withNote(outside, `${line}: it is the Gateway itself, not the network`);
  // The path is named (ACL or firewall) and the Gateway fails too: both need fixing, the path first.
  if (outside.decided) return withNote(outside, `${line}: the Gateway fails on its host as well — fix it too`);
  return {
    id: 'gateway-down',
    blocking: true,
    layer: 'host',
    evidence: compact([line, listenerLine(host), unitLine(host), ...fromOutside]),
    notes: [`from outside alone this read as \`${outside.id}\``, ...unitNotes(host), ...doctorNotes(host)],
  };
}

const bindNotLoopback: Rule = (report) => {
  const listeners = report.host?.listeners;
  if (!listeners?.available || listeners.violations.length === 0) return undefined;
  return {
    id: 'bind-not-loopback',
    blocking: false,
    layer: 'host',
    // A wildcard, LAN or public bind is exposure; another loopback or tailnet address merely is not the configured bind.
    severity: listeners.violations.some((violation) => violation.severity === 'critical') ? 'critical' : 'warning',
    evidence: [
      ...listeners.violations.slice(0, 5).map((violation) => violation.why),
      `bound on the host: ${listeners.bound.join(', ')} (bind ${listeners.bind})`,
    ],
  };
};

const unitTokenDrift: Rule = (report) => {
  const host = report.host;
  const unit = host?.unit;
  if (!host || !unit?.available || !unit.unitFound) return undefined;
  const client = host.clientTokenFingerprint;
  // When the unit holds exactly what this node sends, the agent's own copy of the token is the stale one.
  const unitMatchesClient = client !== undefined && unit.unitTokenFingerprint === client;
  const evidence = unit.findings
    .filter((finding) => finding.symptom === 'unit-token-drift' && !(unitMatchesClient && finding.id === 'unit-token-drift'))
    .map((finding) => finding.summary);
  if (client && unit.unitTokenFingerprint && client !== unit.unitTokenFingerprint && client !== unit.configuredTokenFingerprint) {
    evidence.push(
      `${unit.unitName} gives the Gateway token ${unit.unitTokenFingerprint} (${unit.tokenSource ?? 'unit'}) but this clawops node sends ${client} from ${report.gateway.tokenEnv} (fingerprints)`,
    );
  }
  if (unit.portDrift && unit.unitPortListening !== undefined) {
    evidence.push(
      unit.unitPortListening
        ? `something listens on the unit's port ${unit.unitPort}: the Gateway runs where the unit says, not where clawops looks`
        : `nothing listens on the unit's port ${unit.unitPort} either`,
    );
  }
  if (evidence.length === 0) return undefined;
  const reload = unit.findings.find((finding) => finding.id === 'unit-needs-daemon-reload');
  return { id: 'unit-token-drift', blocking: false, layer: 'host', evidence, notes: reload ? [reload.summary] : [] };
};

const staleProcess: Rule = (report) => {
  const version = report.host?.version;
  if (version?.status !== 'stale-process') return undefined;
  return {
    id: 'stale-process',
    blocking: false,
    layer: 'host',
    evidence: compact([
      `${version.summary} (host agent)`,
      version.packageJsonPath ? `installed: ${version.packageJsonPath}` : undefined,
      version.others.length ? `other installs: ${version.others.map((other) => `${other.version} at ${other.packageJsonPath}`).join(', ')}` : undefined,
    ]),
  };
};

/** On loopback the device is approved, so channels are readable even when they are not from outside. */
const loopbackChannels: Rule = (report) => {
  const layer = report.host?.loopback?.layers.find((entry): entry is Extract<LayerResult, { layer: 'channels' }> => entry.layer === 'channels');
  const silent = layer?.evidence?.channels.filter((channel) => channel.issues.length > 0) ?? [];
  if (silent.length === 0) return undefined;
  return {
    id: 'channel-silent',
    blocking: false,
    layer: 'host',
    evidence: silent.slice(0, 5).map((channel) => `(on the host) ${channelName(channel)}: ${channel.issues.join('; ')}`),
  };
};

const agentSilent: Rule = (report) => {
  const host = report.host;
  if (!host || host.agent.status === 'answered') return undefined;
  return { id: 'agent-silent', blocking: false, layer: 'host', evidence: [agentProblem(host)] };
};

/** Funnel on a Serve route that reaches the Gateway: its control plane is on the public internet. */
const funnelOnGateway: Rule = (report) => {
  const routes = report.host?.serve?.routes.filter((route) => route.funnel && route.toGateway) ?? [];
  if (routes.length === 0) return undefined;
  return {
    id: 'public-exposure',
    blocking: false,
    layer: 'host',
    evidence: routes
      .slice(0, 3)
      .map(
        (route) =>
          `(host agent) Funnel is on for ${route.hostPort}${route.mount && route.mount !== '/' ? route.mount : ''} → ${route.target}: the Gateway is reachable from the internet`,
      ),
    notes: ['turn it off: `tailscale funnel --https=443 off` (keep `tailscale serve` for the tailnet)'],
  };
};

const hostAuthNone: Rule = (report) => {
  const config = report.host?.gatewayConfig;
  if (!config?.available || config.authMode !== 'none') return undefined;
  return {
    id: 'auth-none',
    blocking: false,
    layer: 'host',
    evidence: [`(host agent) ${config.source === 'file' ? (config.path ?? 'openclaw.json') : 'config.get'}: gateway.auth.mode is none`],
  };
};

/** A line naming what Serve does instead of forwarding to the Gateway, when it does not. */
function serveMismatch(serve: HostEvidenceData['serve']): string | undefined {
  if (!serve?.available) return undefined;
  if (serve.routes.some((candidate) => candidate.toGateway)) return undefined;
  const proxies = serve.routes.filter((candidate) => candidate.targetPort !== undefined);
  if (proxies.length === 0)
    return `tailscaled on the host serves nothing to the Gateway's port ${serve.gatewayPort} (\`tailscale serve status\` ${serve.routes.length === 0 ? 'is empty' : 'has no proxy route'})`;
  const first = proxies[0]!;
  return `Serve forwards ${first.hostPort}${first.mount && first.mount !== '/' ? first.mount : ''} to ${first.targetHost ?? '?'}:${first.targetPort} but the Gateway listens on ${serve.gatewayPort}`;
}

/** "18789 is held by openclaw-gateway-test": the Gateway's port belongs to another OpenClaw unit. */
const portHeldByOther: Rule = (report) => {
  const listeners = report.host?.listeners;
  const expected = report.host?.unit?.unitName;
  if (!listeners?.available || !expected) return undefined;
  const unitOf = (name: string) => (name.includes('.') ? name : `${name}.service`);
  const others = (listeners.owners ?? []).filter(
    (owner) => owner.port === listeners.port && owner.openclaw && owner.unit && unitOf(owner.unit) !== unitOf(expected),
  );
  if (others.length === 0) return undefined;
  const first = others[0]!;
  return {
    id: 'port-held-by-other-instance',
    blocking: false,
    layer: 'host',
    evidence: [
      `${listeners.port} is held by ${first.unit!.replace(/\.service$/, '')} (pid ${first.pid}, ${first.process ?? 'process'}), not ${expected.replace(/\.service$/, '')} (host agent)`,
      ...others.slice(1, 3).map((owner) => `${owner.address}:${owner.port} is held by ${owner.unit} (pid ${owner.pid})`),
    ],
  };
};

/** After the ladder's advisory rules: an outside finding of the same row wins. */
export const HOST_RULES: Rule[] = [
  funnelOnGateway,
  hostAuthNone,
  bindNotLoopback,
  unitTokenDrift,
  staleProcess,
  loopbackChannels,
  agentSilent,
  portHeldByOther,
];

function agentProblem(host: HostEvidenceData): string {
  return host.agent.status === 'silent'
    ? `the host agent did not answer within ${host.agent.deadlineMs} ms`
    : `the host agent did not run the checks (${host.agent.detail ?? 'no reason given'})`;
}

function pathHints(host: HostEvidenceData, outside: SymptomId): string[] {
  const listeners = host.listeners;
  const loopbackOnly = listeners?.available && listeners.listening && listeners.bound.every((address) => address === '127.0.0.1' || address === '::1');
  if (outside === 'refused' && loopbackOnly)
    return [`the Gateway listens on loopback only (${listeners.bound.join(', ')}): from the tailnet it needs Tailscale Serve or \`gateway.bind: tailnet\``];
  if (outside === 'timeout' || outside === 'tailnet-port-blocked') return ['packets to the port are dropped on the way: the ACL or the host firewall'];
  return [];
}

function listenerLine(host: HostEvidenceData): string | undefined {
  const listeners = host.listeners;
  if (!listeners?.available) return undefined;
  return listeners.listening
    ? `listening on the host: ${listeners.bound.join(', ')} port ${listeners.port}`
    : `nothing listens on port ${listeners.port} on the host`;
}

function unitLine(host: HostEvidenceData): string | undefined {
  const unit = host.unit;
  if (!unit?.available) return undefined;
  if (!unit.unitFound) return `systemd unit ${unit.unitName} not found`;
  return `${unit.unitName} is ${unit.activeState ?? 'unknown'} (${unit.subState ?? 'unknown'})`;
}

/** What the unit check found that explains a Gateway that does not run (a missing EnvironmentFile, a pending reload). */
function unitNotes(host: HostEvidenceData): string[] {
  return (host.unit?.findings ?? [])
    .filter((finding) => !finding.symptom && finding.severity !== 'info' && finding.id !== 'unit-not-active')
    .map((finding) => finding.summary)
    .slice(0, 3);
}

function doctorNotes(host: HostEvidenceData): string[] {
  return (host.doctor?.findings ?? [])
    .filter((finding) => finding.severity === 'error')
    .slice(0, 3)
    .map((finding) => `openclaw doctor: ${finding.message}`);
}

function withNote(finding: Finding, note: string): Finding {
  return { ...finding, notes: [...(finding.notes ?? []), note] };
}

function channelName(channel: EvidenceOf<'channels'>['channels'][number]): string {
  return `${channel.channel}/${channel.account ?? 'default'}`;
}

const compact = (items: Array<string | undefined>) => items.filter((item): item is string => item !== undefined);
