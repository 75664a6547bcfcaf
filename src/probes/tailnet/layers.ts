import type { LocalApiClient } from '../../tailscale/local-api.js';
import type { TailnetLayers } from '../tailnet-seam.js';
import { performanceClock, roundMs, type MonotonicClock } from '../clock.js';
import { readFile } from 'node:fs/promises';
import { isShortName, probeDnsSplit, searchDomainsOf } from '../dns-split.js';
import { probeBotNode } from './bot-node.js';
import { probePath } from './path.js';
import { probePeer } from './peer.js';
import { namesTailnetNode, peerNotApplicable } from './applies.js';

/**
 * The tailnet side of the ladder (`TailnetLayers`), built from one LocalAPI client. Composition
 * only: each layer's logic lives in its own file.
 */
export interface TailnetLayersDeps {
  localApi: LocalApiClient;
  statusTimeoutMs: number;
  pingTimeoutMs: number;
  relayThresholdMs: number;
  dns?: {
    timeoutMs: number;
    systemResolver?: string[];
    magicDnsResolver?: string;
    /** Search domains for short names; absent: this machine's /etc/resolv.conf. */
    searchDomains?: string[];
    readResolvConf?: () => Promise<string>;
  };
  /** The admin API's `dns/preferences` (MagicDNS on/off), when an admin API is configured. */
  dnsPreferences?: (options: { signal: AbortSignal }) => Promise<{ magicDNS: boolean }>;
  clock?: MonotonicClock;
  /** Wall clock, for key expiry. */
  now?: () => number;
}

export function createTailnetLayers(deps: TailnetLayersDeps): TailnetLayers {
  const clock = deps.clock ?? performanceClock;
  const now = deps.now ?? Date.now;
  const dns = deps.dns;
  return {
    botNode: ({ startMs, signal }) => probeBotNode(deps.localApi, { startMs, signal, clock, now, timeoutMs: deps.statusTimeoutMs }),

    async peer(query, addresses, { startMs, signal }) {
      const t0 = clock();
      const status = await deps.localApi.status({ signal, timeoutMs: deps.statusTimeoutMs });
      const durationMs = roundMs(clock() - t0);
      if (!status.ok) {
        if (!namesTailnetNode(query, addresses)) return peerNotApplicable(query, startMs, durationMs);
        return { layer: 'peer', status: 'failed', startMs, durationMs, summary: `could not read this node's netmap: ${status.message}` };
      }
      const layer = probePeer(status.value, query, { startMs, addresses, nowMs: now() });
      // Absent from the netmap and not named as a tailnet node: a loopback or LAN gateway, not a hidden peer.
      if (layer.evidence?.inNetmap === false && !namesTailnetNode(query, addresses, status.value.magicDnsSuffix)) {
        return peerNotApplicable(query, startMs, durationMs);
      }
      return { ...layer, durationMs };
    },

    path: (ip, { startMs, signal }) =>
      probePath(deps.localApi, ip, { startMs, signal, clock, timeoutMs: deps.pingTimeoutMs, relayThresholdMs: deps.relayThresholdMs }),

    ...(dns
      ? {
          dnsSplit: async (host: string, { signal }: { signal: AbortSignal }) => {
            const { searchDomains, readResolvConf, ...resolvers } = dns;
            if (!isShortName(host)) return probeDnsSplit(host, { ...resolvers, signal });
            // A short name: the system's search list, and the tailnet's own suffix from tailscaled.
            const [status, domains] = await Promise.all([
              deps.localApi.status({ signal, timeoutMs: deps.statusTimeoutMs }),
              searchDomains ?? (readResolvConf ?? (() => readFile('/etc/resolv.conf', 'utf8')))().then(searchDomainsOf, () => []),
            ]);
            const suffix = status.ok ? (status.value.magicDnsSuffix ?? status.value.tailnet?.magicDnsSuffix) : undefined;
            return probeDnsSplit(host, { ...resolvers, signal, search: { domains, ...(suffix ? { magicDnsSuffix: suffix } : {}) } });
          },
        }
      : {}),

    async magicDnsState({ signal }) {
      if (deps.dnsPreferences) {
        try {
          return { enabled: (await deps.dnsPreferences({ signal })).magicDNS, source: 'admin API dns/preferences' };
        } catch (error) {
          const local = await fromTailscaled(signal);
          return { ...local, error: `admin API dns/preferences: ${error instanceof Error ? error.message.slice(0, 160) : 'failed'}` };
        }
      }
      return fromTailscaled(signal);
    },
  };

  async function fromTailscaled(signal: AbortSignal): Promise<{ enabled?: boolean; source: string; error?: string }> {
    const status = await deps.localApi.status({ signal, timeoutMs: deps.statusTimeoutMs });
    if (!status.ok) return { source: 'tailscaled status', error: status.message };
    const enabled = status.value.tailnet?.magicDnsEnabled;
    return enabled === undefined
      ? { source: 'tailscaled status', error: 'tailscaled does not report MagicDNS' }
      : { enabled, source: 'tailscaled status (CurrentTailnet.MagicDNSEnabled)' };
  }
}
