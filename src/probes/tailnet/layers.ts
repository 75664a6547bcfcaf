import type { LocalApiClient } from '../../tailscale/local-api.js';
import type { TailnetLayers } from '../tailnet-seam.js';
import { performanceClock, roundMs, type MonotonicClock } from '../clock.js';
import { probeDnsSplit } from '../dns-split.js';
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
  dns?: { timeoutMs: number; systemResolver?: string[]; magicDnsResolver?: string };
  clock?: MonotonicClock;
  /** Wall clock, for key expiry. */
  now?: () => number;
}

export function createTailnetLayers(deps: TailnetLayersDeps): TailnetLayers {
  const clock = deps.clock ?? performanceClock;
  const now = deps.now ?? Date.now;
  const dns = deps.dns;
  return {
    botNode: ({ startMs, signal }) =>
      probeBotNode(deps.localApi, { startMs, signal, clock, now, timeoutMs: deps.statusTimeoutMs }),

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
      ? { dnsSplit: (host: string, { signal }: { signal: AbortSignal }) => probeDnsSplit(host, { ...dns, signal }) }
      : {}),
  };
}
