import { isTailnetAddress } from '../dns-split.js';
import type { LayerOf } from '../../report/report.js';

/**
 * Whether the tailnet layers speak for a gateway at all. A node with tailscaled also checks
 * gateways that are not reached over the tailnet (its own loopback Gateway, a LAN address): for
 * those, "not in your netmap" and "this node is off the tailnet" would be false verdicts. PURE.
 */

const MAGIC_DNS = /\.ts\.net\.?$/i;

/**
 * Whether the gateway is named as a tailnet node: a tailnet address (100.64.0.0/10,
 * fd7a:115c:a1e0::/48) among the query and its resolved addresses, or a MagicDNS name
 * (`*.ts.net`, or under this tailnet's own MagicDNS suffix).
 */
export function namesTailnetNode(query: string, addresses: readonly string[], magicDnsSuffix?: string): boolean {
  const name = query
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if ([name, ...addresses].some((address) => isTailnetAddress(address.replace(/^\[|\]$/g, '')))) return true;
  if (MAGIC_DNS.test(name)) return true;
  const suffix = magicDnsSuffix?.replace(/^\.|\.$/g, '').toLowerCase();
  return suffix !== undefined && suffix !== '' && name.endsWith(`.${suffix}`);
}

/** The peer layer for a gateway that is not a tailnet node: the tailnet layers do not apply. */
export function peerNotApplicable(query: string, startMs: number, durationMs: number): LayerOf<'peer'> {
  return {
    layer: 'peer',
    status: 'skipped',
    startMs,
    durationMs,
    summary: `${query} is neither a tailnet address nor a MagicDNS name, and not in this node's netmap: not reached over the tailnet`,
  };
}

/**
 * This node's own tailscaled only decides the verdict for gateways reached over the tailnet. For a
 * gateway the peer layer found not to be one, a failed bot-node layer is kept as a warning.
 */
export function botNodeForTarget(botNode: LayerOf<'bot-node'>, peer: { status: string } | undefined): LayerOf<'bot-node'> {
  if (botNode.status !== 'failed' || peer?.status !== 'skipped') return botNode;
  return { ...botNode, status: 'warn', summary: `${botNode.summary} (this gateway is not reached over the tailnet)` };
}
