import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from '../src/log.js';
import { HOST_CHECK_JOB, HostCheckJobSchema, HostCheckResultSchema, type HostCheckResult } from '../src/queue/host-check-job.js';
import { jobDataProblem } from '../src/queue/job-data.js';

/**
 * The host agent's only processor. A job may say "run the host checks" for this agent's gateway,
 * nothing more: another job name, an extra field (a command, a path, a unit), another gateway or an
 * old job is refused with UnrecoverableError — never retried, never run. What runs is `runChecks`,
 * fixed when the agent started.
 */
export interface HostCheckProcessorDeps {
  gateway: string;
  runChecks: () => Promise<HostCheckResult>;
  /** Jobs older than this (by the requester's clock) have nobody waiting for them. */
  maxAgeMs: number;
  now?: () => number;
  logger: Logger;
}

export function createHostCheckProcessor(deps: HostCheckProcessorDeps) {
  const now = deps.now ?? Date.now;
  return async (job: Job): Promise<HostCheckResult> => {
    // Only names and ids are logged: the data of a refused job is not ours to repeat.
    const refuse = (why: string): never => {
      deps.logger.warn({ jobId: job.id, jobName: String(job.name).slice(0, 64), why }, 'host-check job refused');
      throw new UnrecoverableError(`refused: ${why}`);
    };
    if (job.name !== HOST_CHECK_JOB) refuse(`unknown job name ${JSON.stringify(String(job.name).slice(0, 64))}: this agent runs only "${HOST_CHECK_JOB}"`);
    const parsed = HostCheckJobSchema.safeParse(job.data);
    if (!parsed.success) refuse(`invalid job data: ${jobDataProblem(parsed.error).slice(0, 300)}`);
    const request = parsed.data!;
    if (request.gateway !== deps.gateway) refuse(`this agent checks ${deps.gateway}, not ${request.gateway}`);
    if (now() - request.requestedAt > deps.maxAgeMs) refuse(`expired: asked ${Math.round((now() - request.requestedAt) / 1000)} s ago, nobody waits for it`);
    const result = await deps.runChecks();
    return HostCheckResultSchema.parse(result);
  };
}
