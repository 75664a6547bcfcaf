import { z } from 'zod';
import { parseStored } from '../../../state/stored-json.js';

/**
 * Version tracking: the last version seen on any check, and the last version seen on a check that
 * was up ("last known good": what to roll back to). A change of the version seen is recorded with
 * its time; a failure that began with one says so (the runbook: roll back to the last known good
 * build and bisect). PURE helpers; history.ts stores them.
 */
export const VersionSeenSchema = z.object({ version: z.string().min(1).max(100), at: z.number().int() });
export type VersionSeen = z.infer<typeof VersionSeenSchema>;

export const VersionChangeSchema = z.object({ at: z.number().int(), from: z.string(), to: z.string() });
export type VersionChange = z.infer<typeof VersionChangeSchema>;

export interface VersionView {
  lastSeen?: VersionSeen;
  lastKnownGood?: VersionSeen;
}

/**
 * The change a failing gateway is running since its last good check, if any: the version seen
 * last was never up. `undefined` when the last version seen is the last known good one.
 */
export function unprovenVersionChange(view: VersionView): { from: string; to: string } | undefined {
  const { lastSeen, lastKnownGood } = view;
  if (!lastSeen || !lastKnownGood || lastSeen.version === lastKnownGood.version) return undefined;
  return { from: lastKnownGood.version, to: lastSeen.version };
}

export function parseSeen(text: string | null | undefined): VersionSeen | undefined {
  return parseStored(VersionSeenSchema, text);
}
