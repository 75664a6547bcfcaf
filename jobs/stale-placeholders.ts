import type { Queue } from 'bullmq';
import type { Logger } from '../src/log.js';
import { postJobId } from '../src/queue/names.js';
import { PostCheckResultJobSchema } from '../src/queue/payloads.js';
import { renderCheckUnanswered } from '../src/render/check-unanswered.js';
import type { SlackPoster } from '../src/slack/poster.js';
import type { PendingCheck, PendingChecks } from '../src/state/pending-checks.js';
import type { PublishCheckResult } from './post-check-result.js';

/**
 * The stale-placeholder sweeper: no "⏳ Checking…" stays in a channel forever. It runs in the bot
 * (which posted the placeholders and remembers them even when Redis forgets) on a timer, not as a
 * queued job — it must work precisely when the queue lost its jobs. A placeholder older than the
 * check budget plus a margin (src/queue/lock-timings.ts) is
 *  - left alone while its answer is on the way (the post job is waiting out a Slack outage);
 *  - answered with the result when one exists (a post job that gave up);
 *  - otherwise replaced with a plain apology that says why, as far as can be told, and Re-run.
 * Before it overwrites anything it asks Slack what the message says now (its metadata), so a
 * verdict is never replaced by an apology. While Redis does not answer it does nothing: it could
 * not tell an answered check from a lost one.
 */
export interface StalePlaceholderDeps {
  pending: PendingChecks;
  poster: SlackPoster;
  /** `checks` and `posts` on a fail-fast connection (state reads only). */
  checks: Pick<Queue, 'getJobState'>;
  posts: Pick<Queue, 'getJobState' | 'getJob'>;
  publish: PublishCheckResult;
  staleAfterMs: number;
  /** Gives up on an entry this old (its message may be beyond reach). */
  maxAgeMs?: number;
  logger: Logger;
  now?: () => number;
}

export type SweepOutcome = 'waiting' | 'on-its-way' | 'answered' | 'result-posted' | 'apologized' | 'gone' | 'given-up' | 'failed';

const ON_ITS_WAY = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
/** Past this many stale entries in one round, the rest wait for the next (Slack's rate limits). */
const PER_ROUND = 50;

export function createStalePlaceholderSweeper(deps: StalePlaceholderDeps) {
  const now = deps.now ?? Date.now;
  const maxAgeMs = deps.maxAgeMs ?? 24 * 3_600_000;

  async function why(entry: PendingCheck): Promise<string> {
    const state = await deps.checks.getJobState(entry.requestId);
    switch (state) {
      case 'waiting':
      case 'prioritized':
      case 'delayed':
        return 'no worker has picked the check up — is a `clawops worker` running and connected to Redis? It stays queued, and this message is replaced if it runs';
      case 'active':
        return 'the check is still running past its budget (a worker may be stuck)';
      case 'completed':
        return 'the check finished, but its answer was lost on the way to Slack';
      case 'failed':
        return 'the check failed inside clawops (see the worker log)';
      default:
        return 'clawops lost the queued check: its Redis restarted without persistence, or failed over before the job was copied';
    }
  }

  async function sweepOne(entry: PendingCheck): Promise<SweepOutcome> {
    const age = now() - entry.postedAt;
    if (age < deps.staleAfterMs) return 'waiting';
    if (age > maxAgeMs) {
      deps.logger.warn({ requestId: entry.requestId, channel: entry.channel, ts: entry.ts }, 'giving up on a placeholder that could not be answered for a day');
      deps.pending.forget(entry.requestId);
      return 'given-up';
    }
    if (await deps.pending.isAnswered(entry.requestId)) {
      deps.pending.forget(entry.requestId);
      return 'answered';
    }
    const postId = postJobId(entry.requestId);
    const postState = await deps.posts.getJobState(postId);
    if (postState === 'completed') {
      await deps.pending.answered(entry.requestId);
      return 'answered';
    }
    if (ON_ITS_WAY.has(postState)) return 'on-its-way';

    // Nothing on its way: look at the message itself before writing over it.
    const shown = await deps.poster.messageState(entry.channel, entry.ts).catch(() => undefined);
    if (shown === 'gone') {
      deps.pending.forget(entry.requestId);
      return 'gone';
    }
    if (shown?.state === 'answered') {
      await deps.pending.answered(entry.requestId).catch(() => undefined);
      return 'answered';
    }
    if (postState === 'failed') {
      const job = await deps.posts.getJob(postId);
      const data = PostCheckResultJobSchema.safeParse(job?.data);
      if (data.success) {
        await deps.publish(data.data, { idempotencyKey: postId });
        deps.logger.info({ requestId: entry.requestId, ageMs: age }, 'posted a result its post job had given up on');
        return 'result-posted';
      }
    }
    const reason = await why(entry);
    await deps.poster.update(
      entry.channel,
      entry.ts,
      renderCheckUnanswered({ gateways: entry.gateways, why: reason, waitedMs: age, ...(entry.requestedBy ? { requestedBy: entry.requestedBy } : {}) }),
      { key: entry.requestId, state: 'answered' },
    );
    await deps.pending.answered(entry.requestId).catch(() => deps.pending.forget(entry.requestId));
    deps.logger.warn({ requestId: entry.requestId, gateways: entry.gateways, ageMs: age, reason }, 'replaced a stale placeholder: no answer was coming');
    return 'apologized';
  }

  let running: Promise<Record<string, number>> | undefined;
  return {
    /** One pass; concurrent calls share it. Returns how many entries ended how. */
    sweep(): Promise<Record<string, number>> {
      running ??= (async () => {
        const counts: Record<string, number> = {};
        try {
          const { entries } = await deps.pending.list();
          const stale = entries.filter((entry) => now() - entry.postedAt >= deps.staleAfterMs).sort((a, b) => a.postedAt - b.postedAt);
          for (const entry of stale.slice(0, PER_ROUND)) {
            let outcome: SweepOutcome;
            try {
              outcome = await sweepOne(entry);
            } catch (error) {
              // Redis or Slack not answering: try again next round (the placeholder stays as it is).
              deps.logger.debug({ err: error, requestId: entry.requestId }, 'stale placeholder: not settled this round');
              outcome = 'failed';
            }
            counts[outcome] = (counts[outcome] ?? 0) + 1;
          }
        } finally {
          running = undefined;
        }
        return counts;
      })();
      return running;
    },
  };
}

/** Runs the sweeper every `intervalMs` until stopped. */
export function startStalePlaceholderSweeper(sweeper: ReturnType<typeof createStalePlaceholderSweeper>, intervalMs: number): { stop(): void } {
  const timer = setInterval(() => void sweeper.sweep().catch(() => undefined), intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
