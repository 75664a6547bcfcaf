import type { LayerOf, LayerResult, ProbeReport } from './report.js';

/**
 * The ladder order and the two helpers every reader of a report uses. Apart from report.ts (which
 * re-exports them) because that module builds the report's zod schemas when it loads, and the
 * check path (probe → diagnose → render) needs these at run time but never those schemas.
 *
 * Layers are listed in ladder order. The first layer that failed decides; a layer that could not be
 * attempted because an earlier one failed is `not-reached`, never `failed`.
 */
export const LAYER_ORDER = [
  'bot-node', // this node's own tailscaled (tailnet layers are `skipped` when not configured)
  'dns',
  'peer', // the gateway's node in our netmap
  'path', // disco / TSMP ping to the peer
  'tcp',
  'http', // /healthz + /readyz, overlapped with the WebSocket layers
  'upgrade',
  'handshake', // connect.challenge → connect → hello-ok
  'health', // `health` RPC (no scope needed)
  'status', // `status` (operator.read)
  'channels', // `channels.status {probe:true}` (operator.read)
] as const;
export type LayerName = (typeof LAYER_ORDER)[number];

export function layerOf<L extends LayerName>(report: ProbeReport, name: L): LayerOf<L> | undefined {
  return report.layers.find((layer): layer is LayerOf<L> => layer.layer === name);
}

/** The first layer (in ladder order) that failed, if any. */
export function firstFailedLayer(report: ProbeReport): LayerResult | undefined {
  for (const name of LAYER_ORDER) {
    const layer = layerOf(report, name);
    if (layer?.status === 'failed') return layer;
  }
  return undefined;
}
