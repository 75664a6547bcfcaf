import type { CheckResult } from '../../../check/checker.js';
import { layerOf } from '../../../report/layer-order.js';
import type { Outcome } from './policy.js';

/**
 * From a check result to what the alert policy needs, and the connectivity self-check of
 * clawops' own node. PURE.
 */

/** Layers whose failure is as much about the path from clawops as about the gateway. */
const NETWORK_LAYERS = new Set(['bot-node', 'dns', 'peer', 'path']);
/** A refused or reset connection means a host answered: that is the gateway's side, not ours. */
const NETWORK_TCP_ERRORS = new Set(['timeout', 'unreachable', 'dns', 'other', 'aborted']);

export function isNetworkFailure({ report, diagnosis }: CheckResult): boolean {
  if (diagnosis.state !== 'unhealthy') return false;
  if (diagnosis.suppressed) return true;
  const layer = diagnosis.failedLayer;
  if (!layer) return false;
  if (NETWORK_LAYERS.has(layer)) return true;
  if (layer === 'tcp') return NETWORK_TCP_ERRORS.has(layerOf(report, 'tcp')?.evidence?.error ?? 'other');
  return false;
}

export function outcomeOf(result: CheckResult, at: number): Outcome {
  const failed = result.diagnosis.state === 'unhealthy';
  const verdict = result.diagnosis.verdicts[0]?.id;
  return { at, failed, ...(failed && verdict ? { verdict } : {}), network: failed && isNetworkFailure(result) };
}

/** The latest scheduled outcome of one gateway, as the self-check reads the fleet. */
export interface LatestOutcome {
  at: number;
  network: boolean;
  /** After this, the outcome is too old to speak for the gateway (a few check intervals). */
  freshUntil: number;
}

/**
 * clawops has lost its network when its own node says so (tailscaled offline), or when every
 * watched gateway's latest check failed below the gateway at once. One gateway alone cannot tell
 * its own outage from ours, so the fleet rule needs two or more.
 */
export function networkLost(input: { botNodeOffline: boolean; latest: ReadonlyMap<string, LatestOutcome>; watched: readonly string[]; now: number }): {
  lost: boolean;
  verdict: string;
} {
  if (input.botNodeOffline) return { lost: true, verdict: 'bot-node-offline' };
  if (input.watched.length < 2) return { lost: false, verdict: 'unreachable' };
  const all = input.watched.every((gateway) => {
    const latest = input.latest.get(gateway);
    return latest !== undefined && latest.network && latest.freshUntil >= input.now;
  });
  return { lost: all, verdict: 'unreachable' };
}
