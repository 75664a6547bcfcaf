import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { TcpSocket } from './proc-net-tcp.js';

/**
 * The listen matrix, proven from the inside: which addresses the Gateway port is bound to, and
 * which of them are allowed by the configured bind. Pure.
 *
 * `bind: loopback` listens on 127.0.0.1 and [::1]; `tailnet` on the host's tailnet address (and
 * falls back to loopback, so loopback stays fine). `lan`/`auto` mean 0.0.0.0 — the exposure that
 * row `bind-not-loopback` exists for. Anything else bound to the port is a violation too: a public
 * or LAN address is as exposed as a wildcard, and an unexpected address means something other than
 * the configured bind is in play.
 */

export type GatewayBind = 'loopback' | 'tailnet';

export interface ListenerMatrixOptions {
  port: number;
  bind: GatewayBind;
  /** This host's own tailnet addresses (from tailscaled); empty: any address in the tailnet ranges. */
  tailnetAddresses: readonly string[];
}

export type ViolationKind = 'wildcard' | 'public' | 'lan' | 'tailnet' | 'other-loopback';

export interface ListenerViolation {
  address: string;
  port: number;
  kind: ViolationKind;
  /** Exposed beyond this host and the tailnet: critical; merely not the configured bind: warning. */
  severity: 'critical' | 'warning';
  symptom: 'bind-not-loopback';
  /** One line, values resolved. */
  why: string;
}

export interface ListenerAssessment {
  port: number;
  /** Something is in LISTEN on the port (on any address). */
  listening: boolean;
  /** Every address listening on the port, in table order, without duplicates. */
  bound: string[];
  allowed: string[];
  violations: ListenerViolation[];
}

const GATEWAY_LOOPBACK = blockList((b) => {
  b.addAddress('127.0.0.1', 'ipv4');
  b.addAddress('::1', 'ipv6');
});
const LOOPBACK_NET = blockList((b) => b.addSubnet('127.0.0.0', 8, 'ipv4'));
const WILDCARD = blockList((b) => {
  b.addAddress('0.0.0.0', 'ipv4');
  b.addAddress('::', 'ipv6');
});
// Tailscale hands out 100.64.0.0/10 (CGNAT) and fd7a:115c:a1e0::/48.
const TAILNET_RANGES = blockList((b) => {
  b.addSubnet('100.64.0.0', 10, 'ipv4');
  b.addSubnet('fd7a:115c:a1e0::', 48, 'ipv6');
});
// RFC 1918, unique-local and link-local: reachable from the LAN or the cloud VPC, not the internet.
const LAN_RANGES = blockList((b) => {
  b.addSubnet('10.0.0.0', 8, 'ipv4');
  b.addSubnet('172.16.0.0', 12, 'ipv4');
  b.addSubnet('192.168.0.0', 16, 'ipv4');
  b.addSubnet('169.254.0.0', 16, 'ipv4');
  b.addSubnet('fc00::', 7, 'ipv6');
  b.addSubnet('fe80::', 10, 'ipv6');
});

export function assessListeners(listeners: readonly TcpSocket[], options: ListenerMatrixOptions): ListenerAssessment {
  const bound = [...new Set(listeners.filter((l) => l.state === 'LISTEN' && l.port === options.port).map((l) => l.address))];
  const ownTailnet = blockList((b) => {
    for (const address of options.tailnetAddresses) {
      const family = familyOf(address);
      if (family) b.addAddress(address, family);
    }
  });
  const allowed: string[] = [];
  const violations: ListenerViolation[] = [];
  for (const address of bound) {
    const violation = judge(address, options, ownTailnet);
    if (violation) violations.push(violation);
    else allowed.push(address);
  }
  return { port: options.port, listening: bound.length > 0, bound, allowed, violations };
}

function judge(address: string, options: ListenerMatrixOptions, ownTailnet: BlockList): ListenerViolation | undefined {
  const { port, bind } = options;
  const at = `${address.includes(':') ? `[${address}]` : address}:${port}`;
  const violation = (kind: ViolationKind, severity: ListenerViolation['severity'], why: string): ListenerViolation => ({
    address,
    port,
    kind,
    severity,
    symptom: 'bind-not-loopback',
    why: `${at} ${why}`,
  });
  if (inList(GATEWAY_LOOPBACK, address)) return undefined;
  if (inList(WILDCARD, address)) {
    return violation(
      'wildcard',
      'critical',
      `listens on every ${address === '::' ? 'IPv6 (and usually IPv4)' : 'IPv4'} interface (bind lan/auto); expected bind ${bind}`,
    );
  }
  if (inList(TAILNET_RANGES, address)) {
    if (bind !== 'tailnet') return violation('tailnet', 'warning', `listens on a tailnet address although the configured bind is loopback`);
    const isOwn = options.tailnetAddresses.length === 0 || inList(ownTailnet, address);
    return isOwn ? undefined : violation('tailnet', 'warning', `is a tailnet address but not one of this host's (${options.tailnetAddresses.join(', ')})`);
  }
  if (inList(LOOPBACK_NET, address)) return violation('other-loopback', 'warning', `is loopback but not the Gateway's 127.0.0.1/[::1]`);
  if (inList(LAN_RANGES, address)) return violation('lan', 'critical', `listens on a LAN/private address; expected bind ${bind}`);
  return violation('public', 'critical', `listens on a public address; expected bind ${bind}`);
}

function inList(list: BlockList, address: string): boolean {
  const family = familyOf(address);
  return family !== undefined && list.check(address, family);
}

function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  if (isIPv4(address)) return 'ipv4';
  if (isIPv6(address)) return 'ipv6';
  return undefined;
}

function blockList(fill: (list: BlockList) => void): BlockList {
  const list = new BlockList();
  fill(list);
  return list;
}
