import type { Queue } from 'bullmq';
import * as z from 'zod';
import type { CheckResult } from '../../../check/checker.js';
import { ProbeReportSchema } from '../../../report/report.js';
import { carriedDiagnosis, DiagnosisSchema } from '../../../diagnosis/diagnosis-schema.js';
import { JOBS } from '../../../queue/names.js';
import type { AlertPost } from './policy.js';

/**
 * An alert post as a job on the `alerts` queue: what to say (the policy's decision), where, and
 * the report it is about (names and evidence only, never a token). The job id is derived from the
 * incident and the post, so the same decision enqueued twice is one job.
 */
const base = {
  subject: z.string().min(1).max(64),
  incidentId: z.string().min(1).max(120),
  verdict: z.string().min(1).max(64),
  startedAt: z.number().int(),
  at: z.number().int(),
};
export const AlertPostSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('alert'), ...base, failures: z.number().int() }),
  z.object({ kind: z.literal('reminder'), ...base, n: z.number().int() }),
  z.object({ kind: z.literal('verdict-changed'), ...base, from: z.string(), n: z.number().int() }),
  z.object({ kind: z.literal('resolved'), ...base, endedAt: z.number().int() }),
]);

export const AlertPostJobSchema = z
  .object({
    post: AlertPostSchema,
    /** Channel id or `#name` from the config. */
    channel: z.string().min(2).max(90),
    /** The report the post is about (alerts and verdict changes show its verdict). */
    report: ProbeReportSchema.optional(),
    /**
     * The scheduled check's diagnosis of `report` (made once, with the enrichment's context): the
     * alert shows what history recorded. Absent from older jobs: the poster diagnoses the report.
     */
    diagnosis: DiagnosisSchema.optional(),
  })
  .strict()
  .refine((job) => !job.diagnosis || job.report !== undefined, { error: 'a diagnosis comes with its report', path: ['diagnosis'] });
export type AlertPostJob = z.infer<typeof AlertPostJobSchema>;

// The zod schema and the policy's type must describe the same thing.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const postTypesAgree: Same<z.infer<typeof AlertPostSchema>, AlertPost> = true;
void postTypesAgree;

/** BullMQ job ids may not contain ':'; incident ids are `<subject>-<ms>`. */
export function alertJobId(post: Pick<AlertPost, 'kind' | 'incidentId'> & { n?: number }): string {
  switch (post.kind) {
    case 'alert':
      return `alert-${post.incidentId}`;
    case 'resolved':
      return `alert-${post.incidentId}-resolved`;
    default:
      return `alert-${post.incidentId}-${post.kind}-${post.n ?? 0}`;
  }
}

export function alertJobOptions(jobId: string) {
  return {
    jobId,
    // Slack may be briefly unreachable (or clawops' own network may be what is down): keep trying for ~17 min.
    attempts: 10,
    backoff: { type: 'exponential' as const, delay: 2_000 },
    removeOnComplete: { age: 7 * 24 * 3_600 },
    removeOnFail: { age: 7 * 24 * 3_600 },
  };
}

export function createAlertEnqueuer(deps: { queue: Queue; channel: string | undefined }) {
  return async (posts: AlertPost[], result: CheckResult): Promise<void> => {
    if (!deps.channel) return;
    for (const post of posts) {
      const withReport = post.kind === 'alert' || post.kind === 'verdict-changed';
      const diagnosis = withReport ? carriedDiagnosis(result.diagnosis) : undefined;
      const data: AlertPostJob = AlertPostJobSchema.parse({
        post,
        channel: deps.channel,
        ...(withReport ? { report: result.report } : {}),
        ...(diagnosis ? { diagnosis } : {}),
      });
      const jobId = alertJobId(post);
      await deps.queue.add(JOBS.postAlert, data, alertJobOptions(jobId));
    }
  };
}
