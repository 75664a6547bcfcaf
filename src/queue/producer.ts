import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, QUEUES } from './names.js';
import { CheckRequestJobSchema, type CheckRequestJob } from './payloads.js';
import { withDeadline } from './connection.js';

/**
 * The producer side: the bot enqueues check requests. A check job is never retried silently
 * (a failing gateway is an answer, not an error); it is kept a while for inspection.
 */
export interface CheckProducer {
  enqueueCheck(job: CheckRequestJob): Promise<string>;
  close(): Promise<void>;
}

/**
 * How long an enqueue keeps trying: long enough to ride out a Sentinel failover (≈ 2 s from the
 * master's death to the promoted replica, plus the reconnect) or a quick Redis restart. The
 * command was acknowledged at once and its "⏳ Checking…" is up, so waiting costs the person
 * nothing but the time; a check that survives the failover is worth more than a faster "the
 * check queue is unavailable".
 */
export const ENQUEUE_DEADLINE_MS = 5_000;
const ENQUEUE_RETRY_MS = 200;

export function createCheckProducer(deps: { connection: Redis; prefix: string }): CheckProducer {
  const queue = new Queue(QUEUES.checks, { connection: deps.connection, prefix: deps.prefix });
  // A Queue emits 'error' when Redis drops; the enqueue call reports it to the person instead.
  queue.on('error', () => undefined);
  return {
    async enqueueCheck(job) {
      const data = CheckRequestJobSchema.parse(job);
      const deadline = Date.now() + ENQUEUE_DEADLINE_MS;
      // The job id is the request id: a retry after a lost answer adds nothing twice.
      for (;;) {
        try {
          const added = await withDeadline(
            queue.add(JOBS.checkRequest, data, {
              jobId: data.requestId,
              attempts: 1,
              removeOnComplete: { age: 3_600, count: 1_000 },
              removeOnFail: { age: 7 * 24 * 3_600 },
            }),
            Math.max(1, deadline - Date.now()),
            'enqueue check',
          );
          return added.id ?? data.requestId;
        } catch (error) {
          if (Date.now() + ENQUEUE_RETRY_MS >= deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, ENQUEUE_RETRY_MS));
        }
      }
    },
    async close() {
      await queue.close();
    },
  };
}
