/**
 * Port and destination syntax of the policy file: ACL destinations are `target:ports`
 * (`tag:gateway:18789`, `*:*`, `host:80,443`, `100.64.0.0/10:18000-19000`, `[fd7a:115c:a1e0::1]:22`),
 * grant `ip` entries are `[proto:]ports` (`*`, `tcp:18789`, `18789`, `tcp:18000-19000`, `icmp:*`).
 */

export type PortSpec = 'any' | Array<{ from: number; to: number }>;

/** `*`, `22`, `80,443`, `18000-19000`; `undefined` when it is none of those. */
export function parsePorts(spec: string): PortSpec | undefined {
  if (spec === '*') return 'any';
  const ranges: Array<{ from: number; to: number }> = [];
  for (const part of spec.split(',')) {
    const match = /^\s*(\d{1,5})(?:-(\d{1,5}))?\s*$/.exec(part);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from > 65535 || to > 65535 || to < from) return undefined;
    ranges.push({ from, to });
  }
  return ranges;
}

export function portsInclude(ports: PortSpec, port: number): boolean {
  return ports === 'any' || ports.some((range) => port >= range.from && port <= range.to);
}

/** Splits an ACL destination at its last colon; IPv6 targets come in brackets. */
export function splitDestination(entry: string): { target: string; ports: PortSpec } | undefined {
  const colon = entry.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let target = entry.slice(0, colon);
  if (target.startsWith('[') && target.endsWith(']')) target = target.slice(1, -1);
  const ports = parsePorts(entry.slice(colon + 1));
  return ports ? { target, ports } : undefined;
}

const TCP = new Set(['tcp', '6']);

/** Whether a grant `ip` entry lets TCP through on `port`. A bare port list covers TCP too. */
export function ipEntryAllowsTcp(entry: string, port: number): boolean {
  if (entry === '*') return true;
  const colon = entry.indexOf(':');
  const proto = colon === -1 ? undefined : entry.slice(0, colon).toLowerCase();
  const spec = colon === -1 ? entry : entry.slice(colon + 1);
  if (proto !== undefined && !TCP.has(proto)) return false;
  const ports = parsePorts(spec);
  return ports !== undefined && portsInclude(ports, port);
}

/** Whether an ACL rule's `proto` (absent = all IP protocols with ports) includes TCP. */
export function aclProtoAllowsTcp(proto: string | undefined): boolean {
  return proto === undefined || TCP.has(proto.toLowerCase());
}
