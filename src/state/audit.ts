import type { Redis } from 'ioredis';
import * as z from 'zod';
import type { Logger } from '../log.js';

/**
 * The audit stream: every command, allowed or refused, and every action, in a Redis stream
 * (bounded), so that "who ran what, where, with what outcome" survives restarts. Free text (the
 * command as typed, its target, the outcome) is cut to a bounded length here, never refused: an
 * entry that is too long is kept with its first characters and its full length.
 */
export const AUDIT_TEXT_MAX = 300;
const TEXT_FIELDS = ['command', 'target', 'outcome'] as const;

export const AuditEntrySchema = z.object({
  at: z.number().int(),
  user: z.string().max(AUDIT_TEXT_MAX),
  channel: z.string().max(AUDIT_TEXT_MAX).optional(),
  command: z.string().max(AUDIT_TEXT_MAX),
  /** The command's full length in characters, when it was cut. */
  commandLength: z.number().int().optional(),
  target: z.string().max(AUDIT_TEXT_MAX).optional(),
  targetLength: z.number().int().optional(),
  jobId: z.string().max(AUDIT_TEXT_MAX).optional(),
  outcome: z.string().max(AUDIT_TEXT_MAX),
  outcomeLength: z.number().int().optional(),
  durationMs: z.number().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
/** What callers hand in: any length; `append` bounds it. */
export type AuditInput = Omit<AuditEntry, 'commandLength' | 'targetLength' | 'outcomeLength'>;

function cut(text: string): string {
  // Never split a surrogate pair: the stream holds text, not half characters.
  let head = text.slice(0, AUDIT_TEXT_MAX - 1);
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  return `${head}…`;
}

/** The entry as stored: long text cut, its full length recorded. PURE. */
export function boundedAuditEntry(input: AuditInput): AuditEntry {
  const entry: AuditEntry = { ...input };
  for (const field of TEXT_FIELDS) {
    const value = input[field];
    if (value !== undefined && value.length > AUDIT_TEXT_MAX) {
      entry[field] = cut(value);
      entry[`${field}Length`] = value.length;
    }
  }
  for (const field of ['user', 'channel', 'jobId'] as const) {
    const value = input[field];
    if (value !== undefined && value.length > AUDIT_TEXT_MAX) entry[field] = cut(value);
  }
  return entry;
}

export interface AuditLog {
  append(entry: AuditInput): Promise<void>;
  recent(count: number): Promise<AuditEntry[]>;
}

/**
 * THE way an audit entry is written (commands, offboarding actions, triggers): appended, and an
 * append that fails is logged, never thrown — an audit failure never changes what a person hears.
 */
export async function writeAudit(audit: Pick<AuditLog, 'append'>, logger: Pick<Logger, 'warn'>, entry: AuditInput): Promise<void> {
  try {
    await audit.append(entry);
  } catch (error) {
    logger.warn({ err: error }, 'audit append failed');
  }
}

export function createAuditLog(deps: { redis: Redis; prefix: string; maxLength?: number }): AuditLog {
  const key = `${deps.prefix}:audit`;
  const maxLength = deps.maxLength ?? 10_000;
  return {
    async append(entry) {
      const valid = AuditEntrySchema.parse(boundedAuditEntry(entry));
      const fields = Object.entries(valid).flatMap(([name, value]) => (value === undefined ? [] : [name, String(value)]));
      await deps.redis.xadd(key, 'MAXLEN', '~', String(maxLength), '*', ...fields);
    },
    async recent(count) {
      const rows = await deps.redis.xrevrange(key, '+', '-', 'COUNT', count);
      return rows.flatMap(([, fields]) => {
        const record: Record<string, unknown> = {};
        for (let index = 0; index + 1 < fields.length; index += 2) record[fields[index]!] = fields[index + 1];
        for (const numeric of ['at', 'durationMs', 'commandLength', 'targetLength', 'outcomeLength'])
          if (record[numeric] !== undefined) record[numeric] = Number(record[numeric]);
        const parsed = AuditEntrySchema.safeParse(record);
        return parsed.success ? [parsed.data] : [];
      });
    },
  };
}
