import type { ProbeReport } from '../report/report.js';
import { md, type SlackText } from './slack-text.js';
import { formatMs } from './terminal.js';

/**
 * One line for the view from the gateway host, beside the URL and version in a check message:
 * what the agent saw, or that it was silent. PURE. Undefined when the gateway has no agent.
 */
export function hostViewLine(report: ProbeReport): SlackText | undefined {
  const host = report.host;
  if (!host) return undefined;
  if (host.agent.status === 'silent') return md`*Host agent* no answer within ${formatMs(host.agent.deadlineMs)}: outside view only`;
  if (host.agent.status === 'failed') return md`*Host agent* did not run the checks: outside view only`;
  const { loopback, listeners, unit } = host;
  const parts = [
    loopback ? `loopback ${loopback.ok ? 'ok' : `FAILED (${loopback.failedLayer ?? 'check'})`}` : undefined,
    listeners?.available
      ? listeners.listening
        ? `listening on ${listeners.bound.join(', ')}${ownerText(listeners)}`
        : `nothing listening on ${listeners.port}`
      : undefined,
    unit?.available ? (unit.unitFound ? `${unit.unitName} ${unit.activeState ?? 'unknown'}` : `${unit.unitName} not found`) : undefined,
    serveText(host.serve),
    host.agent.hostname ? `on ${host.agent.hostname}` : undefined,
  ].filter((part): part is string => part !== undefined);
  return md`*Host agent* ${parts.join(' · ')}`;
}

/** What Serve forwards on the host, in a few words (absent: the agent could not ask tailscaled). */
function serveText(serve: NonNullable<ProbeReport['host']>['serve']): string | undefined {
  if (!serve?.available) return undefined;
  const toGateway = serve.routes.filter((route) => route.toGateway);
  if (toGateway.length === 0) {
    const elsewhere = serve.routes.find((route) => route.targetPort !== undefined);
    return elsewhere ? `Serve → port ${elsewhere.targetPort}, not ${serve.gatewayPort}` : 'no Serve route';
  }
  return `Serve → ${serve.gatewayPort}${toGateway.some((route) => route.funnel) ? ' · FUNNEL ON' : ''}`;
}

/** Who holds the Gateway's port: ` (pid 4242 node, openclaw-gateway.service)`, or the socket's user. */
function ownerText(listeners: NonNullable<NonNullable<ProbeReport['host']>['listeners']>): string {
  const owner = (listeners.owners ?? []).find((candidate) => candidate.port === listeners.port);
  if (!owner) return '';
  if (owner.pid !== undefined) return ` (pid ${owner.pid} ${owner.process ?? ''}${owner.unit ? `, ${owner.unit}` : ''})`.replace(' )', ')');
  return owner.uid !== undefined ? ` (uid ${owner.uid}${owner.user ? ` ${owner.user}` : ''})` : '';
}
