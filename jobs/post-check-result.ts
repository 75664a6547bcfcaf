import type { Job } from 'bullmq';
import { diagnose as pureDiagnose, type Diagnose } from '../src/diagnosis/diagnose.js';
import { PostCheckResultJobSchema, type PostCheckResultJob } from '../src/queue/payloads.js';
import { renderCheckFailed, renderCheckResults } from '../src/render/check-blocks.js';
import type { SlackPoster } from '../src/slack/poster.js';
import { context, fallbackOf, message, section, type SlackMessage } from '../src/render/blocks.js';
import { joinText, md } from '../src/render/slack-text.js';
import { annotationsOrNone, contextOrEmpty, footerOrNone, type CheckEnrichment } from '../src/render/enrichment.js';
import type { PendingChecks } from '../src/state/pending-checks.js';
import type { Logger } from '../src/log.js';
import { invalidJobData } from '../src/queue/job-data.js';

/**
 * Posts (or updates in place) the verdict message. Retried with backoff within the post window
 * (src/queue/post-retry.ts); idempotent. Once Slack has it, the placeholder is marked answered.
 */
export interface CheckResultPublisherDeps {
  poster: SlackPoster;
  enrichment?: CheckEnrichment;
  /** For a post job that carries no diagnosis (enqueued by an older worker): default src/diagnosis/diagnose.ts. */
  diagnose?: Diagnose;
  pending?: PendingChecks;
  logger?: Logger;
}

export type PublishCheckResult = (data: PostCheckResultJob, options: { idempotencyKey: string; reconcileSinceMs?: number }) => Promise<{ ts: string }>;

/** Render and post one check's answer: shared by the post job, the direct fallback and the sweeper. */
export function createCheckResultPublisher(deps: CheckResultPublisherDeps): PublishCheckResult {
  return async (data, options) => {
    const message = await renderPost(data, deps.enrichment, deps.diagnose);
    const posted = await deps.poster.postOrUpdate(data.slack, message, options.idempotencyKey, {
      state: 'answered',
      ...(options.reconcileSinceMs !== undefined ? { reconcileSinceMs: options.reconcileSinceMs } : {}),
    });
    // Slack has the answer: a failure to note it costs at most a look by the sweeper, never a retry.
    await deps.pending
      ?.answered(data.requestId)
      .catch((error: unknown) => deps.logger?.debug({ err: error, requestId: data.requestId }, 'could not mark the check answered'));
    return { ts: posted.ts };
  };
}

export function createPostCheckResultProcessor(deps: CheckResultPublisherDeps) {
  const publish = createCheckResultPublisher(deps);
  return async (job: Job): Promise<{ ts: string }> => {
    const parsed = PostCheckResultJobSchema.safeParse(job.data);
    if (!parsed.success) throw invalidJobData('post job', parsed.error);
    // A retry of a post without a placeholder looks for the message the last attempt may have posted.
    return publish(parsed.data, { idempotencyKey: job.id ?? parsed.data.requestId, ...(job.attemptsMade > 0 ? { reconcileSinceMs: job.timestamp } : {}) });
  };
}

/**
 * The answer, from the diagnoses the check made (jobs/check-request.ts). A job without them (one an
 * older worker enqueued) is diagnosed here, with the same context, so it reads the same.
 */
export async function renderPost(data: PostCheckResultJob, enrichment: CheckEnrichment | undefined, diagnose: Diagnose = pureDiagnose): Promise<SlackMessage> {
  if (data.reports.length === 0) {
    return renderCheckFailed(data.gateways, data.problems.map((problem) => problem.message).join('; ') || 'no result');
  }
  const results = await Promise.all(
    data.reports.map(async (report, index) => ({ report, diagnosis: data.diagnoses?.[index] ?? diagnose(report, await contextOrEmpty(enrichment, report)) })),
  );
  const footer = await footerOrNone(enrichment, data.gateways);
  const annotations = new Map(
    await Promise.all(
      results.map(
        async ({ report, diagnosis }) => [report.gateway.name, (await annotationsOrNone(enrichment, report, diagnosis)).map((line) => line.slack)] as const,
      ),
    ),
  );
  const rendered = renderCheckResults(results, { requestedBy: data.requestedBy, rerun: { gateways: data.gateways }, footer: footer?.blocks, annotations });
  if (!footer && data.problems.length === 0) return rendered;
  const text = footer ? md`${fallbackOf(rendered)}\n${footer.text}` : fallbackOf(rendered);
  if (data.problems.length === 0) return message(text, rendered.blocks);
  const note = joinText(
    data.problems.map((problem) => md`⚠️ ${problem.message}`),
    '\n',
  );
  return message(md`${text}\n${note}`, [...rendered.blocks.slice(0, 48), section(note), context([md`some gateways could not be checked`])].slice(0, 50));
}
