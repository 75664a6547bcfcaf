import type { LayerOf, LayerResult, ProbeReport } from './report.js';
import { LAYER_ORDER, type LayerName } from './layer-names.js';

/**
 * The ladder order and the two helpers every reader of a report uses. Apart from report.ts (which
 * re-exports them) because that module builds the report's zod schemas when it loads, and the
 * check path (probe → diagnose → render) needs these at run time but never those schemas.
 *
 * Layers are listed in ladder order. The first layer that failed decides; a layer that could not be
 * attempted because an earlier one failed is `not-reached`, never `failed`.
 */
export { LAYER_ORDER, type LayerName } from './layer-names.js';

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
