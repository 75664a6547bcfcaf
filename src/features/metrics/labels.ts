import { LAYER_ORDER, type LayerName } from '../../report/layer-order.js';
import { SYMPTOM_IDS } from '../../diagnosis/symptom-table.js';
import { QUEUES } from '../../queue/names.js';

/**
 * Every label value clawops exports comes from a closed set, so the number of series is bounded by
 * the config, never by traffic: gateway (configured names only) × layer (the ladder's 11) × verdict
 * id (the symptom table's ids) × a handful of enums. Never a user id, a channel, free text, a URL or
 * a token. A value outside its set is dropped or folded into `other`, never exported as is.
 */
export const TRIGGERS = ['slash', 'button', 'terminal', 'schedule', 'probe', 'agent'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const GATEWAY_STATES = ['healthy', 'degraded', 'unhealthy'] as const;
/** The alert policy's phases (src/features/monitoring/alerts/policy.ts PHASES; a unit test keeps them equal: features do not import each other). */
export const ALERT_STATES = ['ok', 'pending', 'down', 'recovering'] as const;
export const QUEUE_NAMES = Object.values(QUEUES);
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** How a stale "⏳ Checking…" ended (jobs/stale-placeholders.ts). */
export const SWEEP_OUTCOMES = ['waiting', 'on-its-way', 'answered', 'result-posted', 'apologized', 'gone', 'given-up', 'failed'] as const;
export const LAYERS: readonly LayerName[] = LAYER_ORDER;
/** The symptom table's ids, plus `none` (healthy: no verdict) and `other` (an id this build does not know). */
export const VERDICT_IDS: readonly string[] = [...SYMPTOM_IDS, 'none', 'other'];

const verdicts = new Set<string>(SYMPTOM_IDS);
const layers = new Set<string>(LAYER_ORDER);

export function verdictLabel(id: string | undefined): string {
  if (id === undefined) return 'none';
  return verdicts.has(id) ? id : 'other';
}

export function isLayer(name: string): name is LayerName {
  return layers.has(name);
}

/**
 * A Gateway's version as a label value: it comes from the Gateway (outside text), so only the shape
 * of a version (`2026.9.6`, `2026.9.6-beta.1`) is exported, anything else is `unknown`.
 */
export function versionLabel(version: string | undefined): string {
  return version !== undefined && /^[0-9A-Za-z][0-9A-Za-z.+_-]{0,31}$/.test(version) ? version : 'unknown';
}

/** Only gateways in the config are label values: a name from Redis or a request that is not configured is dropped. */
export function gatewayGuard(configured: readonly string[]): (name: string) => boolean {
  const known = new Set(configured);
  return (name) => known.has(name);
}
