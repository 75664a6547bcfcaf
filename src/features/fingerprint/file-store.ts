import { chmodSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as z from '../../zod-mini.js';
import type { Env } from '../../config/targets.js';
import { defaultIdentityPath } from '../../config/paths.js';
import type { CheckRecord } from './check-record.js';
import { GoodFingerprintSchema, type GoodFingerprint } from './model.js';
import { applyGood, isUp, lastGoodBefore, nextGood, recordOf, type FingerprintStore } from './store.js';

/**
 * `clawops check` without Redis keeps fingerprints in one JSON file beside the device identity,
 * under the XDG state dir (`$XDG_STATE_HOME/clawops/fingerprints.json`), private to the user
 * (0600, its directory 0700). Written atomically (temp file + rename); a file that is unreadable,
 * too large or not a state file counts as empty and is replaced: it is a cache of our own checks.
 *
 * Each part of a gateway's entry is validated where it is used, as the Redis store validates each
 * key it reads: the good list on every lookup and record, `latest` and `lastFailure` when asked for.
 * A part that does not validate counts as absent. A check reads only the good list: validating the
 * stored reports too (the largest schema we have) cost a one-shot `clawops check` more CPU than its
 * probe. What it does not read (other gateways, a kept `lastFailure`) it writes back as it found it.
 *
 * The file calls are synchronous: the store serves one-shot terminal commands (check, fingerprint,
 * ticket, accept), which wait for each call anyway, and a promise-based call's round trip through
 * libuv's thread pool cost a check more than the call itself (two reads and a write: ~10 ms with promises,
 * ~3 ms synchronous, measured in a check).
 */
export const MAX_STATE_FILE_BYTES = 8 * 1024 * 1024;

const StateFileSchema = z.object({ schema: z.literal(1), gateways: z.record(z.string(), z.unknown()) }); // zod's mini API (src/zod-mini.ts)
type StateFile = z.infer<typeof StateFileSchema>;
const GoodListSchema = z.array(GoodFingerprintSchema);

export function defaultFingerprintPath(env: Env): string {
  return join(dirname(defaultIdentityPath(env)), 'fingerprints.json');
}

/** One part of a gateway's entry as found in the file (not yet validated). */
function partOf(entry: unknown, part: 'good' | 'latest' | 'lastFailure'): unknown {
  return typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>)[part] : undefined;
}

function goodOf(entry: unknown): GoodFingerprint[] {
  const good = partOf(entry, 'good');
  if (good === undefined) return [];
  const parsed = GoodListSchema.safeParse(good);
  return parsed.success ? parsed.data : [];
}

async function storedRecord(entry: unknown, part: 'latest' | 'lastFailure'): Promise<CheckRecord | undefined> {
  const record = partOf(entry, part);
  if (record === undefined) return undefined;
  // Loaded only here: the report schema is not needed by a check (check-record.ts).
  const { CheckRecordSchema } = await import('./check-record.js');
  const parsed = CheckRecordSchema.safeParse(record);
  return parsed.success ? parsed.data : undefined;
}

export function createFileFingerprintStore(path: string): FingerprintStore {
  let queue: Promise<unknown> = Promise.resolve();
  const read = (): StateFile => {
    try {
      const text = readFileSync(path, 'utf8');
      if (Buffer.byteLength(text) > MAX_STATE_FILE_BYTES) return empty();
      const parsed = StateFileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : empty();
    } catch {
      return empty();
    }
  };
  const write = (state: StateFile): void => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
      chmodSync(temp, 0o600);
      renameSync(temp, path);
    } catch (error) {
      try {
        unlinkSync(temp);
      } catch {
        // Nothing was written, or it is gone already.
      }
      throw error;
    }
  };
  const entryOf = (gateway: string): unknown => read().gateways[gateway];

  return {
    record(result) {
      // Serialised in-process: two results of one run must not overwrite each other.
      const run = queue.then(async () => {
        const record = recordOf(result);
        const state = read();
        const gateway = record.fingerprint.gateway;
        const current = state.gateways[gateway];
        // Another URL under the same name (an ad-hoc `--url` check) is another gateway.
        const good = goodOf(current).filter((entry) => entry.fingerprint.url === record.fingerprint.url);
        const up = isUp(record.fingerprint.state);
        const lastFailure = up ? partOf(current, 'lastFailure') : record;
        state.gateways[gateway] = {
          good: up ? applyGood(good, nextGood(good, record.fingerprint)) : good,
          latest: record,
          ...(lastFailure !== undefined ? { lastFailure } : {}),
        };
        write(state);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async lastGood(gateway, beforeMs) {
      return lastGoodBefore(goodOf(entryOf(gateway)), beforeMs);
    },
    async goodHistory(gateway, limit = 10) {
      return goodOf(entryOf(gateway)).slice(0, limit);
    },
    async latest(gateway) {
      return storedRecord(entryOf(gateway), 'latest');
    },
    async lastFailure(gateway) {
      return storedRecord(entryOf(gateway), 'lastFailure');
    },
  };
}

function empty(): StateFile {
  return { schema: 1, gateways: {} };
}
