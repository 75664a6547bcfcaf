import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { withDeadline } from './connection.js';
import { HOST_CHECK_JOB, HostCheckJobSchema, HostCheckResultSchema, hostCheckQueueName, type HostCheckResult } from './host-check-job.js';

/**
 * The worker's side of the host agent: put "run the host checks" on the gateway's agent queue and
 * wait for the answer, never longer than the deadline. Every outcome is a value — an agent that is
 * stopped, refuses, or answers nonsense must not fail the check, only shrink it to the view from outside.
 */
export type HostAgentAnswer =
  | { status: 'answered'; result: HostCheckResult; waitedMs: number }
  | { status: 'silent'; waitedMs: number }
  | { status: 'failed'; detail: string; waitedMs: number };

export interface HostCheckRequester {
  request(gateway: string, options: { deadlineMs: number; requestId?: string }): Promise<HostAgentAnswer>;
  close(): Promise<void>;
}

export interface HostCheckRequesterDeps {
  /** Adds jobs: a fail-fast (producer) connection, so that a Redis outage costs a check no time. */
  connection: Redis;
  /** A new, dedicated connection for one QueueEvents reader (it blocks on XREAD). */
  eventsConnection: () => Redis;
  prefix: string;
  logger: Logger;
  now?: () => number;
}

interface Lane {
  queue: Queue;
  events: QueueEvents;
  eventsRedis: Redis;
}

const ENQUEUE_DEADLINE_MS = 1_500;

export function createHostCheckRequester(deps: HostCheckRequesterDeps): HostCheckRequester {
  const now = deps.now ?? (() => performance.now());
  const lanes = new Map<string, Lane>();
  let closed = false;

  // One queue and one event reader per agent, made on first use: most gateways have no agent.
  const laneFor = (gateway: string): Lane => {
    const existing = lanes.get(gateway);
    if (existing) return existing;
    const name = hostCheckQueueName(gateway);
    const queue = new Queue(name, { connection: deps.connection, prefix: deps.prefix });
    queue.on('error', (error) => deps.logger.debug({ err: error, queue: name }, 'host-check queue error'));
    const eventsRedis = deps.eventsConnection();
    eventsRedis.on('error', (error) => deps.logger.debug({ err: error, queue: name }, 'redis (host-check events) error'));
    const events = new QueueEvents(name, { connection: eventsRedis, prefix: deps.prefix });
    events.on('error', (error) => deps.logger.debug({ err: error, queue: name }, 'host-check events error'));
    const lane = { queue, events, eventsRedis };
    lanes.set(gateway, lane);
    return lane;
  };

  return {
    async request(gateway, { deadlineMs, requestId = randomUUID() }) {
      const started = now();
      const waitedMs = () => Math.round(now() - started);
      if (closed) return { status: 'failed', detail: 'clawops is shutting down', waitedMs: 0 };
      const lane = laneFor(gateway);
      let job: Job;
      try {
        const data = HostCheckJobSchema.parse({ requestId, gateway, requestedAt: Date.now() });
        job = await withDeadline(
          lane.queue.add(HOST_CHECK_JOB, data, {
            jobId: `host-${requestId}`,
            attempts: 1,
            // The answer is read at once; kept briefly for inspection, refusals a day.
            removeOnComplete: { age: 600, count: 100 },
            removeOnFail: { age: 24 * 3_600, count: 1_000 },
          }),
          Math.min(deadlineMs, ENQUEUE_DEADLINE_MS),
          'ask the host agent',
        );
      } catch (error) {
        return { status: 'failed', detail: `could not ask the agent: ${messageOf(error)}`, waitedMs: waitedMs() };
      }
      try {
        const value: unknown = await job.waitUntilFinished(lane.events, Math.max(1, deadlineMs - waitedMs()));
        const parsed = HostCheckResultSchema.safeParse(value);
        if (!parsed.success || parsed.data.gateway !== gateway) {
          return { status: 'failed', detail: 'the agent answered something that is not host evidence for this gateway', waitedMs: waitedMs() };
        }
        return { status: 'answered', result: parsed.data, waitedMs: waitedMs() };
      } catch (error) {
        const message = messageOf(error);
        if (/timed out before finishing/.test(message) || waitedMs() >= deadlineMs) {
          // Nobody reads a late answer: take the job back while no agent holds it (a held one just expires).
          await job.remove().catch(() => undefined);
          return { status: 'silent', waitedMs: waitedMs() };
        }
        return { status: 'failed', detail: `the agent did not run the checks: ${message}`, waitedMs: waitedMs() };
      }
    },
    async close() {
      closed = true;
      const all = [...lanes.values()];
      lanes.clear();
      await Promise.all(
        all.map(async (lane) => {
          await Promise.allSettled([lane.queue.close(), lane.events.close()]);
          lane.eventsRedis.disconnect();
        }),
      );
    },
  };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
