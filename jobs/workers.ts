import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, JOBS } from '../src/queue/names.js';
import { CheckRequestJobSchema } from '../src/queue/payloads.js';
import { createCheckRequestProcessor, postJobOptions, type CheckRequestDeps } from './check-request.js';
import { createPostCheckResultProcessor } from './post-check-result.js';
import type { SlackPoster } from '../src/slack/poster.js';
import type { CheckEnrichment } from '../src/check/enrichment.js';

/**
 * The worker side: check requests and Slack posts, each with bounded concurrency. A check job that
 * fails (a bug, not a broken gateway) still answers its requester: the failure is posted.
 */
export interface Workers {
  close(options?: { graceMs?: number }): Promise<void>;
  checks: Worker;
  posts: Worker;
}

export interface WorkersDeps extends Omit<CheckRequestDeps, 'posts'> {
  connection: Redis;
  prefix: string;
  poster: SlackPoster;
  enrichment?: CheckEnrichment;
  concurrency: number;
  /** BullMQ lock settings; shorter in tests so a killed worker's job is recovered quickly. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export function startWorkers(deps: WorkersDeps): Workers {
  const posts = new Queue(QUEUES.posts, { connection: deps.connection, prefix: deps.prefix });
  posts.on('error', (error) => deps.logger.warn({ err: error }, 'posts queue error'));
  const lock = { ...(deps.lockDurationMs ? { lockDuration: deps.lockDurationMs } : {}), ...(deps.stalledIntervalMs ? { stalledInterval: deps.stalledIntervalMs } : {}) };
  const checks = new Worker(QUEUES.checks, createCheckRequestProcessor({ ...deps, posts }), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    ...lock,
  });
  const postWorker = new Worker(QUEUES.posts, createPostCheckResultProcessor({ poster: deps.poster, enrichment: deps.enrichment }), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: 4,
    ...lock,
  });

  checks.on('failed', (job: Job | undefined, error: Error) => {
    if (!job) return;
    deps.logger.error({ err: error, jobId: job.id }, 'check request failed');
    const request = CheckRequestJobSchema.safeParse(job.data);
    if (!request.success || !request.data.slack) return;
    const why = error.name === 'UnrecoverableError' ? error.message : `the check failed inside clawops (${error.message.slice(0, 200)})`;
    void posts
      .add(JOBS.postCheckResult, { requestId: request.data.requestId, gateways: request.data.gateways, requestedBy: request.data.requestedBy, slack: request.data.slack, reports: [], problems: [{ gateway: request.data.gateways.join(', '), message: why }] }, postJobOptions(request.data.requestId))
      .catch((postError: unknown) => deps.logger.error({ err: postError, jobId: job.id }, 'could not enqueue the failure notice'));
  });
  postWorker.on('failed', (job: Job | undefined, error: Error) => deps.logger.warn({ err: error, jobId: job?.id, attempts: job?.attemptsMade }, 'posting to Slack failed'));
  for (const worker of [checks, postWorker]) worker.on('error', (error) => deps.logger.warn({ err: error }, 'worker error'));

  let closing: Promise<void> | undefined;
  return {
    checks,
    posts: postWorker,
    close(options = {}) {
      closing ??= (async () => {
        const graceMs = options.graceMs ?? 20_000;
        const deadline = Date.now() + graceMs;
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
        // In-flight checks finish first (bounded): they enqueue their posts as they end.
        if ((await Promise.race([checks.close().then(() => 'done' as const), timer])) === 'timeout') {
          deps.logger.warn({ graceMs }, 'in-flight checks did not finish in time; stopping them');
          await checks.close(true);
        }
        // Then the answers they produced are posted before the post worker stops (anything left,
        // e.g. a post waiting out a backoff, stays in Redis for the next worker).
        while (Date.now() < deadline) {
          const counts = await posts.getJobCounts('waiting', 'active').catch(() => ({ waiting: 0, active: 0 }));
          if ((counts.waiting ?? 0) + (counts.active ?? 0) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        if ((await Promise.race([postWorker.close().then(() => 'done' as const), new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now())).unref())])) === 'timeout') {
          await postWorker.close(true);
        }
        await posts.close();
      })();
      return closing;
    },
  };
}
