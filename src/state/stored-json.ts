import type { Redis } from 'ioredis';
import type { z } from 'zod';

/**
 * Reads back what clawops itself wrote to Redis. An unreadable value (corrupt JSON, an older
 * shape) reads as absent rather than failing the caller: the next write replaces it.
 */
export function parseStored<T>(schema: z.ZodType<T>, text: string | null | undefined): T | undefined {
  if (!text) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** A hash of JSON values by field (gateway name, subject); unreadable fields are left out. */
export async function readStoredHash<T>(redis: Redis, key: string, schema: z.ZodType<T>): Promise<Map<string, T>> {
  const result = new Map<string, T>();
  for (const [field, text] of Object.entries(await redis.hgetall(key))) {
    const value = parseStored(schema, text);
    if (value !== undefined) result.set(field, value);
  }
  return result;
}
