import { parseStored } from '../src/state/stored-json.js';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { alertJobId, AlertPostJobSchema } from '../src/features/monitoring/alerts/post-job.js';
import { NETWORK_SUBJECT } from '../src/features/monitoring/alerts/decide.js';
import { annotationsOrNone, contextOrEmpty, type CheckEnrichment } from '../src/render/enrichment.js';
import { diagnose as pureDiagnose, type Diagnose } from '../src/diagnosis/diagnose.js';
import type { Logger } from '../src/log.js';
import { renderAlertPost } from '../src/features/monitoring/render/alert-blocks.js';
import type { SlackMessage } from '../src/render/blocks.js';
import { PostedMessageSchema, type SlackPoster } from '../src/slack/poster.js';
import type { AlertStateStore } from '../src/features/monitoring/state/alert-state.js';
import { invalidJobData } from '../src/queue/job-data.js';
import { reconcileSinceFor } from '../src/queue/reconcile-since.js';
import { AppError } from '../src/errors.js';

/**
 * Posts one alert decision. The alert goes to the channel and its ts becomes the incident's
 * thread; every follow-up goes in that thread. A follow-up that arrives before its alert is posted
 * waits (retried with backoff); if the alert was never posted (Slack refused it for good), the
 * follow-up goes to the channel, so that nothing is silently lost.
 */
export interface PostAlertDeps {
  poster: SlackPoster;
  threads: AlertStateStore;
  /** The alerts queue itself, to ask whether an incident's alert is still on its way. */
  queue: Queue;
  redis: Redis;
  prefix: string;
  enrichment?: CheckEnrichment;
  /** For an alert job that carries its report but no diagnosis (an older worker's): default src/diagnosis/diagnose.ts. */
  diagnose?: Diagnose;
  reminderIntervalMs: number;
  logger: Logger;
}

const STILL_COMING = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export class AlertNotPostedYet extends AppError {
  constructor(message: string) {
    super('ALERT_NOT_POSTED_YET', message);
  }
}

export function createPostAlertProcessor(deps: PostAlertDeps) {
  const diagnose = deps.diagnose ?? pureDiagnose;
  // A Slack post and its marker are not one transaction: a retry (after a crash, or a 5xx whose
  // post went through) first looks for the message by its key before posting again.
  const markerKey = (jobId: string) => `${deps.prefix}:alerts:posted:${jobId}`;
  const postOnce = async (job: Job, jobId: string, target: { channel: string; threadTs?: string }, content: SlackMessage) => {
    const done = await deps.redis.get(markerKey(jobId));
    const remembered = parseStored(PostedMessageSchema, done);
    if (remembered) return remembered;
    // After a failed attempt or a stalled run (reconcile-since.ts), the post may already be there.
    const since = reconcileSinceFor(job);
    const posted = await deps.poster.post(target, content, { key: jobId, ...(since !== undefined ? { reconcileSinceMs: since } : {}) });
    await deps.redis.set(markerKey(jobId), JSON.stringify(posted), 'EX', 30 * 24 * 3_600);
    return posted;
  };

  return async (job: Job): Promise<{ channel: string; ts: string }> => {
    const parsed = AlertPostJobSchema.safeParse(job.data);
    if (!parsed.success) throw invalidJobData('alert post', parsed.error);
    const { post, channel, report, diagnosis } = parsed.data;
    const jobId = job.id ?? alertJobId(post);
    // The scheduled check's own diagnosis (jobs/scheduled-check.ts); an older job without one is diagnosed here, alike.
    const result = report ? { report, diagnosis: diagnosis ?? diagnose(report, await contextOrEmpty(deps.enrichment, report)) } : undefined;
    // What changed since the last good check (the fingerprint) goes beside the alert's verdict too.
    const annotations = result ? (await annotationsOrNone(deps.enrichment, result.report, result.diagnosis)).map((line) => line.slack) : [];
    const content = renderAlertPost(post, {
      network: post.subject === NETWORK_SUBJECT,
      ...(result ? { result } : {}),
      ...(annotations.length ? { annotations } : {}),
      reminderIntervalMs: deps.reminderIntervalMs,
    });

    if (post.kind === 'alert') {
      const posted = await postOnce(job, jobId, { channel }, content);
      await deps.threads.setThread(post.incidentId, posted);
      return posted;
    }
    const thread = await deps.threads.thread(post.incidentId);
    if (!thread) {
      const state = await deps.queue.getJobState(alertJobId({ kind: 'alert', incidentId: post.incidentId }));
      if (STILL_COMING.has(state)) throw new AlertNotPostedYet(`the alert of ${post.incidentId} is not posted yet (${state})`);
      deps.logger.warn({ incident: post.incidentId, kind: post.kind, alertJob: state }, 'the alert was never posted: following up in the channel');
    }
    return postOnce(job, jobId, thread ? { channel: thread.channel, threadTs: thread.ts } : { channel }, content);
  };
}
