import type { Job, Queue } from 'bullmq';
import type { CheckResult } from '../src/check/checker.js';
import { carriedDiagnosis } from '../src/diagnosis/diagnosis-schema.js';
import { diagnose as pureDiagnose, type Diagnose } from '../src/diagnosis/diagnose.js';
import type { Coalescer } from '../src/queue/coalesce.js';
import { CheckRequestJobSchema, type CheckRequestJob, type PostCheckResultJob } from '../src/queue/payloads.js';
import { JOBS, postJobId } from '../src/queue/names.js';
import { contextOrEmpty, type CheckEnrichment } from '../src/render/enrichment.js';
import type { Logger } from '../src/log.js';
import { windowedRetryOptions } from '../src/queue/post-retry.js';
import { invalidJobData } from '../src/queue/job-data.js';

/**
 * A check request: probe each named gateway (coalesced with other requests for the same gateway),
 * diagnose each report ONCE, with the enrichment's context (a version change from history, a
 * token rotation from offboarding), then hand reports and diagnoses to the posts queue. The same
 * diagnosis is what `onReport` records (history, metrics, the fingerprint) and what the post job
 * renders. The post job id is derived from the request, so a request re-run after a crash
 * enqueues the same post, never a second one.
 */
export interface CheckRequestDeps {
  coalescer: Coalescer;
  posts: Queue;
  knownGateways: () => readonly string[];
  gatewayConcurrency: number;
  /** Where the diagnosis context comes from (history, offboarding). */
  enrichment?: CheckEnrichment;
  /** The diagnosis (default: src/diagnosis/diagnose.ts); injected so a test can count it. */
  diagnose?: Diagnose;
  /** Every result, with the diagnosis the answer shows: recording it must not fail the check. */
  onReport?: (result: CheckResult, source: CheckRequestJob['source']) => Promise<void>;
  /**
   * Posts a finished check straight to Slack when Redis does not take its post job in time (an
   * outage, a failover): the answer is never held hostage by the queue it would travel through.
   */
  postDirect?: (post: PostCheckResultJob) => Promise<unknown>;
  logger: Logger;
}

/** How long a finished check waits for Redis to take its post job before posting directly. */
export const POST_ENQUEUE_GRACE_MS = 5_000;

export function createCheckRequestProcessor(deps: CheckRequestDeps) {
  const diagnose = deps.diagnose ?? pureDiagnose;
  return async (job: Job): Promise<{ gateways: number; problems: number }> => {
    const parsed = CheckRequestJobSchema.safeParse(job.data);
    if (!parsed.success) throw invalidJobData('check request', parsed.error);
    const request = parsed.data;
    const known = new Set(deps.knownGateways());
    const results: CheckResult[] = [];
    const problems: PostCheckResultJob['problems'] = [];

    const pending = [...request.gateways];
    const lane = async () => {
      for (let gateway = pending.shift(); gateway !== undefined; gateway = pending.shift()) {
        if (!known.has(gateway)) {
          problems.push({ gateway, message: `\`${gateway}\` is no longer in the configuration` });
          continue;
        }
        try {
          const report = await deps.coalescer.probe(gateway, request.requestedAt);
          const result: CheckResult = { report, diagnosis: diagnose(report, await contextOrEmpty(deps.enrichment, report)) };
          results.push(result);
          await deps
            .onReport?.(result, request.source)
            .catch((error: unknown) => deps.logger.warn({ err: error, gateway }, 'recording the check result failed'));
        } catch (error) {
          deps.logger.error({ err: error, gateway, requestId: request.requestId }, 'check failed inside clawops');
          problems.push({ gateway, message: `the check failed inside clawops (${error instanceof Error ? error.message.slice(0, 200) : 'error'})` });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(deps.gatewayConcurrency, request.gateways.length) }, lane));
    const order = new Map(request.gateways.map((name, index) => [name, index]));
    results.sort((a, b) => (order.get(a.report.gateway.name) ?? 0) - (order.get(b.report.gateway.name) ?? 0));

    if (request.slack) {
      const diagnoses = carriedDiagnoses(results);
      if (!diagnoses) deps.logger.warn({ requestId: request.requestId }, 'a diagnosis is beyond the job-data bounds: the post job diagnoses the reports again');
      const post: PostCheckResultJob = {
        requestId: request.requestId,
        gateways: request.gateways,
        requestedBy: request.requestedBy,
        slack: request.slack,
        reports: results.map((result) => result.report),
        ...(diagnoses ? { diagnoses } : {}),
        problems,
      };
      await handOver(deps, post);
    }
    return { gateways: results.length, problems: problems.length };
  };
}

/** Every result's diagnosis, aligned with the reports; none if any one is beyond the bounds. */
function carriedDiagnoses(results: readonly CheckResult[]): PostCheckResultJob['diagnoses'] {
  const diagnoses = results.map((result) => carriedDiagnosis(result.diagnosis));
  return diagnoses.every((diagnosis) => diagnosis !== undefined) ? diagnoses : undefined;
}

/**
 * The post job, as usual; when Redis has not taken it within the grace (the worker's connection
 * waits through an outage), the answer goes to Slack directly — updating the placeholder, so a
 * post job that lands later only updates the same message again. Without a placeholder to update
 * a direct post could double, so then the queue is waited for.
 */
async function handOver(deps: CheckRequestDeps, post: PostCheckResultJob): Promise<void> {
  const queued = deps.posts.add(JOBS.postCheckResult, post, postJobOptions(post.requestId));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), POST_ENQUEUE_GRACE_MS);
  });
  const first = await Promise.race([queued.then(() => 'queued' as const), late]).finally(() => clearTimeout(timer));
  if (first === 'queued' || !deps.postDirect || !post.slack.ts) {
    await queued;
    return;
  }
  queued.catch((error: unknown) => deps.logger.warn({ err: error, requestId: post.requestId }, 'the post job never reached Redis (answered directly)'));
  deps.logger.warn({ requestId: post.requestId, graceMs: POST_ENQUEUE_GRACE_MS }, 'Redis did not take the post job in time: posting the answer directly');
  try {
    await deps.postDirect(post);
  } catch (error) {
    deps.logger.error({ err: error, requestId: post.requestId }, 'posting the answer directly failed: waiting for Redis to take the post job');
    await queued;
  }
}

export function postJobOptions(requestId: string) {
  return {
    jobId: postJobId(requestId),
    ...windowedRetryOptions(),
    removeOnComplete: { age: 3_600, count: 1_000 },
    removeOnFail: { age: 7 * 24 * 3_600 },
  };
}
