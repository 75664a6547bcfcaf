import type { ProbeReport } from '../report/report.js';
import { firstFailedLayer, layerOf } from '../report/layer-order.js';
import { ADVISORY_RULES, BLOCKING_RULES, runningVersion, type Finding } from './rules.js';
import { HOST_RULES, joinHostView } from './host-rules.js';
import { explainTokenOwner } from './token-owner.js';
import { SEVERITIES, SYMPTOM_TABLE, type Severity } from './symptom-table.js';
import type { Diagnosis, GatewayState, Verdict } from './verdict.js';

/**
 * What a report means, in the runbook's words. PURE: no clock, no environment, no network —
 * everything it needs is in the report (and the optional context another part of clawops adds).
 */
export interface DiagnosisContext {
  /** Token rotations ticked for this gateway (offboarding), newest first, hours ago. */
  tokenRotatedHoursAgo?: number;
  /** A version change recorded by history: `from → to`, when the failures began with it. */
  versionChange?: { from: string; to: string };
}

/** `diagnose` as a dependency: the check path takes it injected, so a test can count that it runs once per check. */
export type Diagnose = (report: ProbeReport, context?: DiagnosisContext) => Diagnosis;

export function diagnose(report: ProbeReport, context: DiagnosisContext = {}): Diagnosis {
  const fill = fillerFor(report);
  const blocking = firstMatch(BLOCKING_RULES, report);
  const failed = firstFailedLayer(report);
  const suppressed = blocking?.id === 'bot-node-offline';

  const findings: Finding[] = [];
  const outside = blocking ?? (failed ? unexplained(report, failed.layer) : undefined);
  // With a host agent, loopback on the host tells the Gateway from the path (host-rules.ts).
  const decisive = suppressed ? outside : joinHostView(report, outside);
  if (decisive) findings.push(decisive);
  for (const rule of [...ADVISORY_RULES, ...HOST_RULES]) {
    const finding = rule(report);
    if (!finding || findings.some((existing) => existing.id === finding.id)) continue;
    // While this node is off the tailnet, only what does not depend on it is worth saying.
    if (suppressed && finding.id !== 'public-exposure') continue;
    findings.push(finding);
  }
  // The invariant, whatever the rules above said: no hello-ok, no health. Only a blocking row
  // (which says why the handshake did not complete: starting, restarting, …) speaks instead.
  const unproven = findings.some((finding) => finding.blocking) ? undefined : unprovenHandshake(report);
  if (unproven) findings.unshift(unproven);

  const verdicts = findings.map((finding) => toVerdict(finding, fill));
  const primary = verdicts[0];
  if (primary && blocking) addCausalNotes(primary, report, context);
  verdicts.sort((a, b) => (a === primary ? -1 : b === primary ? 1 : SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)));

  const state = stateOf(verdicts);
  const running = runningVersion(report);
  return {
    state,
    verdicts,
    ...(failed ? { failedLayer: failed.layer } : {}),
    suppressed,
    version: { running, expected: report.gateway.expectedVersion, lastKnownGood: report.gateway.lastKnownGoodVersion },
    headline: headline(report, state, primary, running),
  };
}

/**
 * A check whose OpenClaw handshake never completed proves nothing about the gateway: a forged
 * upgrade, a silent socket, a report missing its handshake. It is never healthy, nor merely
 * degraded (degraded counts as up for alerts).
 */
function unprovenHandshake(report: ProbeReport): Finding | undefined {
  const handshake = layerOf(report, 'handshake');
  if (handshake?.status === 'ok') return undefined;
  return {
    id: 'not-openclaw',
    blocking: true,
    severity: 'error',
    layer: 'handshake',
    evidence: [`handshake: ${handshake ? handshake.summary : 'missing from the report'}`, 'no hello-ok: nothing proves that an OpenClaw Gateway answered'],
  };
}

function firstMatch(rules: Array<(report: ProbeReport) => Finding | undefined>, report: ProbeReport): Finding | undefined {
  for (const rule of rules) {
    const finding = rule(report);
    if (finding) return finding;
  }
  return undefined;
}

/**
 * A failed layer that no blocking row explains still needs a verdict: HTML on /healthz while the
 * WebSocket works is an old Gateway or a proxy rewriting paths; anything else is shown as it is.
 */
function unexplained(report: ProbeReport, layer: NonNullable<ReturnType<typeof firstFailedLayer>>['layer']): Finding {
  const failedLayer = layerOf(report, layer);
  const evidence = [`${layer}: ${failedLayer?.summary ?? 'failed'}`];
  if (layer === 'http' && layerOf(report, 'handshake')?.status === 'ok') {
    return {
      id: 'not-openclaw',
      blocking: false,
      severity: 'warning',
      layer,
      evidence: [...evidence, 'the WebSocket handshake works: /healthz is answered by something else (an older Gateway, or a proxy rewriting paths)'],
    };
  }
  return { id: 'gateway-degraded', blocking: true, severity: 'error', layer, evidence };
}

function toVerdict(finding: Finding, fill: (text: string) => string): Verdict {
  const row = SYMPTOM_TABLE[finding.id];
  return {
    id: finding.id,
    severity: finding.severity ?? row.severity,
    title: row.title,
    ...(finding.layer ? { layer: finding.layer } : {}),
    see: fill(row.see),
    suspect: fill(finding.suspect ?? row.suspect),
    do: fill(finding.do ?? row.do),
    evidence: finding.evidence,
    notes: finding.notes ?? [],
    ...(row.refines ? { refines: row.refines } : {}),
  };
}

/** What changes the first thing to do: a recent token rotation, a version change at the same time. */
function addCausalNotes(primary: Verdict, report: ProbeReport, context: DiagnosisContext): void {
  explainTokenOwner(primary, report);
  if ((primary.id === 'auth-rejected' || primary.id === 'token-rotated') && context.tokenRotatedHoursAgo !== undefined) {
    const hours = context.tokenRotatedHoursAgo;
    const ago = hours < 1 ? `${Math.max(1, Math.round(hours * 60))} min` : `${Math.round(hours)} h`;
    primary.notes.unshift(`the token was rotated ${ago} ago (offboarding): update this client's token in ${report.gateway.tokenEnv}`);
  }
  const running = runningVersion(report);
  const change =
    context.versionChange ??
    (report.gateway.lastKnownGoodVersion && running && running !== report.gateway.lastKnownGoodVersion
      ? { from: report.gateway.lastKnownGoodVersion, to: running }
      : undefined);
  if (change && primary.severity !== 'info') {
    primary.notes.push(
      `the failure began with a version change ${change.from} → ${change.to}: read the release notes, roll back to the last known good build (${change.from}) and bisect`,
    );
  }
}

function stateOf(verdicts: Verdict[]): GatewayState {
  const worst = (severity: Severity) => verdicts.some((verdict) => verdict.severity === severity);
  if (worst('critical') || worst('error')) return 'unhealthy';
  if (worst('warning')) return 'degraded';
  return 'healthy';
}

function headline(report: ProbeReport, state: GatewayState, primary: Verdict | undefined, running: string | undefined): string {
  const name = report.gateway.name;
  if (state === 'healthy') return `${name} healthy${running ? ` · ${running}` : ''} · ${Math.round(report.durationMs)} ms`;
  if (!primary) return `${name} ${state}`;
  return `${name} ${state === 'unhealthy' ? 'UNHEALTHY' : 'degraded'}: ${primary.id} — ${primary.evidence[0] ?? primary.see}`;
}

function fillerFor(report: ProbeReport): (text: string) => string {
  const values: Record<string, string> = {
    port: String(report.gateway.port),
    gatewayPort: String(report.gateway.gatewayPort ?? report.gateway.port),
    host: report.gateway.host,
    tokenEnv: report.gateway.tokenEnv,
    deviceId: report.client.deviceId ?? '(no device identity)',
  };
  return (text) => text.replace(/\{(port|gatewayPort|host|tokenEnv|deviceId)\}/g, (_, key: string) => values[key] ?? key);
}
