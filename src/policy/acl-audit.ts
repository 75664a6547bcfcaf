import type { Policy, PolicyTest } from './policy.js';
import { aclProtoAllowsTcp, ipEntryAllowsTcp, portsInclude, splitDestination } from './policy-ports.js';
import { expandGroup, sourceKind, targetSelects, testDestination } from './policy-targets.js';

/**
 * Who can reach each gateway's port, according to the policy file, and what is too broad about it
 * (symptom row `acl-too-broad`). PURE: a policy in, findings out. The target state is the
 * runbook's `tag:ops → tag:gateway:<port>`, with policy `tests` that assert the deny for everyone else.
 */

export interface AuditGateway {
  name: string;
  /** How the policy names the gateway: `tag:gateway`, a `hosts` alias, or an IP. */
  target: string;
  port: number;
  /** The gateway's tailnet IPs, so rules written against IPs or CIDRs are seen too. */
  ips?: string[];
}

export interface AuditOptions {
  gateways: AuditGateway[];
  /** A group with more members than this reaching a gateway is too broad. */
  maxGroupSize: number;
  /** Sources expected to reach gateways (`group:ops`, `tag:ops`); any other source is flagged. */
  opsGroups?: string[];
  /** Source for the suggested deny tests. */
  denyTestSource?: string;
}

export type FindingReason = 'wildcard-source' | 'all-members' | 'large-group' | 'wildcard-destination' | 'unexpected-source' | 'missing-deny-test';

export interface AclFinding {
  id: 'acl-too-broad' | 'acl-missing-deny-test';
  severity: 'critical' | 'warning';
  reason: FindingReason;
  gateway: string;
  section?: 'acls' | 'grants';
  ruleIndex?: number;
  /** The rule as JSON, to quote in the verdict. */
  ruleText?: string;
  source?: string;
  groupSize?: number;
  message: string;
  /** Ready-to-paste entries for the policy's `tests`. */
  suggestedTests?: PolicyTest[];
}

export interface ReachingRule {
  section: 'acls' | 'grants';
  index: number;
  text: string;
  sources: string[];
  /** The destination entry (or grant dst + ip) that selected the gateway port. */
  matched: string;
}

export interface GatewayAccess {
  gateway: string;
  target: string;
  port: number;
  rules: ReachingRule[];
  /** Sources as written in the rules. */
  sources: string[];
  /** `*` (or 0.0.0.0/0) reaches the port: anyone on the tailnet, shared users and subnets. */
  anyone: boolean;
  /** autogroup:member reaches the port. */
  allMembers: boolean;
  /** User logins, with groups expanded. */
  users: string[];
  tags: string[];
  /** IPs, hosts aliases and other autogroups. */
  other: string[];
}

export interface AclAudit {
  findings: AclFinding[];
  access: GatewayAccess[];
  suggestedTests: PolicyTest[];
}

function identitiesOf(gateway: AuditGateway): string[] {
  return [gateway.target, ...(gateway.ips ?? [])];
}

export function reachingRules(policy: Policy, gateway: AuditGateway): ReachingRule[] {
  const identities = identitiesOf(gateway);
  const rules: ReachingRule[] = [];
  policy.acls.forEach((rule, index) => {
    if (rule.action !== 'accept' || !aclProtoAllowsTcp(rule.proto)) return;
    const matched = rule.dst.find((entry) => {
      const dst = splitDestination(entry);
      return dst !== undefined && portsInclude(dst.ports, gateway.port) && targetSelects(dst.target, identities, policy.hosts);
    });
    if (matched) rules.push({ section: 'acls', index, text: JSON.stringify(ruleForText(rule)), sources: rule.src, matched });
  });
  policy.grants.forEach((grant, index) => {
    const dst = grant.dst.find((entry) => targetSelects(entry, identities, policy.hosts));
    const ip = grant.ip?.find((entry) => ipEntryAllowsTcp(entry, gateway.port));
    if (dst === undefined || ip === undefined) return;
    const text = JSON.stringify({ src: grant.src, dst: grant.dst, ip: grant.ip });
    rules.push({ section: 'grants', index, text, sources: grant.src, matched: `${dst} ip ${ip}` });
  });
  return rules;
}

function ruleForText(rule: Policy['acls'][number]): Record<string, unknown> {
  return { action: rule.action, src: rule.src, ...(rule.proto ? { proto: rule.proto } : {}), dst: rule.dst };
}

function isWildcardDestination(rule: ReachingRule, policy: Policy): boolean {
  if (rule.section === 'acls') return policy.acls[rule.index]?.dst.includes('*:*') ?? false;
  const grant = policy.grants[rule.index];
  return (grant?.dst.includes('*') ?? false) && (grant?.ip?.includes('*') ?? false);
}

function accessFor(policy: Policy, gateway: AuditGateway, rules: ReachingRule[]): GatewayAccess {
  const sources = [...new Set(rules.flatMap((rule) => rule.sources))];
  const users = new Set<string>();
  const tags = new Set<string>();
  const other = new Set<string>();
  for (const source of sources) {
    const kind = sourceKind(source, policy.hosts);
    if (kind === 'group') expandGroup(source, policy.groups).forEach((member) => users.add(member));
    else if (kind === 'user') users.add(source);
    else if (kind === 'tag') tags.add(source);
    else if (kind === 'address' || kind === 'autogroup') other.add(source);
  }
  return {
    gateway: gateway.name,
    target: gateway.target,
    port: gateway.port,
    rules,
    sources,
    anyone: sources.some((source) => sourceKind(source, policy.hosts) === 'wildcard'),
    allMembers: sources.some((source) => sourceKind(source, policy.hosts) === 'all-members'),
    users: [...users].sort(),
    tags: [...tags].sort(),
    other: [...other].sort(),
  };
}

function sourceFindings(policy: Policy, gateway: AuditGateway, rule: ReachingRule, options: AuditOptions): AclFinding[] {
  const findings: AclFinding[] = [];
  const where = `${rule.section}[${rule.index}]`;
  const reach = `${gateway.target}:${gateway.port} (${gateway.name})`;
  const base = { id: 'acl-too-broad' as const, gateway: gateway.name, section: rule.section, ruleIndex: rule.index, ruleText: rule.text };
  for (const source of rule.sources) {
    const kind = sourceKind(source, policy.hosts);
    if (kind === 'wildcard') {
      findings.push({
        ...base,
        severity: 'critical',
        reason: 'wildcard-source',
        source,
        message: `${where} lets ${source} (anyone on the tailnet) reach ${reach}`,
      });
    } else if (kind === 'all-members') {
      findings.push({ ...base, severity: 'warning', reason: 'all-members', source, message: `${where} lets every tailnet member (${source}) reach ${reach}` });
    } else if (kind === 'group' && expandGroup(source, policy.groups).length > options.maxGroupSize) {
      const groupSize = expandGroup(source, policy.groups).length;
      findings.push({
        ...base,
        severity: 'warning',
        reason: 'large-group',
        source,
        groupSize,
        message: `${where} lets ${source} (${groupSize} members, more than ${options.maxGroupSize}) reach ${reach}`,
      });
    } else if (options.opsGroups && !options.opsGroups.includes(source)) {
      findings.push({
        ...base,
        severity: 'warning',
        reason: 'unexpected-source',
        source,
        message: `${where} lets ${source}, which is not an ops source, reach ${reach}`,
      });
    }
  }
  if (isWildcardDestination(rule, policy)) {
    const anyoneSource = rule.sources.some((source) => sourceKind(source, policy.hosts) === 'wildcard');
    findings.push({
      ...base,
      severity: anyoneSource ? 'critical' : 'warning',
      reason: 'wildcard-destination',
      message: `${where} opens every port of every node (${rule.matched}) to ${rule.sources.join(', ')}`,
    });
  }
  return findings;
}

function hasDenyTest(policy: Policy, gateway: AuditGateway): boolean {
  const identities = identitiesOf(gateway);
  return policy.tests.some((test) =>
    test.deny.some((entry) => {
      const dst = splitDestination(entry);
      return dst !== undefined && dst.target !== '*' && portsInclude(dst.ports, gateway.port) && targetSelects(dst.target, identities, policy.hosts);
    }),
  );
}

function testsFor(gateway: AuditGateway, options: AuditOptions): PolicyTest[] {
  const destination = testDestination(gateway.target, gateway.port);
  const tests: PolicyTest[] = [{ src: options.denyTestSource ?? 'autogroup:member', deny: [destination] }];
  for (const ops of options.opsGroups ?? []) tests.push({ src: ops, accept: [destination] });
  return tests;
}

export function auditGatewayAccess(policy: Policy, options: AuditOptions): AclAudit {
  const findings: AclFinding[] = [];
  const access: GatewayAccess[] = [];
  const suggestedTests: PolicyTest[] = [];
  for (const gateway of options.gateways) {
    const rules = reachingRules(policy, gateway);
    access.push(accessFor(policy, gateway, rules));
    for (const rule of rules) findings.push(...sourceFindings(policy, gateway, rule, options));
    if (!hasDenyTest(policy, gateway)) {
      const tests = testsFor(gateway, options);
      suggestedTests.push(...tests);
      findings.push({
        id: 'acl-missing-deny-test',
        severity: 'warning',
        reason: 'missing-deny-test',
        gateway: gateway.name,
        message: `no policy test asserts that ${testDestination(gateway.target, gateway.port)} (${gateway.name}) is denied to non-ops sources`,
        suggestedTests: tests,
      });
    }
  }
  return { findings, access, suggestedTests };
}
