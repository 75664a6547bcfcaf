import type { AgentSettings } from '../config/agent-settings.js';
import type { CheckTarget } from '../config/targets.js';
import { tokenFingerprint } from '../host/token-fingerprint.js';
import type { HostEvidenceData, ProbeReport } from '../probes/report.js';
import type { HostAgentAnswer, HostCheckRequester } from '../queue/host-check-requester.js';
import type { Checker } from './checker.js';

/**
 * One check of one gateway with both views: the ladder from this node and, when the gateway has an
 * agent, the host checks on its host — asked for at the same moment, so the check costs the longer
 * of the two, bounded by the agent's deadline (≤ the check budget). The report carries both; the
 * diagnosis reads them together (src/diagnosis/host-rules.ts).
 */
export interface JointCheckDeps {
  checker: Checker;
  hostChecks?: HostCheckRequester;
}

export async function runJointCheck(deps: JointCheckDeps, target: CheckTarget, agent: AgentSettings | undefined): Promise<ProbeReport> {
  if (!agent || !deps.hostChecks) return (await deps.checker.check(target)).report;
  const [outside, answer] = await Promise.all([
    deps.checker.check(target),
    deps.hostChecks.request(target.name, { deadlineMs: agent.deadlineMs }).catch(
      (error: unknown): HostAgentAnswer => ({ status: 'failed', detail: error instanceof Error ? error.message.slice(0, 300) : 'error', waitedMs: 0 }),
    ),
  ]);
  return { ...outside.report, host: hostEvidence(answer, agent, target) };
}

/** Pure: the agent's answer (or its silence) as the report's host evidence. */
export function hostEvidence(answer: HostAgentAnswer, agent: AgentSettings, target: CheckTarget): HostEvidenceData {
  const client = target.token ? { clientTokenFingerprint: tokenFingerprint(target.token) } : {};
  if (answer.status !== 'answered') {
    return {
      agent: { status: answer.status, deadlineMs: agent.deadlineMs, durationMs: answer.waitedMs, ...(answer.status === 'failed' ? { detail: answer.detail } : {}) },
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
    ...(result.firewall ? { firewall: result.firewall } : {}),
    ...client,
  };
}
