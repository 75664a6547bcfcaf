import type { Redis } from 'ioredis';
import * as z from 'zod';
import { parseStored } from '../../../state/stored-json.js';

/**
 * The incident log: when a gateway went DOWN (from its first failed check) and when it came back,
 * kept for the retention period. The digest counts incidents and the longest from it; silenced
 * incidents (maintenance) are counted too, with `alerted: false`.
 */
export const IncidentRecordSchema = z.object({
  id: z.string(),
  startedAt: z.number().int(),
  endedAt: z.number().int().optional(),
  verdict: z.string(),
  alerted: z.boolean(),
});
export type IncidentRecord = z.infer<typeof IncidentRecordSchema>;

export interface IncidentLog {
  save(gateway: string, incident: IncidentRecord): Promise<void>;
  list(gateways: readonly string[], sinceMs: number): Promise<Map<string, IncidentRecord[]>>;
}

export function createIncidentLog(deps: { redis: Redis; prefix: string; retentionMs: number }): IncidentLog {
  const key = (gateway: string) => `${deps.prefix}:incidents:${gateway}`;
  return {
    async save(gateway, incident) {
      const valid = IncidentRecordSchema.parse(incident);
      // Scored by start, so that trimming what ended before the retention is one range delete.
      await deps.redis
        .multi()
        .zremrangebyscore(key(gateway), '-inf', `(${valid.startedAt - deps.retentionMs}`)
        .eval(
          "local rows = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1]) for _, row in ipairs(rows) do if string.find(row, ARGV[2], 1, true) then redis.call('ZREM', KEYS[1], row) end end return 0",
          1,
          key(gateway),
          String(valid.startedAt),
          `"id":${JSON.stringify(valid.id)}`,
        )
        .zadd(key(gateway), valid.startedAt, JSON.stringify(valid))
        .pexpire(key(gateway), deps.retentionMs)
        .exec();
    },
    async list(gateways, sinceMs) {
      const pipeline = deps.redis.pipeline();
      // An incident that started before the period may still be open or end within it: read back
      // by the retention, filter by end.
      for (const gateway of gateways) pipeline.zrangebyscore(key(gateway), '-inf', '+inf');
      const replies = (await pipeline.exec()) ?? [];
      const result = new Map<string, IncidentRecord[]>();
      gateways.forEach((gateway, index) => {
        const [error, rows] = replies[index] ?? [];
        const incidents = error || !Array.isArray(rows) ? [] : (rows as string[]).flatMap((row) => parseStored(IncidentRecordSchema, row) ?? []);
        result.set(
          gateway,
          incidents.filter((incident) => (incident.endedAt ?? Number.POSITIVE_INFINITY) >= sinceMs),
        );
      });
      return result;
    },
  };
}
