import type { AgentSettings } from '../config/agent-settings.js';
import type { CheckTarget } from '../config/targets.js';
import { tokenFingerprint } from '../report/token-fingerprint.js';
import type { HostEvidenceData, ProbeReport } from '../report/report.js';
import type { HostAgentAnswer, HostCheckRequester } from '../queue/host-check-requester.js';
import type { Checker } from './checker.js';
import type { UnitTokenBook } from './unit-token-book.js';

/**
 * One check of one gateway with both views: the ladder from this node and, when the gateway has an
 * agent, the host checks on its host — asked for at the same moment, so the check costs the longer
 * of the two, bounded by the agent's deadline (≤ the check budget). The report carries both; the
 * diagnosis reads them together (src/diagnosis/host-rules.ts). Undiagnosed: whoever asked for the
 * check diagnoses the finished report, once.
 */
export interface JointCheckDeps {
  checker: Checker;
  hostChecks?: HostCheckRequester;
  /** Unit token fingerprints the agents reported, to name a token that belongs to another gateway. */
  unitTokens?: UnitTokenBook;
}

export async function runJointCheck(deps: JointCheckDeps, target: CheckTarget, agent: AgentSettings | undefined): Promise<ProbeReport> {
  if (!agent || !deps.hostChecks) return withUnitTokenOwners(await deps.checker.probe(target), deps.unitTokens, target);
  const [outside, answer] = await Promise.all([
    deps.checker.probe(target),
    deps.hostChecks
      .request(target.name, { deadlineMs: agent.deadlineMs })
      .catch((error: unknown): HostAgentAnswer => ({ status: 'failed', detail: error instanceof Error ? error.message.slice(0, 300) : 'error', waitedMs: 0 })),
  ]);
  const host = hostEvidence(answer, agent, target);
  // A silent agent says nothing new about the unit: keep what it last reported.
  if (answer.status === 'answered') deps.unitTokens?.learn(target.name, host.unit?.available ? host.unit.unitTokenFingerprint : undefined);
  return withUnitTokenOwners({ ...outside, host }, deps.unitTokens, target);
}

/** Another gateway's unit carries the token this check sent: add it to the report's token owners. */
function withUnitTokenOwners(report: ProbeReport, book: UnitTokenBook | undefined, target: CheckTarget): ProbeReport {
  if (!book || !target.token) return report;
  const fingerprint = tokenFingerprint(target.token);
  const known = new Set((report.tokenOwners ?? []).map((owner) => owner.gateway));
  const owners = book.ownersOf(fingerprint).filter((gateway) => gateway !== target.name && !known.has(gateway) && !(target.aliases ?? []).includes(gateway));
  if (owners.length === 0) return report;
  return { ...report, tokenOwners: [...(report.tokenOwners ?? []), ...owners.map((gateway) => ({ gateway, via: 'host-unit' as const, fingerprint }))] };
}

/** Pure: the agent's answer (or its silence) as the report's host evidence. */
export function hostEvidence(answer: HostAgentAnswer, agent: AgentSettings, target: CheckTarget): HostEvidenceData {
  const client = target.token ? { clientTokenFingerprint: tokenFingerprint(target.token) } : {};
  if (answer.status !== 'answered') {
    return {
      agent: {
        status: answer.status,
        deadlineMs: agent.deadlineMs,
        durationMs: answer.waitedMs,
        ...(answer.status === 'failed' ? { detail: answer.detail } : {}),
      },
      ...client,
    };
  }
  const { result } = answer;
  return {
    agent: { status: 'answered', deadlineMs: agent.deadlineMs, durationMs: result.durationMs, hostname: result.hostname, version: result.agentVersion },
    listeners: result.listeners,
    loopback: result.loopback,
    unit: result.unit,
    version: result.version,
    ...(result.doctor ? { doctor: result.doctor } : {}),
    ...(result.serve ? { serve: result.serve } : {}),
    ...(result.gatewayConfig ? { gatewayConfig: result.gatewayConfig } : {}),
    ...(result.firewall ? { firewall: result.firewall } : {}),
    ...client,
  };
}
