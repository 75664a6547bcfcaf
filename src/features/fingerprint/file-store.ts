import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as z from 'zod';
import type { Env } from '../../config/targets.js';
import { defaultIdentityPath } from '../../config/paths.js';
import { GoodFingerprintSchema } from './model.js';
import { applyGood, CheckRecordSchema, isUp, lastGoodBefore, nextGood, recordOf, type FingerprintStore } from './store.js';

/**
 * `clawops check` without Redis keeps fingerprints in one JSON file beside the device identity,
 * under the XDG state dir (`$XDG_STATE_HOME/clawops/fingerprints.json`), private to the user
 * (0600, its directory 0700). Written atomically (temp file + rename); a file that is unreadable,
 * too large or of another shape counts as empty and is replaced: it is a cache of our own checks.
 */
export const MAX_STATE_FILE_BYTES = 8 * 1024 * 1024;

const GatewayStateSchema = z.object({
  good: z.array(GoodFingerprintSchema).default([]),
  latest: CheckRecordSchema.optional(),
  lastFailure: CheckRecordSchema.optional(),
});
const StateFileSchema = z.object({ schema: z.literal(1), gateways: z.record(z.string(), GatewayStateSchema) });
type StateFile = z.infer<typeof StateFileSchema>;

export function defaultFingerprintPath(env: Env): string {
  return join(dirname(defaultIdentityPath(env)), 'fingerprints.json');
}

export function createFileFingerprintStore(path: string): FingerprintStore {
  let queue: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<StateFile> => {
    try {
      const text = await readFile(path, 'utf8');
      if (Buffer.byteLength(text) > MAX_STATE_FILE_BYTES) return empty();
      const parsed = StateFileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : empty();
    } catch {
      return empty();
    }
  };
  const write = async (state: StateFile): Promise<void> => {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
      await chmod(temp, 0o600);
      await rename(temp, path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  };
  const gatewayState = async (gateway: string) => (await read()).gateways[gateway];

  return {
    record(result) {
      // Serialised in-process: two results of one run must not overwrite each other.
      const run = queue.then(async () => {
        const record = recordOf(result);
        const state = await read();
        const gateway = record.fingerprint.gateway;
        const current = state.gateways[gateway] ?? { good: [] };
        // Another URL under the same name (an ad-hoc `--url` check) is another gateway.
        const good = current.good.filter((entry) => entry.fingerprint.url === record.fingerprint.url);
        const next = {
          good: isUp(record.fingerprint.state) ? applyGood(good, nextGood(good, record.fingerprint)) : good,
          latest: record,
          ...(isUp(record.fingerprint.state) ? (current.lastFailure ? { lastFailure: current.lastFailure } : {}) : { lastFailure: record }),
        };
        state.gateways[gateway] = next;
        await write(state);
      });
      queue = run.catch(() => undefined);
      return run;
    },
    async lastGood(gateway, beforeMs) {
      return lastGoodBefore((await gatewayState(gateway))?.good ?? [], beforeMs);
    },
    async goodHistory(gateway, limit = 10) {
      return ((await gatewayState(gateway))?.good ?? []).slice(0, limit);
    },
    async latest(gateway) {
      return (await gatewayState(gateway))?.latest;
    },
    async lastFailure(gateway) {
      return (await gatewayState(gateway))?.lastFailure;
    },
  };
}

function empty(): StateFile {
  return { schema: 1, gateways: {} };
}
