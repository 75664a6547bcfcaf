import type { Redis } from 'ioredis';
import * as z from 'zod';
import type { CheckResult } from '../check/checker.js';
import { readStoredHash } from './stored-json.js';

/** The last known state of each gateway, for `/gateway list`. */
export const LastStateSchema = z.object({
  state: z.enum(['healthy', 'degraded', 'unhealthy']),
  verdict: z.string().optional(),
  version: z.string().optional(),
  at: z.string(),
  durationMs: z.number(),
});
export type LastState = z.infer<typeof LastStateSchema>;

export interface LastStateStore {
  record(result: CheckResult): Promise<void>;
  all(): Promise<Map<string, LastState>>;
}

export function createLastStateStore(deps: { redis: Redis; prefix: string }): LastStateStore {
  const key = `${deps.prefix}:last-state`;
  return {
    async record({ report, diagnosis }) {
      const value: LastState = {
        state: diagnosis.state,
        verdict: diagnosis.verdicts[0]?.id,
        version: diagnosis.version.running,
        at: report.startedAt,
        durationMs: report.durationMs,
      };
      await deps.redis.hset(key, report.gateway.name, JSON.stringify(value));
    },
    async all() {
      return readStoredHash(deps.redis, key, LastStateSchema);
    },
  };
}
