import { describe, expect, it } from 'vitest';
import { auditGatewayAccess, type AuditOptions } from '../../src/policy/acl-audit.js';
import { parsePolicy, type Policy } from '../../src/policy/policy.js';

function policy(hujson: string): Policy {
  const parsed = parsePolicy(hujson);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.policy;
}

const GATEWAY = { name: 'prod', target: 'tag:gateway', port: 18789 };
const OPTIONS: AuditOptions = { gateways: [GATEWAY], maxGroupSize: 5 };
const DENY_TEST = `"tests": [
    { "src": "ops1@example.com", "accept": ["tag:gateway:18789"] },
    { "src": "autogroup:member", "deny": ["tag:gateway:18789"] },
  ],`;

interface Row {
  name: string;
  hujson: string;
  options?: Partial<AuditOptions>;
  /** `reason@section[index]` for each acl-too-broad finding, plus `missing-deny-test`. */
  findings: string[];
  reaches: { anyone?: boolean; allMembers?: boolean; users?: string[]; tags?: string[]; rules?: string[] };
}

const rows: Row[] = [
  {
    name: 'tight: tag:ops → tag:gateway:18789, with deny tests',
    hujson: `{
      // only the ops machines reach the gateways
      "acls": [
        { "action": "accept", "src": ["tag:ops"], "dst": ["tag:gateway:18789"] },
        { "action": "accept", "src": ["autogroup:member"], "dst": ["tag:web:443"] }, // other tag: not the gateway
      ],
      ${DENY_TEST}
    }`,
    findings: [],
    reaches: { anyone: false, allMembers: false, tags: ['tag:ops'], users: [], rules: ['acls[0]'] },
  },
  {
    name: '*:* for everyone',
    hujson: `{ "acls": [ { "action": "accept", "src": ["*"], "dst": ["*:*"] } ], ${DENY_TEST} }`,
    findings: ['wildcard-source@acls[0]', 'wildcard-destination@acls[0]'],
    reaches: { anyone: true, rules: ['acls[0]'] },
  },
  {
    name: 'autogroup:member on the gateway tag, all ports',
    hujson: `{ "acls": [ { "action": "accept", "src": ["autogroup:member"], "dst": ["tag:gateway:*"] } ], ${DENY_TEST} }`,
    findings: ['all-members@acls[0]'],
    reaches: { allMembers: true, rules: ['acls[0]'] },
  },
  {
    name: 'grant with ip ["*"] from everyone',
    hujson: `{ "grants": [ { "src": ["*"], "dst": ["tag:gateway"], "ip": ["*"] } ], ${DENY_TEST} }`,
    findings: ['wildcard-source@grants[0]'],
    reaches: { anyone: true, rules: ['grants[0]'] },
  },
  {
    name: 'grant ["tcp:18789"] from a small group is fine',
    hujson: `{
      "groups": { "group:ops": ["ops1@example.com", "ops2@example.com"] },
      "grants": [
        { "src": ["group:ops"], "dst": ["tag:gateway"], "ip": ["tcp:18789"] },
        { "src": ["*"], "dst": ["tag:gateway"], "ip": ["udp:18789", "tcp:22"] }, // other proto/port
        { "src": ["*"], "dst": ["tag:gateway"], "app": { "example.com/cap/x": [{}] } }, // app-only
      ],
      ${DENY_TEST}
    }`,
    findings: [],
    reaches: { users: ['ops1@example.com', 'ops2@example.com'], rules: ['grants[0]'] },
  },
  {
    name: 'grant with a bare port and *:* style dst * + ip *',
    hujson: `{
      "groups": { "group:ops": ["ops1@example.com"] },
      "grants": [
        { "src": ["group:ops"], "dst": ["tag:gateway"], "ip": ["18789"] },
        { "src": ["group:ops"], "dst": ["*"], "ip": ["*"] },
      ],
      ${DENY_TEST}
    }`,
    findings: ['wildcard-destination@grants[1]'],
    reaches: { users: ['ops1@example.com'], rules: ['grants[0]', 'grants[1]'] },
  },
  {
    name: 'a big group',
    hujson: `{
      "groups": {
        "group:eng": ["a@example.com", "b@example.com", "c@example.com", "d@example.com", "e@example.com", "f@example.com"],
      },
      "acls": [ { "action": "accept", "src": ["group:eng"], "dst": ["tag:gateway:18789"] } ],
      ${DENY_TEST}
    }`,
    findings: ['large-group@acls[0]'],
    reaches: { users: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com', 'e@example.com', 'f@example.com'] },
  },
  {
    name: 'port ranges and comma lists',
    hujson: `{
      "acls": [
        { "action": "accept", "src": ["autogroup:member"], "dst": ["tag:gateway:18000-19000"] },
        { "action": "accept", "src": ["*"], "dst": ["tag:gateway:80,443,18789"] },
        { "action": "accept", "src": ["*"], "dst": ["tag:gateway:19000-20000"] }, // does not include 18789
        { "action": "accept", "src": ["*"], "proto": "udp", "dst": ["tag:gateway:18789"] }, // not TCP
      ],
      ${DENY_TEST}
    }`,
    findings: ['all-members@acls[0]', 'wildcard-source@acls[1]'],
    reaches: { anyone: true, allMembers: true, rules: ['acls[0]', 'acls[1]'] },
  },
  {
    name: 'missing tests',
    hujson: `{ "acls": [ { "action": "accept", "src": ["tag:ops"], "dst": ["tag:gateway:18789"] } ] }`,
    findings: ['missing-deny-test'],
    reaches: { tags: ['tag:ops'] },
  },
  {
    name: 'a deny test for another port does not count',
    hujson: `{
      "acls": [ { "action": "accept", "src": ["tag:ops"], "dst": ["tag:gateway:18789"] } ],
      "tests": [ { "src": "autogroup:member", "deny": ["tag:gateway:22"] } ],
    }`,
    findings: ['missing-deny-test'],
    reaches: { tags: ['tag:ops'] },
  },
  {
    name: 'hosts aliases and CIDRs select an IP-named gateway; legacy users/ports spellings',
    hujson: `{
      "hosts": { "gw-prod": "100.101.102.103", "tailnet": "100.64.0.0/10" },
      "acls": [
        { "action": "accept", "users": ["tag:ops"], "ports": ["gw-prod:18789"] },
        { "action": "accept", "src": ["autogroup:member"], "dst": ["tailnet:18789"] },
        { "action": "accept", "src": ["0.0.0.0/0"], "dst": ["100.101.102.103:*"] },
      ],
      "tests": [ { "src": "autogroup:member", "deny": ["gw-prod:18789"] } ],
    }`,
    options: { gateways: [{ name: 'prod', target: '100.101.102.103', port: 18789 }] },
    findings: ['all-members@acls[1]', 'wildcard-source@acls[2]'],
    reaches: { anyone: true, allMembers: true, tags: ['tag:ops'], rules: ['acls[0]', 'acls[1]', 'acls[2]'] },
  },
  {
    name: 'opsGroups: a source outside them is flagged',
    hujson: `{
      "groups": { "group:ops": ["ops1@example.com"], "group:support": ["s1@example.com"] },
      "acls": [ { "action": "accept", "src": ["group:ops", "group:support"], "dst": ["tag:gateway:18789"] } ],
      ${DENY_TEST}
    }`,
    options: { opsGroups: ['group:ops'] },
    findings: ['unexpected-source@acls[0]'],
    reaches: { users: ['ops1@example.com', 's1@example.com'] },
  },
];

function label(finding: { reason: string; section?: string; ruleIndex?: number }): string {
  return finding.section ? `${finding.reason}@${finding.section}[${finding.ruleIndex}]` : finding.reason;
}

describe('auditGatewayAccess', () => {
  it.each(rows)('$name', (row) => {
    const audit = auditGatewayAccess(policy(row.hujson), { ...OPTIONS, ...row.options });
    expect(audit.findings.map(label).sort()).toEqual([...row.findings].sort());
    const access = audit.access[0]!;
    if (row.reaches.anyone !== undefined) expect(access.anyone).toBe(row.reaches.anyone);
    if (row.reaches.allMembers !== undefined) expect(access.allMembers).toBe(row.reaches.allMembers);
    if (row.reaches.users) expect(access.users).toEqual(row.reaches.users);
    if (row.reaches.tags) expect(access.tags).toEqual(row.reaches.tags);
    if (row.reaches.rules) expect(access.rules.map((r) => `${r.section}[${r.index}]`)).toEqual(row.reaches.rules);
  });

  it('quotes the offending rule and rates a wildcard source critical', () => {
    const audit = auditGatewayAccess(policy(`{ "acls": [ { "action": "accept", "src": ["*"], "dst": ["*:*"] } ] }`), OPTIONS);
    const wildcard = audit.findings.find((f) => f.reason === 'wildcard-source')!;
    expect(wildcard).toMatchObject({ id: 'acl-too-broad', severity: 'critical', gateway: 'prod', ruleIndex: 0, source: '*' });
    expect(JSON.parse(wildcard.ruleText!)).toEqual({ action: 'accept', src: ['*'], dst: ['*:*'] });
    expect(wildcard.message).toContain('tag:gateway:18789');
  });

  it('reports the size of a large group', () => {
    const members = Array.from({ length: 8 }, (_, i) => `"u${i}@example.com"`).join(',');
    const audit = auditGatewayAccess(
      policy(`{ "groups": { "group:all": [${members}] }, "acls": [ { "action": "accept", "src": ["group:all"], "dst": ["tag:gateway:18789"] } ] }`),
      OPTIONS,
    );
    expect(audit.findings.find((f) => f.reason === 'large-group')).toMatchObject({ groupSize: 8, source: 'group:all', severity: 'warning' });
  });

  it('suggests ready-to-paste tests for a gateway without a deny test', () => {
    const audit = auditGatewayAccess(policy(`{ "acls": [] }`), {
      gateways: [GATEWAY, { name: 'v6', target: 'fd7a:115c:a1e0::53', port: 18789 }],
      maxGroupSize: 5,
      opsGroups: ['tag:ops'],
    });
    const missing = audit.findings.filter((f) => f.id === 'acl-missing-deny-test');
    expect(missing.map((f) => f.gateway)).toEqual(['prod', 'v6']);
    expect(missing[0]!.suggestedTests).toEqual([
      { src: 'autogroup:member', deny: ['tag:gateway:18789'] },
      { src: 'tag:ops', accept: ['tag:gateway:18789'] },
    ]);
    expect(JSON.stringify(missing[0]!.suggestedTests![0])).toBe('{"src":"autogroup:member","deny":["tag:gateway:18789"]}');
    expect(missing[1]!.suggestedTests![0]).toEqual({ src: 'autogroup:member', deny: ['[fd7a:115c:a1e0::53]:18789'] });
    expect(audit.suggestedTests).toHaveLength(4);
  });

  it('audits several gateways on different ports independently', () => {
    const audit = auditGatewayAccess(
      policy(`{ "acls": [ { "action": "accept", "src": ["autogroup:member"], "dst": ["tag:gateway:18789"] } ], ${DENY_TEST} }`),
      { gateways: [GATEWAY, { name: 'staging', target: 'tag:gateway', port: 28789 }], maxGroupSize: 5 },
    );
    expect(audit.access.map((a) => a.rules.length)).toEqual([1, 0]);
    expect(audit.findings.map((f) => `${f.gateway}:${f.reason}`).sort()).toEqual(['prod:all-members', 'staging:missing-deny-test']);
  });
});

describe('parsePolicy', () => {
  it('reports HuJSON errors with offsets and line/column', () => {
    const parsed = parsePolicy('{\n  "acls": [\n    { "action": "accept" "src": ["*"] },\n  ],\n}');
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems[0]).toMatchObject({ code: 'CommaExpected', line: 3, offset: expect.any(Number) });
  });

  it('names the path of a schema problem', () => {
    const parsed = parsePolicy('{ "groups": { "group:ops": "ops1@example.com" } }');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]!.path).toBe('groups.group:ops');
  });
});
