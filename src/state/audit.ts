import type { Redis } from 'ioredis';
import { z } from 'zod';

/**
 * The audit stream: every command, allowed or refused, and every action, in a Redis stream
 * (bounded), so that "who ran what, where, with what outcome" survives restarts.
 */
export const AuditEntrySchema = z.object({
  at: z.number().int(),
  user: z.string(),
  channel: z.string().optional(),
  command: z.string().max(300),
  target: z.string().max(300).optional(),
  jobId: z.string().optional(),
  outcome: z.string().max(300),
  durationMs: z.number().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  recent(count: number): Promise<AuditEntry[]>;
}

export function createAuditLog(deps: { redis: Redis; prefix: string; maxLength?: number }): AuditLog {
  const key = `${deps.prefix}:audit`;
  const maxLength = deps.maxLength ?? 10_000;
  return {
    async append(entry) {
      const valid = AuditEntrySchema.parse(entry);
      const fields = Object.entries(valid).flatMap(([name, value]) => (value === undefined ? [] : [name, String(value)]));
      await deps.redis.xadd(key, 'MAXLEN', '~', String(maxLength), '*', ...fields);
    },
    async recent(count) {
      const rows = await deps.redis.xrevrange(key, '+', '-', 'COUNT', count);
      return rows.flatMap(([, fields]) => {
        const record: Record<string, unknown> = {};
        for (let index = 0; index + 1 < fields.length; index += 2) record[fields[index]!] = fields[index + 1];
        for (const numeric of ['at', 'durationMs']) if (record[numeric] !== undefined) record[numeric] = Number(record[numeric]);
        const parsed = AuditEntrySchema.safeParse(record);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}
