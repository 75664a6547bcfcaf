/**
 * The ladder's layers, in ladder order: the one list both the report's schemas (report.ts) and the
 * helpers over a report (layer-order.ts) are built from, so neither imports the other back.
 *
 * The first layer that failed decides; a layer that could not be attempted because an earlier one
 * failed is `not-reached`, never `failed`.
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
