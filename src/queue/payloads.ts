import * as z from 'zod';
import { ProbeReportSchema } from '../report/report.js';
import { DiagnosisSchema } from '../diagnosis/diagnosis-schema.js';

/**
 * Job data, validated on both sides. Names and Slack coordinates only: a job never carries a token
 * (the worker reads tokens from its own environment by the gateway's name).
 */
export const SlackTargetSchema = z.object({
  channel: z.string().regex(/^[CDG][A-Z0-9]+$/, { error: 'expected a Slack channel id' }),
  /** The placeholder message to update in place. */
  ts: z
    .string()
    .regex(/^\d+\.\d+$/)
    .optional(),
  threadTs: z
    .string()
    .regex(/^\d+\.\d+$/)
    .optional(),
});
export type SlackTarget = z.infer<typeof SlackTargetSchema>;

const GatewayName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/);

export const CheckRequestJobSchema = z
  .object({
    requestId: z.string().uuid(),
    gateways: z.array(GatewayName).min(1).max(500),
    requestedAt: z.number().int().positive(),
    requestedBy: z.string().max(32).optional(),
    source: z.enum(['command', 'button', 'terminal']),
    slack: SlackTargetSchema.optional(),
  })
  .strict();
export type CheckRequestJob = z.infer<typeof CheckRequestJobSchema>;

export const PostCheckResultJobSchema = z
  .object({
    requestId: z.string().uuid(),
    gateways: z.array(GatewayName).min(1).max(500),
    requestedBy: z.string().max(32).optional(),
    slack: SlackTargetSchema,
    reports: z.array(ProbeReportSchema).max(500),
    /**
     * The check's diagnosis of each report (aligned with `reports`), made once with the enrichment
     * context: the poster renders it as it is, so the answer is what history recorded. Absent from
     * jobs enqueued before it existed (and when a diagnosis is beyond the bounds): the poster then
     * diagnoses the reports itself.
     */
    diagnoses: z.array(DiagnosisSchema).max(500).optional(),
    /** Gateways that could not be checked, with the reason (removed from config, internal error). */
    problems: z.array(z.object({ gateway: z.string(), message: z.string().max(500) })).default([]),
  })
  .strict()
  .refine((job) => !job.diagnoses || job.diagnoses.length === job.reports.length, {
    error: 'diagnoses must be one per report',
    path: ['diagnoses'],
  });
export type PostCheckResultJob = z.infer<typeof PostCheckResultJobSchema>;
