import type { Queue } from 'bullmq';
import * as z from 'zod';
import type { Config } from '../src/config/schema.js';
import { gatewayNames } from '../src/config/targets.js';
import type { Logger } from '../src/log.js';
import { JOBS } from '../src/queue/names.js';

/**
 * The schedules as data, derived from the config (PURE), and their reconciliation with BullMQ's
 * job schedulers at boot: every desired scheduler is upserted (an unchanged one keeps its timing),
 * and ours that the config no longer names are removed. Checks are jittered by a stable
 * per-gateway offset, so that a fleet is not probed in lockstep and a restart keeps each slot.
 */
export const ScheduledCheckDataSchema = z.object({ gateway: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/) }).strict();
export type ScheduledCheckData = z.infer<typeof ScheduledCheckDataSchema>;

export const DigestJobDataSchema = z.object({ id: z.string(), cron: z.string(), tz: z.string(), channel: z.string() }).strict();
export type DigestJobData = z.infer<typeof DigestJobDataSchema>;

export type ScheduleSpec =
  | { id: string; name: typeof JOBS.scheduledCheck; repeat: { every: number; offset: number }; data: ScheduledCheckData }
  | { id: string; name: typeof JOBS.digest; repeat: { pattern: string; tz: string }; data: DigestJobData };

const CHECK_PREFIX = 'check-';
const DIGEST_PREFIX = 'digest-';

/** FNV-1a: stable across processes and releases (unlike anything seeded). */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Checks of intervals this long or longer fall on whole-second slots. A worker wakes once for every
 * distinct due time (a blocking pop that times out, then a fetch), so 500 gateways on distinct
 * milliseconds cost ~8 wake-ups a second of their own; on 59 shared slots the checks due together
 * are promoted by one fetch and run side by side, sharing the worker's wake-ups and Redis round
 * trips. Still spread over the interval: ~8 a second for 500 gateways, under `monitoring.concurrency`.
 */
export const SLOTTED_FROM_MS = 10_000;
export const SLOT_MS = 1_000;

/**
 * Where in each interval this gateway's check falls, stable per name: a whole-second slot 1 s …
 * every-1 s for intervals of 10 s and more, else 1 … every-1 ms (0 would mean "now", unjittered).
 */
export function jitterOffset(gateway: string, everyMs: number): number {
  if (everyMs <= 1) return 0;
  if (everyMs < SLOTTED_FROM_MS) return 1 + (stableHash(gateway) % (everyMs - 1));
  const slots = Math.floor(everyMs / SLOT_MS);
  return SLOT_MS * (1 + (stableHash(gateway) % (slots - 1)));
}

export function checkIntervalMs(config: Config, gateway: string): number {
  return (config.gateways[gateway]?.checkIntervalSeconds ?? config.monitoring.checkIntervalSeconds) * 1_000;
}

export function desiredSchedules(config: Config): ScheduleSpec[] {
  if (!config.monitoring.enabled) return [];
  const checks: ScheduleSpec[] = gatewayNames(config).map((gateway) => {
    const every = checkIntervalMs(config, gateway);
    return { id: `${CHECK_PREFIX}${gateway}`, name: JOBS.scheduledCheck, repeat: { every, offset: jitterOffset(gateway, every) }, data: { gateway } };
  });
  const digests: ScheduleSpec[] = config.monitoring.digests.map((digest) => {
    const id = `${DIGEST_PREFIX}${stableHash(`${digest.cron}|${digest.tz}|${digest.channel}`).toString(36)}`;
    return { id, name: JOBS.digest, repeat: { pattern: digest.cron, tz: digest.tz }, data: { id, cron: digest.cron, tz: digest.tz, channel: digest.channel } };
  });
  return [...checks, ...digests];
}

/** Only the last failures are worth keeping: a scheduled check runs every minute per gateway. */
const TEMPLATE_OPTS = { attempts: 1, removeOnComplete: true, removeOnFail: { age: 24 * 3_600, count: 1_000 } };

export async function reconcileSchedules(queue: Queue, specs: readonly ScheduleSpec[], logger: Logger): Promise<{ upserted: number; removed: string[] }> {
  const wanted = new Set(specs.map((spec) => spec.id));
  const existing = await queue.getJobSchedulers(0, -1);
  const removed: string[] = [];
  for (const scheduler of existing) {
    const id = scheduler.key;
    if (!(id.startsWith(CHECK_PREFIX) || id.startsWith(DIGEST_PREFIX)) || wanted.has(id)) continue;
    await queue.removeJobScheduler(id);
    removed.push(id);
  }
  for (const spec of specs) {
    await queue.upsertJobScheduler(spec.id, spec.repeat, { name: spec.name, data: spec.data, opts: TEMPLATE_OPTS });
  }
  logger.info({ schedules: specs.length, removed }, 'schedules reconciled');
  return { upserted: specs.length, removed };
}
