import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES, JOBS } from '../src/queue/names.js';
import { CheckRequestJobSchema } from '../src/queue/payloads.js';
import { createCheckRequestProcessor, postJobOptions, type CheckRequestDeps } from './check-request.js';
import { createCheckResultPublisher, createPostCheckResultProcessor } from './post-check-result.js';
import type { SlackPoster } from '../src/slack/poster.js';
import type { CheckEnrichment } from '../src/render/enrichment.js';
import type { PendingChecks } from '../src/state/pending-checks.js';
import { DEFAULT_POST_RETRY_WINDOW_MS, windowedBackoff } from '../src/queue/post-retry.js';
import { logWorkerError } from '../src/health/worker-errors.js';
import type { RedisHealth } from '../src/health/redis-health.js';

/**
 * The worker side: check requests and Slack posts, each with bounded concurrency. A check job that
 * fails (a bug, not a broken gateway) still answers its requester: the failure is posted.
 */
export interface Workers {
  close(options?: { graceMs?: number }): Promise<void>;
  checks: Worker;
  posts: Worker;
}

export interface WorkersDeps extends Omit<CheckRequestDeps, 'posts' | 'postDirect'> {
  connection: Redis;
  prefix: string;
  poster: SlackPoster;
  enrichment?: CheckEnrichment;
  pending?: PendingChecks;
  concurrency: number;
  /** BullMQ lock settings (src/queue/lock-timings.ts): how fast a killed worker's job is taken over. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long an answer keeps trying to reach Slack (default 15 min). */
  postRetryWindowMs?: number;
  redisHealth?: RedisHealth;
  /** A post attempt failed: retried within the window, or given up (metrics). */
  onPostFailed?: (givenUp: boolean) => void;
}

export function startWorkers(deps: WorkersDeps): Workers {
  const posts = new Queue(QUEUES.posts, { connection: deps.connection, prefix: deps.prefix });
  posts.on('error', (error) => logWorkerError(deps.logger, deps.redisHealth, error, 'posts queue error'));
  const lock = {
    ...(deps.lockDurationMs ? { lockDuration: deps.lockDurationMs } : {}),
    ...(deps.stalledIntervalMs ? { stalledInterval: deps.stalledIntervalMs } : {}),
  };
  const publisher = {
    poster: deps.poster,
    ...(deps.enrichment ? { enrichment: deps.enrichment } : {}),
    ...(deps.pending ? { pending: deps.pending } : {}),
    ...(deps.diagnose ? { diagnose: deps.diagnose } : {}),
    logger: deps.logger,
  };
  const publish = createCheckResultPublisher(publisher);
  const checks = new Worker(
    QUEUES.checks,
    createCheckRequestProcessor({ ...deps, posts, postDirect: (post) => publish(post, { idempotencyKey: `post-${post.requestId}` }) }),
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      ...lock,
    },
  );
  const postWorker = new Worker(QUEUES.posts, createPostCheckResultProcessor(publisher), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: 4,
    ...lock,
    settings: { backoffStrategy: windowedBackoff(deps.postRetryWindowMs ?? DEFAULT_POST_RETRY_WINDOW_MS) },
  });

  checks.on('failed', (job: Job | undefined, error: Error) => {
    if (!job) return;
    deps.logger.error({ err: error, jobId: job.id }, 'check request failed');
    const request = CheckRequestJobSchema.safeParse(job.data);
    if (!request.success || !request.data.slack) return;
    const why = error.name === 'UnrecoverableError' ? error.message : `the check failed inside clawops (${error.message.slice(0, 200)})`;
    void posts
      .add(
        JOBS.postCheckResult,
        {
          requestId: request.data.requestId,
          gateways: request.data.gateways,
          requestedBy: request.data.requestedBy,
          slack: request.data.slack,
          reports: [],
          problems: [{ gateway: request.data.gateways.join(', '), message: why }],
        },
        postJobOptions(request.data.requestId),
      )
      .catch((postError: unknown) => deps.logger.error({ err: postError, jobId: job.id }, 'could not enqueue the failure notice'));
  });
  // 'failed' fires on every attempt: a Slack outage is one warning per answer, then quiet retries,
  // and an error only when an answer is given up on (the sweeper then tries once more).
  postWorker.on('failed', (job: Job | undefined, error: Error) => {
    const fields = { err: error, jobId: job?.id, attempts: job?.attemptsMade };
    deps.onPostFailed?.(Boolean(job?.finishedOn));
    if (job?.finishedOn) deps.logger.error(fields, 'gave up posting the answer to Slack');
    else if ((job?.attemptsMade ?? 0) <= 1) deps.logger.warn(fields, 'posting to Slack failed: retrying within the post window');
    else deps.logger.debug(fields, 'posting to Slack failed again');
  });
  for (const worker of [checks, postWorker]) worker.on('error', (error) => logWorkerError(deps.logger, deps.redisHealth, error, 'worker error'));

  let closing: Promise<void> | undefined;
  return {
    checks,
    posts: postWorker,
    close(options = {}) {
      closing ??= (async () => {
        const graceMs = options.graceMs ?? 20_000;
        const deadline = Date.now() + graceMs;
        // Everything below is raced against the grace: with Redis down, BullMQ's own close and
        // every queue call wait for a reconnect that may never come.
        const within = <T>(work: Promise<T>): Promise<T | 'timeout'> => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()));
            timer.unref();
          });
          return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
        };
        // In-flight checks finish first (bounded): they enqueue their posts as they end.
        if ((await within(checks.close())) === 'timeout') {
          deps.logger.warn({ graceMs }, 'in-flight checks did not finish in time; stopping them');
          void checks.close(true).catch(() => undefined);
        }
        // Then the answers they produced are posted before the post worker stops (anything left,
        // e.g. a post waiting out a backoff, stays in Redis for the next worker).
        while (Date.now() < deadline) {
          const counts = await within(posts.getJobCounts('waiting', 'active').catch(() => ({ waiting: 0, active: 0 })));
          if (counts === 'timeout' || (counts.waiting ?? 0) + (counts.active ?? 0) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        if ((await within(postWorker.close())) === 'timeout') void postWorker.close(true).catch(() => undefined);
        await within(posts.close().catch(() => undefined));
      })();
      return closing;
    },
  };
}
