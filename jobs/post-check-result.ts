import { UnrecoverableError, type Job } from 'bullmq';
import { diagnose } from '../src/diagnosis/diagnose.js';
import { PostCheckResultJobSchema } from '../src/queue/payloads.js';
import { renderCheckFailed, renderCheckResults } from '../src/render/check-blocks.js';
import type { SlackPoster } from '../src/slack/poster.js';
import { context, section, type SlackMessage } from '../src/render/blocks.js';

/** Posts (or updates in place) the verdict message. Retried with backoff; idempotent. */
export function createPostCheckResultProcessor(deps: { poster: SlackPoster }) {
  return async (job: Job): Promise<{ ts: string }> => {
    const parsed = PostCheckResultJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid post job: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
    const data = parsed.data;
    const message = renderPost(data);
    const posted = await deps.poster.postOrUpdate(data.slack, message, job.id ?? data.requestId);
    return { ts: posted.ts };
  };
}

function renderPost(data: ReturnType<typeof PostCheckResultJobSchema.parse>): SlackMessage {
  if (data.reports.length === 0) {
    return renderCheckFailed(data.gateways, data.problems.map((problem) => problem.message).join('; ') || 'no result');
  }
  const results = data.reports.map((report) => ({ report, diagnosis: diagnose(report) }));
  const rendered = renderCheckResults(results, { requestedBy: data.requestedBy, rerun: { gateways: data.gateways } });
  if (data.problems.length === 0) return rendered;
  const note = data.problems.map((problem) => `⚠️ ${problem.message}`).join('\n');
  return { text: `${rendered.text}\n${note}`, blocks: [...rendered.blocks.slice(0, 48), section(note), context(['some gateways could not be checked'])].slice(0, 50) };
}
