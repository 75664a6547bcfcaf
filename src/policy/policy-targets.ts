import { BlockList, isIP } from 'node:net';
import type { Policy } from './policy.js';

/**
 * Targets and sources of the policy file: `*`, `tag:x`, `group:x`, `autogroup:x`, user logins,
 * `hosts` aliases, IPs and CIDRs. Pure helpers for the audit.
 */

function parseCidr(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText] = value.split('/');
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export function resolveHost(value: string, hosts: Policy['hosts']): string {
  return hosts[value] ?? value;
}

/** Whether an IP/CIDR covers every address (`0.0.0.0/0`, `::/0`): as wide as `*`. */
export function isEverything(value: string, hosts: Policy['hosts']): boolean {
  const cidr = parseCidr(resolveHost(value, hosts));
  return cidr !== undefined && cidr.prefix === 0;
}

function cidrContains(cidrText: string, ipText: string): boolean {
  const cidr = parseCidr(cidrText);
  const ip = parseCidr(ipText);
  if (!cidr || !ip || ip.prefix !== (ip.family === 'ipv4' ? 32 : 128) || cidr.family !== ip.family) return false;
  const list = new BlockList();
  list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  return list.check(ip.address, ip.family);
}

/**
 * Whether a destination target selects the gateway. `identities` are what the gateway is known as
 * in the policy (its tag or hosts alias, and its tailnet IPs when configured).
 */
export function targetSelects(target: string, identities: string[], hosts: Policy['hosts']): boolean {
  if (target === '*') return true;
  const resolved = resolveHost(target, hosts).toLowerCase();
  for (const identity of identities) {
    const candidate = resolveHost(identity, hosts).toLowerCase();
    if (target.toLowerCase() === identity.toLowerCase() || resolved === candidate) return true;
    if (cidrContains(resolved, candidate)) return true;
  }
  return false;
}

/** Group members, expanded through nested groups (which Tailscale forbids, but a typo should not loop). */
export function expandGroup(name: string, groups: Policy['groups'], seen = new Set<string>()): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const members: string[] = [];
  for (const member of groups[name] ?? []) {
    if (member.startsWith('group:')) members.push(...expandGroup(member, groups, seen));
    else members.push(member);
  }
  return [...new Set(members)];
}

export type SourceKind = 'wildcard' | 'all-members' | 'group' | 'tag' | 'user' | 'autogroup' | 'address';

export function sourceKind(source: string, hosts: Policy['hosts']): SourceKind {
  if (source === '*' || isEverything(source, hosts)) return 'wildcard';
  if (source === 'autogroup:member' || source === 'autogroup:members') return 'all-members';
  if (source.startsWith('group:')) return 'group';
  if (source.startsWith('tag:')) return 'tag';
  if (source.startsWith('autogroup:')) return 'autogroup';
  if (source.includes('@')) return 'user';
  return 'address';
}

/** Formats a test destination; IPv6 addresses need brackets before the port. */
export function testDestination(target: string, port: number): string {
  return isIP(target) === 6 ? `[${target}]:${port}` : `${target}:${port}`;
}
