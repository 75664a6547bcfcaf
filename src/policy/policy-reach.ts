import { BlockList, isIP } from 'node:net';
import { reachingRules, type AuditGateway, type ReachingRule } from './acl-audit.js';
import type { Policy } from './policy.js';
import { aclProtoAllowsTcp, portsInclude, splitDestination } from './policy-ports.js';
import { expandGroup, isEverything, resolveHost, targetSelects, testDestination } from './policy-targets.js';

/**
 * May THIS node reach a gateway's port, by the tailnet policy? The ACL audit asks "who can reach
 * the gateway"; this asks it for one source: this clawops node, as the policy sees it — its tags
 * when it is tagged (a tagged node is no longer its user's), else its user login and the groups
 * that name it, and always its tailnet IPs. PURE: a policy and an identity in, an answer out.
 *
 * It decides the runbook's first row (TSMP ok, TCP times out): denied → the ACL, with the rule
 * that would allow it ready to paste; allowed → not the ACL, so the host firewall.
 */

export interface NodeIdentity {
  /** ACL tags of this node (`tag:clawops`); empty for a user's node. */
  tags: string[];
  /** The owner's login (`ops1@example.com`) for an untagged node. */
  user?: string;
  /** This node's tailnet addresses. */
  ips: string[];
}

export interface PolicyTestMention {
  /** What the policy's own test expects for this node and port. */
  expect: 'accept' | 'deny';
  /** `tests[0] {"src":"tag:ops","accept":["tag:gateway:18789"]}` */
  text: string;
}

export interface ReachEvaluation {
  allowed: boolean;
  /** This node as the policy matches it: `tag:clawops`, or `ops1@example.com` (+ `group:ops`). */
  node: string[];
  /** `tag:gateway:18789` */
  destination: string;
  /** The first rule that lets this node reach the port: `acls[0] {"action":"accept",…}`. */
  rule?: string;
  /** When denied: rules that open the port to other sources (`acls[0] lets tag:ops reach it`). */
  otherRules: string[];
  /** When denied: what to paste, as a grant and as an acls entry. */
  suggestion?: { grant: string; acl: string; preferred: 'grants' | 'acls' };
  /** The policy's `tests` that assert this node's access to the port either way. */
  tests: PolicyTestMention[];
}

/** Whether a rule's source entry selects this node. */
export function sourceSelects(source: string, node: NodeIdentity, policy: Policy): boolean {
  const tagged = node.tags.length > 0;
  if (source === '*' || isEverything(source, policy.hosts)) return true;
  if (source === 'autogroup:member' || source === 'autogroup:members') return !tagged && node.user !== undefined;
  if (source === 'autogroup:tagged') return tagged;
  if (source.startsWith('tag:')) return node.tags.includes(source);
  if (source.startsWith('group:'))
    return !tagged && node.user !== undefined && expandGroup(source, policy.groups).some((member) => sameLogin(member, node.user!));
  if (source.startsWith('autogroup:')) return false; // admin, owner, …: roles this node cannot see
  if (source.includes('@')) return !tagged && node.user !== undefined && sameLogin(source, node.user);
  return node.ips.some((ip) => addressCovers(resolveHost(source, policy.hosts), ip));
}

export function evaluateReach(policy: Policy, gateway: AuditGateway, node: NodeIdentity): ReachEvaluation {
  const destination = testDestination(gateway.target, gateway.port);
  const rules = reachingRules(policy, gateway);
  const allowing = rules.find((rule) => rule.sources.some((source) => sourceSelects(source, node, policy)));
  const tests = testsFor(policy, gateway, node);
  const identity = describeNode(node, policy);
  if (allowing) return { allowed: true, node: identity, destination, rule: ruleText(allowing), otherRules: [], tests };
  return {
    allowed: false,
    node: identity,
    destination,
    otherRules: rules.slice(0, 5).map((rule) => `${rule.section}[${rule.index}] lets ${rule.sources.join(', ')} reach it`),
    suggestion: suggestionFor(policy, gateway, node),
    tests,
  };
}

function ruleText(rule: ReachingRule): string {
  return `${rule.section}[${rule.index}] ${rule.text}`;
}

/** The entry to paste: this node's tag (or login) → the gateway's target on its port. */
function suggestionFor(policy: Policy, gateway: AuditGateway, node: NodeIdentity): ReachEvaluation['suggestion'] {
  const source = node.tags[0] ?? node.user ?? node.ips[0] ?? 'tag:clawops';
  const grant = JSON.stringify({ src: [source], dst: [gateway.target], ip: [`tcp:${gateway.port}`] });
  const acl = JSON.stringify({ action: 'accept', src: [source], dst: [testDestination(gateway.target, gateway.port)] });
  // Follow the file's own style: a policy written in grants gets a grant.
  const preferred = policy.grants.length > 0 && policy.acls.length === 0 ? 'grants' : 'acls';
  return { grant, acl, preferred };
}

function testsFor(policy: Policy, gateway: AuditGateway, node: NodeIdentity): PolicyTestMention[] {
  const identities = [gateway.target, ...(gateway.ips ?? [])];
  const selectsGateway = (entry: string) => {
    const dst = splitDestination(entry);
    return dst !== undefined && portsInclude(dst.ports, gateway.port) && targetSelects(dst.target, identities, policy.hosts);
  };
  const mentions: PolicyTestMention[] = [];
  policy.tests.forEach((test, index) => {
    if (!sourceSelects(test.src, node, policy) || !aclProtoAllowsTcp(test.proto)) return;
    const text = `tests[${index}] ${JSON.stringify({ src: test.src, ...(test.accept.length ? { accept: test.accept } : {}), ...(test.deny.length ? { deny: test.deny } : {}) })}`;
    if (test.accept.some(selectsGateway)) mentions.push({ expect: 'accept', text });
    else if (test.deny.some(selectsGateway)) mentions.push({ expect: 'deny', text });
  });
  return mentions;
}

function describeNode(node: NodeIdentity, policy: Policy): string[] {
  if (node.tags.length > 0) return [...node.tags];
  if (!node.user) return [...node.ips];
  const groups = Object.keys(policy.groups).filter((group) => expandGroup(group, policy.groups).some((member) => sameLogin(member, node.user!)));
  return [node.user, ...groups];
}

function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function addressCovers(cidrText: string, ip: string): boolean {
  const [address = '', prefixText] = cidrText.split('/');
  const version = isIP(address);
  if (version === 0 || isIP(ip) !== version) return false;
  const prefix = prefixText === undefined ? (version === 4 ? 32 : 128) : Number(prefixText);
  if (!Number.isInteger(prefix)) return false;
  const list = new BlockList();
  list.addSubnet(address, prefix, version === 4 ? 'ipv4' : 'ipv6');
  return list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}
