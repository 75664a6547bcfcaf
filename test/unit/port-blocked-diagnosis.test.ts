import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { ProbeReportSchema, type HostEvidenceData, type ProbeReport, type TailnetPolicyEvidenceData } from '../../src/report/report.js';
import { GATEWAY_ADDRESS, GATEWAY_PORT, GATEWAY_VERSION, healthyReport, notReachedAfter, settle, withLayer, withTailnet } from '../support/reports.js';

/**
 * The runbook's first row, decided (TSMP ok + TCP timeout): every combination of what the tailnet
 * policy says for this node and what the host's packet filter does, as literal reports, to the one
 * cause the verdict names — or to exactly what was missing to name it.
 */

function blocked(extra: { tailnetPolicy?: TailnetPolicyEvidenceData; host?: HostEvidenceData } = {}): ProbeReport {
  const report = settle(
    notReachedAfter(
      withLayer(withTailnet(healthyReport()), {
        layer: 'tcp',
        status: 'failed',
        startMs: 0.2,
        durationMs: 3000,
        summary: `${GATEWAY_ADDRESS}:${GATEWAY_PORT} timeout after 3000 ms`,
        evidence: { address: GATEWAY_ADDRESS, port: GATEWAY_PORT, error: 'timeout' },
      }),
      'tcp',
    ),
  );
  return ProbeReportSchema.parse({ ...report, ...extra });
}

const denies: TailnetPolicyEvidenceData = {
  status: 'denies',
  node: ['tag:clawops'],
  destination: `tag:gateway:${GATEWAY_PORT}`,
  otherRules: [`acls[0] lets tag:ops reach it`],
  suggestedGrant: `{"src":["tag:clawops"],"dst":["tag:gateway"],"ip":["tcp:${GATEWAY_PORT}"]}`,
  suggestedAcl: `{"action":"accept","src":["tag:clawops"],"dst":["tag:gateway:${GATEWAY_PORT}"]}`,
  preferred: 'acls',
  tests: [],
};
const allows: TailnetPolicyEvidenceData = {
  status: 'allows',
  node: ['tag:clawops'],
  destination: `tag:gateway:${GATEWAY_PORT}`,
  rule: `acls[1] {"action":"accept","src":["tag:clawops"],"dst":["tag:gateway:${GATEWAY_PORT}"]}`,
  otherRules: [],
  tests: [],
};
const noAdmin: TailnetPolicyEvidenceData = {
  status: 'unavailable',
  reason: 'the tailnet policy was not checked: no admin API configured (add tailscale.adminApi …)',
  node: [],
  otherRules: [],
  tests: [],
};

type Firewall = NonNullable<HostEvidenceData['firewall']>;
const nftDrop: Firewall = {
  available: true,
  tool: 'nft -j list ruleset',
  interface: 'tailscale0',
  ports: [
    {
      port: GATEWAY_PORT,
      family: 'ipv4',
      verdict: 'drop',
      chain: 'inet filter input',
      rule: `iifname "tailscale0" tcp dport ${GATEWAY_PORT} counter drop`,
      handle: 6,
      byPolicy: false,
      conditional: [],
    },
  ],
};
const iptablesPolicyDrop: Firewall = {
  available: true,
  tool: 'iptables-save',
  interface: 'tailscale0',
  ports: [{ port: GATEWAY_PORT, family: 'ipv4', verdict: 'drop', chain: 'iptables filter INPUT', byPolicy: true, conditional: [] }],
};
const iptablesReject: Firewall = {
  available: true,
  tool: 'iptables-save',
  interface: 'tailscale0',
  ports: [
    {
      port: GATEWAY_PORT,
      family: 'ipv4',
      verdict: 'reject',
      chain: 'iptables filter ufw-user-input',
      rule: '-A ufw-user-input -i tailscale0 -p tcp -m multiport --dports 80,443,18000:18999 -j REJECT --reject-with tcp-reset',
      byPolicy: false,
      conditional: [],
    },
  ],
};
const accepts: Firewall = {
  available: true,
  tool: 'nft -j list ruleset',
  interface: 'tailscale0',
  ports: [{ port: GATEWAY_PORT, family: 'ipv4', verdict: 'accept', byPolicy: false, conditional: [] }],
};
const denied: Firewall = {
  available: false,
  reason: 'permission-denied',
  detail: 'nft: Operation not permitted; reading netfilter rules needs CAP_NET_ADMIN: …',
  interface: 'tailscale0',
  ports: [],
};

const agent = (firewall?: Firewall): HostEvidenceData => ({
  agent: { status: 'answered', deadlineMs: 3_000, durationMs: 120, hostname: 'gw-prod', version: '0.1.0' },
  loopback: { url: `ws://127.0.0.1:${GATEWAY_PORT}`, ok: true, serverVersion: GATEWAY_VERSION, summary: `hello-ok · ${GATEWAY_VERSION}`, layers: [] },
  ...(firewall ? { firewall } : {}),
});

interface Row {
  name: string;
  report: ProbeReport;
  id: string;
  /** Substrings of the primary verdict's `suspect` column. */
  suspect: string[];
  evidence: string[];
  notes?: string[];
  todo?: string[];
}

const rows: Row[] = [
  {
    name: 'policy denies this node → the ACL, with the entry to paste',
    report: blocked({ tailnetPolicy: denies }),
    id: 'tailnet-port-blocked',
    suspect: ['the tailnet ACL', `tag:clawops reach tag:gateway:${GATEWAY_PORT}`],
    evidence: [`no rule lets tag:clawops reach tag:gateway:${GATEWAY_PORT}`, 'acls[0] lets tag:ops reach it (not this node)'],
    notes: [
      `acls: {"action":"accept","src":["tag:clawops"],"dst":["tag:gateway:${GATEWAY_PORT}"]}`,
      `or as a grant: {"src":["tag:clawops"],"dst":["tag:gateway"],"ip":["tcp:${GATEWAY_PORT}"]}`,
    ],
  },
  {
    name: 'policy denies, grants-style policy → the grant first; a deny test says it is on purpose',
    report: blocked({
      tailnetPolicy: {
        ...denies,
        preferred: 'grants',
        tests: [{ expect: 'deny', text: `tests[0] {"src":"tag:clawops","deny":["tag:gateway:${GATEWAY_PORT}"]}` }],
      },
    }),
    id: 'tailnet-port-blocked',
    suspect: ['the tailnet ACL'],
    evidence: ["the policy's own test expects deny: tests[0]"],
    notes: ['policy file\'s grants: {"src":["tag:clawops"]', 'asserts this deny in its tests on purpose'],
  },
  {
    name: 'policy allows + nft drop rule → the host firewall, naming the rule and its handle',
    report: blocked({ tailnetPolicy: allows, host: agent(nftDrop) }),
    id: 'tailnet-port-blocked',
    suspect: ['the host firewall', `iifname "tailscale0" tcp dport ${GATEWAY_PORT} counter drop`],
    evidence: [
      `host firewall (nft -j list ruleset, host agent): inet filter input handle 6 drops tcp/${GATEWAY_PORT}`,
      `tailnet policy lets tag:clawops reach tag:gateway:${GATEWAY_PORT}: acls[1]`,
    ],
    notes: ['nft delete rule inet filter input handle 6'],
    todo: [`ufw allow in on tailscale0 to any port ${GATEWAY_PORT} proto tcp`],
  },
  {
    name: 'policy allows + iptables policy drop → the host firewall (its policy)',
    report: blocked({ tailnetPolicy: allows, host: agent(iptablesPolicyDrop) }),
    id: 'tailnet-port-blocked',
    suspect: ['the host firewall', 'iptables filter INPUT has policy drop'],
    evidence: [`no rule accepts tcp/${GATEWAY_PORT} on tailscale0`],
    notes: [`iifname "tailscale0" tcp dport ${GATEWAY_PORT} accept`],
  },
  {
    name: 'no admin API, but the agent reads a reject → the host firewall; the ACL not checked is said',
    report: blocked({ tailnetPolicy: noAdmin, host: agent(iptablesReject) }),
    id: 'tailnet-port-blocked',
    suspect: ['the host firewall', '--dports 80,443,18000:18999 -j REJECT'],
    evidence: ['rejects tcp/18789 from tailscale0', 'the tailnet policy was not checked: no admin API configured'],
    notes: ['iptables -t filter -D ufw-user-input -i tailscale0'],
  },
  {
    name: 'policy allows, no host agent → the host firewall by elimination, and how to name the rule',
    report: blocked({ tailnetPolicy: allows }),
    id: 'tailnet-port-blocked',
    suspect: ['the host firewall on the gateway host (the tailnet policy allows this node: acls[1])'],
    evidence: ['so not the ACL: the host firewall, by elimination', 'no host agent for prod (gateways.prod.agent'],
    todo: [`sudo nft list ruleset | grep -n ${GATEWAY_PORT}`],
  },
  {
    name: 'policy allows, the agent lacks CAP_NET_ADMIN → the host firewall, and how to let the agent read it',
    report: blocked({ tailnetPolicy: allows, host: agent(denied) }),
    id: 'tailnet-port-blocked',
    suspect: ['the host firewall'],
    evidence: ['by elimination', 'CAP_NET_ADMIN'],
  },
  {
    name: 'no admin API, the host accepts → the ACL by elimination',
    report: blocked({ tailnetPolicy: noAdmin, host: agent(accepts) }),
    id: 'tailnet-port-blocked',
    suspect: ['the tailnet ACL (the host firewall accepts tcp/18789 on tailscale0)'],
    evidence: ['so not the host firewall: the tailnet ACL, by elimination'],
    notes: ['clawops names the rule to add'],
  },
  {
    name: 'policy allows and the host accepts → neither, with what clawops cannot see',
    report: blocked({ tailnetPolicy: allows, host: agent(accepts) }),
    id: 'tailnet-port-blocked',
    suspect: ['neither the ACL', "a firewall inside the Gateway's container or VM"],
    evidence: ['accepts tcp/18789 on tailscale0'],
  },
];

describe('tailnet-port-blocked: ACL or host firewall', () => {
  it.each(rows)('$name', (row) => {
    const diagnosis = diagnose(row.report);
    const primary = diagnosis.verdicts[0]!;
    expect(primary.id).toBe(row.id);
    for (const text of row.suspect) expect(primary.suspect).toContain(text);
    for (const text of row.evidence) expect(primary.evidence.join('\n')).toContain(text);
    for (const text of row.notes ?? []) expect(primary.notes.join('\n')).toContain(text);
    for (const text of row.todo ?? []) expect(primary.do).toContain(text);
    // A decided cause is never the undecided row text.
    expect(primary.suspect).not.toBe('the port is missing from the tailnet ACL, or the host firewall drops it');
  });

  it('with nothing to decide by, it says exactly what is missing (no admin API, no agent) and keeps the row', () => {
    const primary = diagnose(blocked()).verdicts[0]!;
    expect(primary.id).toBe('tailnet-port-blocked');
    expect(primary.suspect).toBe('the port is missing from the tailnet ACL, or the host firewall drops it');
    expect(primary.evidence.join('\n')).toContain('could not tell the ACL from the host firewall: the tailnet policy was not checked');
    expect(primary.notes.join('\n')).toContain('gateways.prod.agent');
    expect(primary.notes.join('\n')).toMatch(/tailscale\.adminApi/);
  });

  it('undecided with a healthy agent stays network-path (the Gateway is fine), decided stays the named row', () => {
    expect(diagnose(blocked({ tailnetPolicy: noAdmin, host: agent() })).verdicts[0]!.id).toBe('network-path');
    const decided = diagnose(blocked({ tailnetPolicy: denies, host: agent() })).verdicts[0]!;
    expect(decided.id).toBe('tailnet-port-blocked');
    expect(decided.notes.join('\n')).toContain('on its host the Gateway answers');
  });
});
