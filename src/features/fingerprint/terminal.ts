import type { CheckResult } from '../../check/checker.js';
import { createFileFingerprintStore } from './file-store.js';
import { createFingerprintFeature } from './feature.js';

/**
 * `clawops check` and the fingerprint: for each result the diff since the last good check (read
 * before this one is recorded), then the record. A state file that cannot be read or written
 * costs the diff, never the check.
 */
export async function terminalFingerprints(path: string, results: readonly CheckResult[]): Promise<string[][]> {
  const feature = createFingerprintFeature({ store: createFileFingerprintStore(path) });
  const lines = await Promise.all(results.map(async (result) => (await feature.annotationsFor(result)).map((annotation) => annotation.terminal)));
  for (const result of results) await feature.record(result);
  return lines;
}
