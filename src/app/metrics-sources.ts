import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { createOffboardingStore } from '../features/offboarding/store.js';
import type { AlertStateStore } from '../features/monitoring/state/alert-state.js';
import type { LastStateStore } from '../state/last-state.js';
import { QUEUE_NAMES } from '../features/metrics/labels.js';
import type { MetricsFeature } from '../features/metrics/index.js';

/**
 * What `/metrics` reads from Redis on scrape, on the fail-fast state connection (a scrape during an
 * outage answers with the last values and `clawops_metrics_source_up{source} 0`, it never hangs):
 * the depths of every BullMQ queue (getJobCounts, one call per queue per cache interval), the last
 * states, the alert phases and the open offboarding checklists. Returns the closer of its queues.
 */
export function wireMetricsSources(
  metrics: MetricsFeature,
  deps: { config: Config; redis: Redis; prefix: string; lastState: LastStateStore; alerts: AlertStateStore },
): () => Promise<unknown> {
  const queues = QUEUE_NAMES.map((name) => new Queue(name, { connection: deps.redis, prefix: deps.prefix }));
  for (const queue of queues) queue.on('error', () => undefined);
  metrics.attachQueues(
    queues.map((queue) => ({ name: queue.name, getJobCounts: (...states: string[]) => queue.getJobCounts(...(states as Parameters<Queue['getJobCounts']>)) })),
  );
  const offboarding = deps.config.offboarding ? createOffboardingStore({ redis: deps.redis, prefix: deps.prefix }) : undefined;
  metrics.attachState({
    lastState: () => deps.lastState.all(),
    alerts: () => deps.alerts.all(),
    ...(offboarding
      ? {
          checklists: async () => {
            const [open, oldest] = await Promise.all([offboarding.countOpen(), offboarding.listOpen(1)]);
            return { open, ...(oldest[0] ? { oldestOpenedAt: oldest[0].openedAt } : {}) };
          },
        }
      : {}),
  });
  return () => Promise.allSettled(queues.map((queue) => queue.close()));
}
