import type { Job } from 'bullmq';
import type { CheckResult } from '../src/check/checker.js';
import { diagnose as pureDiagnose, type Diagnose } from '../src/diagnosis/diagnose.js';
import { contextOrEmpty, type CheckEnrichment } from '../src/render/enrichment.js';
import type { Logger } from '../src/log.js';
import type { Coalescer } from '../src/queue/coalesce.js';
import type { Monitor } from '../src/features/monitoring/alerts/monitor.js';
import { ScheduledCheckDataSchema } from './schedules.js';
import { invalidJobData } from '../src/queue/job-data.js';

/**
 * One scheduled check of one gateway: probe through the same coalescer as a person's check (a
 * command and the schedule within the window share one probe), diagnose it once with the
 * enrichment's context, record the result in history, then let the alert policy see it (an alert
 * job carries the same diagnosis: jobs/post-alert.ts). Never retried: the next one is at most one
 * interval away.
 */
export interface ScheduledCheckDeps {
  coalescer: Coalescer;
  /** Where the diagnosis context comes from (history, offboarding), as for a person's check. */
  enrichment?: CheckEnrichment;
  /** The diagnosis (default: src/diagnosis/diagnose.ts); injected so a test can count it. */
  diagnose?: Diagnose;
  knownGateways: () => readonly string[];
  record: (result: CheckResult) => Promise<void>;
  monitor: Monitor;
  /**
   * The `requestedAt` to hand the coalescer: a scheduled check shares a probe only if it started
   * within half its interval (a person's check a moment ago counts; the previous scheduled one, an
   * interval ago, must not count twice when the interval is shorter than the coalescing window).
   */
  requestedAt: (gateway: string) => number;
  logger: Logger;
}

export function createScheduledCheckProcessor(deps: ScheduledCheckDeps) {
  const diagnose = deps.diagnose ?? pureDiagnose;
  return async (job: Job): Promise<{ gateway: string; state?: string; posts?: number; skipped?: string }> => {
    const parsed = ScheduledCheckDataSchema.safeParse(job.data);
    if (!parsed.success) throw invalidJobData('scheduled check', parsed.error);
    const { gateway } = parsed.data;
    // The scheduler outlives a config change until the next boot reconciles it.
    if (!deps.knownGateways().includes(gateway)) return { gateway, skipped: 'not in the configuration' };
    const report = await deps.coalescer.probe(gateway, deps.requestedAt(gateway));
    const result: CheckResult = { report, diagnosis: diagnose(report, await contextOrEmpty(deps.enrichment, report)) };
    await deps.record(result).catch((error: unknown) => deps.logger.warn({ err: error, gateway }, 'recording the scheduled result failed'));
    const decided = await deps.monitor.observe(result);
    return { gateway, state: result.diagnosis.state, posts: decided.posts.length, ...(decided.skipped ? { skipped: decided.skipped } : {}) };
  };
}
