import * as z from 'zod';
import { ProbeReportSchema } from '../../report/report.js';
import { FingerprintSchema } from './model.js';

/**
 * One recorded check as the stores keep it (`latest`, `lastFailure`): its fingerprint and its whole
 * report. Its own module because the report schema is the largest we have: `clawops check` reads
 * only the good fingerprints and never loads this (file-store.ts imports it when a record is read).
 */
export const CheckRecordSchema = z.object({ at: z.number().int(), fingerprint: FingerprintSchema, report: ProbeReportSchema });
export type CheckRecord = z.infer<typeof CheckRecordSchema>;
