import { addBuckets, quantile, type Buckets } from '../../../state/handshake-sketch.js';
import type { HourRollup } from './history.js';
import type { IncidentRecord } from './incidents.js';

/** What the history and the digest say about a period: PURE functions over stored roll-ups. */
export interface Uptime {
  checks: number;
  up: number;
  /** up / checks; undefined when nothing was checked in the period. */
  ratio?: number;
}

export function uptimeOf(rollups: readonly HourRollup[]): Uptime {
  const checks = rollups.reduce((sum, hour) => sum + hour.checks, 0);
  const up = rollups.reduce((sum, hour) => sum + Math.min(hour.up, hour.checks), 0);
  return { checks, up, ...(checks > 0 ? { ratio: up / checks } : {}) };
}

export function handshakeQuantiles(rollups: readonly HourRollup[]): { samples: number; p50?: number; p95?: number } {
  const all: Buckets = new Map();
  for (const hour of rollups) addBuckets(all, hour.handshake);
  const samples = [...all.values()].reduce((sum, count) => sum + count, 0);
  const p50 = quantile(all, 0.5);
  const p95 = quantile(all, 0.95);
  return { samples, ...(p50 !== undefined ? { p50 } : {}), ...(p95 !== undefined ? { p95 } : {}) };
}

/** Roll-ups of the hours that overlap [fromMs, toMs]: hourly granularity, so a period reads to the hour. */
export function within(rollups: readonly HourRollup[], fromMs: number, toMs: number): HourRollup[] {
  return rollups.filter((hour) => hour.hourStart + 3_600_000 > fromMs && hour.hourStart <= toMs);
}

export interface IncidentStats {
  count: number;
  /** The longest, clipped to the period; an open incident counts until `toMs`. */
  longestMs: number;
  open: boolean;
}

export function incidentStats(incidents: readonly IncidentRecord[], fromMs: number, toMs: number): IncidentStats {
  let count = 0;
  let longestMs = 0;
  let open = false;
  for (const incident of incidents) {
    const end = incident.endedAt ?? toMs;
    if (end < fromMs || incident.startedAt > toMs) continue;
    count += 1;
    longestMs = Math.max(longestMs, Math.min(end, toMs) - Math.max(incident.startedAt, fromMs));
    if (incident.endedAt === undefined) open = true;
  }
  return { count, longestMs, open };
}
