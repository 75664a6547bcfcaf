import type { ProbeReport } from '../report/report.js';
import { layerOf } from '../report/layer-order.js';
import type { Finding } from './finding.js';

/**
 * A payload refused unread (too large, or nested deeper than any real answer) decides the check
 * wherever it came from — a health body, a frame before hello-ok, an RPC reply: a real Gateway's
 * answers are a few KB, so something else is answering. First in ladder order. PURE.
 */
export function payloadRefused(report: ProbeReport): Finding | undefined {
  const http = layerOf(report, 'http')?.evidence;
  const httpRefused = http?.healthz.refused ?? http?.readyz?.refused;
  if (httpRefused) return finding('http', `HTTP ${http?.healthz.refused ? '/healthz' : '/readyz'}: ${httpRefused}`);
  const handshake = layerOf(report, 'handshake')?.evidence?.refused;
  if (handshake) return finding('handshake', `handshake: ${handshake}`);
  for (const name of ['health', 'status', 'channels'] as const) {
    const refused = layerOf(report, name)?.evidence?.refused;
    if (refused) return finding(name, `${name}: ${refused}`);
  }
  return undefined;
}

function finding(layer: NonNullable<Finding['layer']>, evidence: string): Finding {
  return { id: 'payload-refused', blocking: true, layer, evidence: [evidence] };
}
