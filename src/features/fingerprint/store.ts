import * as z from '../../zod-mini.js';
import type { CheckResult } from '../../check/checker.js';
import type { ProbeReport } from '../../report/report.js';
import { buildFingerprint } from './build.js';
import { mergeIfSame } from './diff.js';
import type { CheckRecord } from './check-record.js';
import { GoodFingerprintSchema, type Fingerprint, type GoodFingerprint } from './model.js';

/**
 * Where fingerprints live: Redis for the bot (redis-store.ts), a state file for `clawops check`
 * without Redis (file-store.ts). Both keep, per gateway:
 * - the good fingerprints, newest first, one entry per distinct fingerprint (a check that changes
 *   nothing both know only refreshes `lastSeenAt`), at most MAX_GOOD;
 * - the latest check (its fingerprint and report) and the latest failed one (its report), for
 *   `/gateway fingerprint` and the ticket bundle.
 * "Good" is a check that is up (healthy or degraded), as for the last known good version: the
 * bisect hint and the diff then name the same last good build.
 */
export const MAX_GOOD = 10;

export type { CheckRecord };

export interface FingerprintStore {
  record(result: CheckResult): Promise<void>;
  /** The newest good fingerprint first seen before `beforeMs` (default: the newest of all). */
  lastGood(gateway: string, beforeMs?: number): Promise<GoodFingerprint | undefined>;
  goodHistory(gateway: string, limit?: number): Promise<GoodFingerprint[]>;
  latest(gateway: string): Promise<CheckRecord | undefined>;
  lastFailure(gateway: string): Promise<CheckRecord | undefined>;
}

export function isUp(state: Fingerprint['state']): boolean {
  return state !== 'unhealthy';
}

export function recordOf({ report, diagnosis }: CheckResult): CheckRecord {
  const fingerprint = buildFingerprint(report, diagnosis);
  return { at: fingerprint.at, fingerprint, report };
}

/** What one more good check does to the good list (PURE): nothing, refresh the head, or a new head. */
export type GoodUpdate = { action: 'none' } | { action: 'refresh' | 'push'; entry: GoodFingerprint };

export function nextGood(list: readonly GoodFingerprint[], fingerprint: Fingerprint): GoodUpdate {
  const head = list[0];
  if (!head) return { action: 'push', entry: { fingerprint, firstSeenAt: fingerprint.at, lastSeenAt: fingerprint.at } };
  // An older result arriving late: the list has moved on.
  if (fingerprint.at < head.firstSeenAt) return { action: 'none' };
  const merged = mergeIfSame(head.fingerprint, fingerprint);
  if (merged)
    return { action: 'refresh', entry: { fingerprint: merged, firstSeenAt: head.firstSeenAt, lastSeenAt: Math.max(head.lastSeenAt, fingerprint.at) } };
  return { action: 'push', entry: { fingerprint, firstSeenAt: fingerprint.at, lastSeenAt: fingerprint.at } };
}

/** What a store remembers of a good list's head it wrote or read: enough to refresh it unread. */
export interface KnownHead {
  hash: string;
  url: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

/**
 * nextGood's answer from the head's known fields alone (PURE), when they suffice: the same hash and
 * URL mean the same sections with the same content, so mergeIfSame returns the new fingerprint
 * unchanged and the head is refreshed. Anything else (a change, a late result) is undefined: read
 * the head and let nextGood decide.
 */
export function refreshOfKnownHead(head: KnownHead, fingerprint: Fingerprint): { action: 'refresh'; entry: GoodFingerprint } | undefined {
  if (head.hash !== fingerprint.hash || head.url !== fingerprint.url || fingerprint.at < head.firstSeenAt) return undefined;
  return { action: 'refresh', entry: { fingerprint, firstSeenAt: head.firstSeenAt, lastSeenAt: Math.max(head.lastSeenAt, fingerprint.at) } };
}

export function applyGood(list: readonly GoodFingerprint[], update: GoodUpdate): GoodFingerprint[] {
  if (update.action === 'none') return [...list];
  if (update.action === 'refresh') return [update.entry, ...list.slice(1)];
  return [update.entry, ...list].slice(0, MAX_GOOD);
}

export function lastGoodBefore(list: readonly GoodFingerprint[], beforeMs?: number): GoodFingerprint | undefined {
  return beforeMs === undefined ? list[0] : list.find((entry) => entry.firstSeenAt < beforeMs);
}

export function parseGood(text: string | null | undefined): GoodFingerprint | undefined {
  return parseJson(GoodFingerprintSchema, text);
}

/** JSON text checked against a schema of either zod API (classic or mini): the value, or undefined. */
export function parseJson<T>(schema: z.core.$ZodType<T>, text: string | null | undefined): T | undefined {
  if (!text) return undefined;
  try {
    const parsed = z.safeParse(schema, JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export type { ProbeReport };
