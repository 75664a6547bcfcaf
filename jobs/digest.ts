import { parseStored } from '../src/state/stored-json.js';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { MonitoringServices } from '../src/features/monitoring/services.js';
import { PostedMessageSchema, type SlackPoster } from '../src/slack/poster.js';
import { DigestJobDataSchema } from './schedules.js';
import { invalidJobData } from '../src/queue/job-data.js';

/**
 * A scheduled digest: covers the time since this schedule's previous digest (so Monday's
 * weekdays-only digest covers the weekend), 24 h the first time, at most the 7 days history
 * keeps. Posted once per firing even if the job is retried.
 */
const FIRST_PERIOD_MS = 24 * 3_600_000;
const LONGEST_PERIOD_MS = 7 * 24 * 3_600_000;

export function createDigestProcessor(deps: { monitoring: MonitoringServices; poster: SlackPoster; redis: Redis; prefix: string; now: () => number }) {
  const lastKey = (id: string) => `${deps.prefix}:digest:${id}:last`;
  const postedKey = (jobId: string) => `${deps.prefix}:digest:posted:${jobId}`;
  return async (job: Job): Promise<{ channel: string; ts: string }> => {
    const parsed = DigestJobDataSchema.safeParse(job.data);
    if (!parsed.success) throw invalidJobData('digest job', parsed.error);
    const { id, tz, channel } = parsed.data;
    const jobKey = (job.id ?? `${id}-${job.timestamp}`).replace(/:/g, '-');
    const already = await deps.redis.get(postedKey(jobKey));
    const remembered = parseStored(PostedMessageSchema, already);
    if (remembered) return remembered;

    const toMs = deps.now();
    const last = Number(await deps.redis.get(lastKey(id)));
    const fromMs = Number.isFinite(last) && last > 0 && last < toMs ? Math.max(last, toMs - LONGEST_PERIOD_MS) : toMs - FIRST_PERIOD_MS;
    const content = await deps.monitoring.digest({ fromMs, toMs, timeZone: tz });
    // Keyed, so a lost answer (5xx, reset) is looked up instead of posting the digest twice.
    const posted = await deps.poster.postOnce({ channel }, content, { key: `digest-${jobKey}`, deadlineMs: 60_000 });
    await deps.redis
      .multi()
      .set(postedKey(jobKey), JSON.stringify(posted), 'EX', 7 * 24 * 3_600)
      .set(lastKey(id), String(toMs))
      .exec();
    return posted;
  };
}
