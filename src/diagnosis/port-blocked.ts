import type { ProbeReport } from '../report/report.js';
import { layerOf } from '../report/layer-order.js';

/**
 * The runbook's first row decided: TSMP answered and TCP to the port timed out, so the packets die
 * in the tailnet ACL or in the gateway host's firewall. The tailnet policy evaluated for this node
 * (`report.tailnetPolicy`) and the host's packet filter read by its agent (`report.host.firewall`)
 * together name one: the ACL (with the entry to paste), or the host firewall (with the rule that
 * drops it). What could not be read is said, with how to enable it. PURE.
 */
export interface PortBlockedCause {
  cause: 'acl' | 'host-firewall' | 'neither' | 'undecided';
  evidence: string[];
  notes: string[];
  /** Replace the row's "suspect first" / "what to do" when the cause is known. */
  suspect?: string;
  do?: string;
}

type Firewall = NonNullable<NonNullable<ProbeReport['host']>['firewall']>;
type FirewallPort = Firewall['ports'][number];

export function portBlockedCause(report: ProbeReport): PortBlockedCause {
  const port = report.gateway.port;
  const policy = report.tailnetPolicy;
  const family = (layerOf(report, 'tcp')?.evidence?.address ?? '').includes(':') ? 'ipv6' : 'ipv4';
  const firewall = firewallView(report, port, family);
  const policyMissing =
    policy?.status === 'unavailable'
      ? (policy.reason ?? 'the tailnet policy was not checked')
      : policy
        ? undefined
        : 'the tailnet policy was not checked: this check had no admin API (tailscale.adminApi in clawops.yaml)';
  const destination = policy?.destination ?? `the gateway's port ${port}`;
  const node = policy?.node.length ? policy.node.join(', ') : 'this node';
  const testLines = (policy?.tests ?? []).map((test) => `the policy's own test expects ${test.expect}: ${test.text}`);

  if (policy?.status === 'denies') {
    const paste =
      policy.preferred === 'grants'
        ? [`grants: ${policy.suggestedGrant}`, `or in acls: ${policy.suggestedAcl}`]
        : [`acls: ${policy.suggestedAcl}`, `or as a grant: ${policy.suggestedGrant}`];
    return {
      cause: 'acl',
      evidence: [
        `tailnet policy: no rule lets ${node} reach ${destination}${policy.stale ? ' (last policy read; the admin API did not answer this time)' : ''}`,
        ...policy.otherRules.slice(0, 3).map((rule) => `${rule} (not this node)`),
        ...testLines,
        ...(firewall.drop ? [`the host firewall would drop it too: ${dropLine(firewall.drop)}`] : []),
      ],
      notes: [
        `paste into the policy file's ${paste[0]}`,
        paste[1]!,
        ...(testLines.some((line) => line.includes('expects deny'))
          ? ['the policy asserts this deny in its tests on purpose: change the test with the rule, or use a node that may reach gateways']
          : []),
      ],
      suspect: `the tailnet ACL: the policy does not let ${node} reach ${destination}`,
      do: `add the entry below to the tailnet policy file (admin console → Access controls, or your GitOps repo), then re-check; the host firewall comes after the ACL`,
    };
  }

  if (firewall.drop) {
    const rule = dropLine(firewall.drop);
    return {
      cause: 'host-firewall',
      evidence: [
        `host firewall (${firewall.tool}, host agent): ${rule}`,
        policy?.status === 'allows' ? `tailnet policy lets ${node} reach ${destination}: ${policy.rule}` : `${policyMissing}`,
      ],
      notes: [fixFor(firewall.drop, port)],
      suspect: `the host firewall on the gateway host: ${rule}`,
      do: `allow tcp/{port} in on tailscale0 on the gateway host (${firewall.drop.byPolicy ? 'add an accept rule before the policy applies' : 'delete or narrow that rule'}); ufw: \`ufw allow in on tailscale0 to any port {port} proto tcp\``,
    };
  }

  if (policy?.status === 'allows') {
    const allows = `tailnet policy lets ${node} reach ${destination}: ${policy.rule}`;
    if (firewall.accepts) {
      return {
        cause: 'neither',
        evidence: [
          allows,
          `host firewall (${firewall.tool}, host agent) accepts tcp/${port} on tailscale0`,
          ...firewall.conditional.map((line) => `conditional on the host: ${line}`),
        ],
        notes: ['neither the ACL nor the packet filter as read drops it: look at what clawops cannot read'],
        suspect: `neither the ACL (it allows this node) nor the host's packet filter (it accepts tcp/${port} on tailscale0): a firewall inside the Gateway's container or VM, tailscaled's --netfilter-mode, or a policy change not yet in this node's netmap`,
        do: 'on the gateway host: `tailscale debug netmap`/`tailscale status` for the peer, the container or VM firewall, and `tailscaled` flags; re-check after a minute',
      };
    }
    return {
      cause: 'host-firewall',
      evidence: [allows, `so not the ACL: the host firewall, by elimination (${firewall.missing})`],
      notes: [firewall.missing],
      suspect: `the host firewall on the gateway host (the tailnet policy allows this node: ${policy.rule?.split(' ')[0] ?? 'a rule'})`,
      do: 'on the gateway host: `sudo nft list ruleset | grep -n {port}` (or `sudo iptables-save | grep {port}`) and allow tcp/{port} in on tailscale0; ufw: `ufw allow in on tailscale0 to any port {port} proto tcp`',
    };
  }

  if (firewall.accepts) {
    return {
      cause: 'acl',
      evidence: [
        `host firewall (${firewall.tool}, host agent) accepts tcp/${port} on tailscale0`,
        `so not the host firewall: the tailnet ACL, by elimination (${policyMissing})`,
      ],
      notes: [`${policyMissing}: with it, clawops names the rule to add`],
      suspect: `the tailnet ACL (the host firewall accepts tcp/${port} on tailscale0)`,
      do: "allow this node → the gateway's port in the tailnet policy (`tag:ops → tag:gateway:{port}`); configure tailscale.adminApi so that clawops names the exact entry",
    };
  }

  return {
    cause: 'undecided',
    evidence: [`could not tell the ACL from the host firewall: ${policyMissing}; ${firewall.missing}`],
    notes: [policyMissing!, firewall.missing],
  };
}

interface FirewallView {
  tool: string;
  drop?: FirewallPort;
  accepts: boolean;
  conditional: string[];
  missing: string;
}

function firewallView(report: ProbeReport, port: number, family: 'ipv4' | 'ipv6'): FirewallView {
  const host = report.host;
  const name = report.gateway.name;
  if (!host)
    return {
      tool: '',
      accepts: false,
      conditional: [],
      missing: `the host firewall was not read: no host agent for ${name} (gateways.${name}.agent, and \`clawops agent --gateway ${name}\` on its host)`,
    };
  if (host.agent.status !== 'answered')
    return { tool: '', accepts: false, conditional: [], missing: 'the host firewall was not read: the host agent did not answer' };
  const firewall = host.firewall;
  if (!firewall)
    return {
      tool: '',
      accepts: false,
      conditional: [],
      missing: `the host firewall was not read: the agent did not read the packet filter (gateways.${name}.agent.firewall is false, or the agent predates it)`,
    };
  if (!firewall.available)
    return { tool: '', accepts: false, conditional: [], missing: `the host firewall was not read: ${firewall.detail ?? firewall.reason ?? 'unreadable'}` };
  const entry = firewall.ports.find((candidate) => candidate.port === port && candidate.family === family);
  if (!entry)
    return { tool: firewall.tool ?? 'packet filter', accepts: false, conditional: [], missing: `the host firewall was read, but not for port ${port}` };
  return {
    tool: firewall.tool ?? 'packet filter',
    ...(entry.verdict !== 'accept' ? { drop: entry } : {}),
    accepts: entry.verdict === 'accept',
    conditional: entry.conditional,
    missing: '',
  };
}

function dropLine(entry: FirewallPort): string {
  const verb = entry.verdict === 'reject' ? 'rejects' : 'drops';
  if (entry.byPolicy) return `${entry.chain ?? 'the input chain'} has policy drop and no rule accepts tcp/${entry.port} on tailscale0`;
  return `${entry.chain ?? 'a chain'}${entry.handle !== undefined ? ` handle ${entry.handle}` : ''} ${verb} tcp/${entry.port} from tailscale0: \`${entry.rule ?? '?'}\``;
}

function fixFor(entry: FirewallPort, port: number): string {
  if (entry.byPolicy)
    return `e.g. \`nft add rule ${entry.chain ?? 'inet filter input'} iifname "tailscale0" tcp dport ${port} accept\` (before the policy applies), or ufw: \`ufw allow in on tailscale0 to any port ${port} proto tcp\``;
  if (entry.handle !== undefined && entry.chain)
    return `remove it with \`nft delete rule ${entry.chain} handle ${entry.handle}\` (or narrow it), then re-check`;
  if (entry.rule?.startsWith('-A ')) {
    const [tool = 'iptables', table = 'filter'] = (entry.chain ?? '').split(' ');
    return `remove it with \`${tool} -t ${table} ${entry.rule.replace(/^-A /, '-D ')}\` (or in the tool that manages it: ufw, firewalld), then re-check`;
  }
  return 'remove or narrow that rule, then re-check';
}
