import { UnrecoverableError } from 'bullmq';
import type { z } from 'zod';
import { summariseIssues } from '../zod-issues.js';

/**
 * What is wrong with a job's data, for the job's failure reason and the log: every issue with zod's
 * message (job data is ours, so its messages may be repeated; the values themselves never are).
 */
export function jobDataProblem(error: z.ZodError): string {
  return summariseIssues(error, { detail: 'message', limit: Number.POSITIVE_INFINITY, root: '(data)' });
}

/** A job whose data does not parse is never retried: `invalid <what>: <problems>`. */
export function invalidJobData(what: string, error: z.ZodError): UnrecoverableError {
  return new UnrecoverableError(`invalid ${what}: ${jobDataProblem(error)}`);
}
