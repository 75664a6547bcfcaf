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

export const ENQUEUE_DEADLINE_MS = 1_500;

export function createCheckProducer(deps: { connection: Redis; prefix: string }): CheckProducer {
  const queue = new Queue(QUEUES.checks, { connection: deps.connection, prefix: deps.prefix });
  // A Queue emits 'error' when Redis drops; the enqueue call reports it to the person instead.
  queue.on('error', () => undefined);
  return {
    async enqueueCheck(job) {
      const data = CheckRequestJobSchema.parse(job);
      const added = await withDeadline(
        queue.add(JOBS.checkRequest, data, {
          jobId: data.requestId,
          attempts: 1,
          removeOnComplete: { age: 3_600, count: 1_000 },
          removeOnFail: { age: 7 * 24 * 3_600 },
        }),
        ENQUEUE_DEADLINE_MS,
        'enqueue check',
      );
      return added.id ?? data.requestId;
    },
    async close() {
      await queue.close();
    },
  };
}
