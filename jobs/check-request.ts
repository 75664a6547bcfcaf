import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import type { Coalescer } from '../src/queue/coalesce.js';
import { CheckRequestJobSchema, type PostCheckResultJob } from '../src/queue/payloads.js';
import { JOBS, postJobId } from '../src/queue/names.js';
import type { ProbeReport } from '../src/probes/report.js';
import type { Logger } from '../src/log.js';

/**
 * A check request: probe each named gateway (coalesced with other requests for the same gateway),
 * then hand the reports to the posts queue. The post job id is derived from the request, so a
 * request re-run after a crash enqueues the same post, never a second one.
 */
export interface CheckRequestDeps {
  coalescer: Coalescer;
  posts: Queue;
  knownGateways: () => readonly string[];
  gatewayConcurrency: number;
  onReport?: (report: ProbeReport) => Promise<void>;
  logger: Logger;
}

export function createCheckRequestProcessor(deps: CheckRequestDeps) {
  return async (job: Job): Promise<{ gateways: number; problems: number }> => {
    const parsed = CheckRequestJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid check request: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const request = parsed.data;
    const known = new Set(deps.knownGateways());
    const reports: ProbeReport[] = [];
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
          reports.push(report);
          await deps.onReport?.(report).catch((error: unknown) => deps.logger.warn({ err: error, gateway }, 'recording the check result failed'));
        } catch (error) {
          deps.logger.error({ err: error, gateway, requestId: request.requestId }, 'check failed inside clawops');
          problems.push({ gateway, message: `the check failed inside clawops (${error instanceof Error ? error.message.slice(0, 200) : 'error'})` });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(deps.gatewayConcurrency, request.gateways.length) }, lane));
    const order = new Map(request.gateways.map((name, index) => [name, index]));
    reports.sort((a, b) => (order.get(a.gateway.name) ?? 0) - (order.get(b.gateway.name) ?? 0));

    if (request.slack) {
      const post: PostCheckResultJob = { requestId: request.requestId, gateways: request.gateways, requestedBy: request.requestedBy, slack: request.slack, reports, problems };
      await deps.posts.add(JOBS.postCheckResult, post, postJobOptions(request.requestId));
    }
    return { gateways: reports.length, problems: problems.length };
  };
}

export function postJobOptions(requestId: string) {
  return {
    jobId: postJobId(requestId),
    attempts: 6,
    backoff: { type: 'exponential' as const, delay: 1_000 },
    removeOnComplete: { age: 3_600, count: 1_000 },
    removeOnFail: { age: 7 * 24 * 3_600 },
  };
}
