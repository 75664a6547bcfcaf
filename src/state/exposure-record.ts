import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ExposureEvidence, type ProbeReport } from '../report/report.js';
import { readStoredHash } from './stored-json.js';

/**
 * The latest public-exposure probe per gateway (`<prefix>:exposure`, a hash by gateway name), for
 * the digest: last-state keeps only the decisive verdict, and an exposure is advisory next to a
 * blocking failure. Written by the worker after every check that probed the public address.
 */
export const ExposureRecordSchema = ExposureEvidence.extend({ at: z.string() });
export type ExposureRecord = z.infer<typeof ExposureRecordSchema>;

export interface ExposureStore {
  /** Keeps the report's exposure result; a report that did not probe it changes nothing. */
  record(report: ProbeReport): Promise<void>;
  all(): Promise<Map<string, ExposureRecord>>;
}

export function createExposureStore(deps: { redis: Redis; prefix: string }): ExposureStore {
  const key = `${deps.prefix}:exposure`;
  return {
    async record(report) {
      if (!report.exposure) return;
      const value: ExposureRecord = { ...report.exposure, at: report.startedAt };
      await deps.redis.hset(key, report.gateway.name, JSON.stringify(value));
    },
    async all() {
      return readStoredHash(deps.redis, key, ExposureRecordSchema);
    },
  };
}
