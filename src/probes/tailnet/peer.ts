import type { TailscalePeer, TailscaleStatus } from '../../tailscale/local-api.js';
import type { EvidenceOf, LayerOf } from '../../report/report.js';

/**
 * Layer `peer`: the gateway's node as this node's netmap sees it (symptom row `peer-offline`).
 * PURE: the bot-node layer already fetched the status; this only reads it.
 */

const KEY_EXPIRY_WARN_HOURS = 7 * 24;

function sameName(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/**
 * Finds a peer by Tailscale IP, MagicDNS FQDN, the FQDN's first label, or HostName, in that order
 * of certainty (HostName is not unique in a tailnet).
 */
export function findPeer(status: TailscaleStatus, query: string, addresses: string[] = []): TailscalePeer | undefined {
  const name = query.replace(/\.$/, '');
  const ips = new Set([name, ...addresses].map((ip) => ip.replace(/^\[|\]$/g, '')));
  return (
    status.peers.find((peer) => peer.tailscaleIPs.some((ip) => ips.has(ip))) ??
    status.peers.find((peer) => sameName(peer.dnsName, name)) ??
    status.peers.find((peer) => sameName(peer.dnsName?.split('.')[0], name)) ??
    status.peers.find((peer) => sameName(peer.hostName, name))
  );
}

export interface PeerProbeOptions {
  startMs: number;
  /** Wall-clock milliseconds, for the key-expiry comparison. */
  nowMs?: number;
  /** Addresses the dns layer resolved the gateway's host to. */
  addresses?: string[];
}

export function probePeer(status: TailscaleStatus, hostOrIp: string, options: PeerProbeOptions): LayerOf<'peer'> {
  const base = { layer: 'peer' as const, startMs: options.startMs, durationMs: 0 };
  const peer = findPeer(status, hostOrIp, options.addresses);
  if (!peer || peer.inNetworkMap === false) {
    return {
      ...base,
      status: 'failed',
      summary: `${hostOrIp} is not in this node's netmap (not in the tailnet, not shared with the bot, or hidden by the ACL)`,
      evidence: { query: hostOrIp, inNetmap: false, tailscaleIPs: [], tags: [] },
    };
  }
  const evidence: EvidenceOf<'peer'> = {
    query: hostOrIp,
    inNetmap: true,
    hostName: peer.hostName,
    dnsName: peer.dnsName,
    tailscaleIPs: peer.tailscaleIPs,
    online: peer.online,
    expired: peer.expired,
    keyExpiry: peer.keyExpiry,
    tags: peer.tags,
    lastSeen: peer.lastSeen,
  };
  const name = `${peer.dnsName ?? peer.hostName ?? hostOrIp} (${peer.tailscaleIPs[0] ?? 'no IP'})`;
  const nowMs = options.nowMs ?? Date.now();
  const expiryMs = peer.keyExpiry ? Date.parse(peer.keyExpiry) : NaN;
  if (peer.expired || expiryMs <= nowMs) {
    return { ...base, status: 'failed', summary: `${name}: node key expired${peer.keyExpiry ? ` at ${peer.keyExpiry}` : ''}`, evidence };
  }
  if (peer.online === false) {
    const seen = peer.lastSeen ? `, last seen ${peer.lastSeen}` : '';
    return { ...base, status: 'failed', summary: `${name} is offline in the tailnet${seen}`, evidence };
  }
  const hoursLeft = (expiryMs - nowMs) / 3_600_000;
  if (hoursLeft < KEY_EXPIRY_WARN_HOURS) {
    return { ...base, status: 'warn', summary: `${name} is online; its node key expires in ${Math.round(hoursLeft)} h`, evidence };
  }
  return { ...base, status: 'ok', summary: `${name} is ${peer.online ? 'online' : 'in the netmap'}`, evidence };
}
