import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/log.js';
import { OFFBOARDING_JOBS, OFFBOARDING_QUEUE } from '../src/features/offboarding/offboarding-jobs.js';
import { logWorkerError } from '../src/health/worker-errors.js';
import type { OffboardingJobDeps } from '../src/features/offboarding/feature.js';
import { createOpenOffboardingProcessor } from './offboarding-open.js';
import { createPollUsersProcessor } from './offboarding-poll-users.js';
import { createRemindProcessor } from './offboarding-remind.js';

/** The offboarding queue's worker: one processor per job kind, dispatched by job name. */
export type Processor = (job: Job, token?: string) => Promise<unknown>;

/** One processor per offboarding job kind, from what the offboarding feature hands the worker. */
export function offboardingProcessors(jobs: OffboardingJobDeps): Record<(typeof OFFBOARDING_JOBS)[keyof typeof OFFBOARDING_JOBS], Processor> {
  return {
    [OFFBOARDING_JOBS.open]: createOpenOffboardingProcessor(jobs.open),
    [OFFBOARDING_JOBS.remind]: createRemindProcessor(jobs.remind),
    [OFFBOARDING_JOBS.pollUsers]: createPollUsersProcessor(jobs.pollUsers),
  };
}

export function startOffboardingWorker(deps: {
  connection: Redis;
  prefix: string;
  processors: Record<(typeof OFFBOARDING_JOBS)[keyof typeof OFFBOARDING_JOBS], Processor>;
  logger: Logger;
}): Worker {
  const worker = new Worker(
    OFFBOARDING_QUEUE,
    async (job, token) => {
      const processor = deps.processors[job.name as keyof typeof deps.processors];
      if (!processor) throw new UnrecoverableError(`unknown offboarding job ${job.name}`);
      return processor(job, token);
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: 4 },
  );
  worker.on('failed', (job, error) => deps.logger.warn({ err: error, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade }, 'offboarding job failed'));
  worker.on('error', (error) => logWorkerError(deps.logger, undefined, error, 'offboarding worker error'));
  return worker;
}
