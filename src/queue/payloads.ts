import * as z from 'zod';
import { ProbeReportSchema } from '../report/report.js';

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
    /** Reports only: the poster diagnoses them again (pure), so nothing derived is stored twice. */
    reports: z.array(ProbeReportSchema),
    /** Gateways that could not be checked, with the reason (removed from config, internal error). */
    problems: z.array(z.object({ gateway: z.string(), message: z.string().max(500) })).default([]),
  })
  .strict();
export type PostCheckResultJob = z.infer<typeof PostCheckResultJobSchema>;
