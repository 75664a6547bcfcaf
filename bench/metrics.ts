/**
 * Issue 15, "Speed": the cost of one /metrics scrape with 500 gateways, as Prometheus pays it — an
 * HTTP GET of clawops' health server, the exposition built by prom-client on the process's registry
 * (default Node metrics, per-gateway gauges, an 11-layer histogram per gateway) and, when the cache
 * has expired, the reads from real Redis (last states, alert phases, BullMQ getJobCounts of every
 * queue). Against a baseline measured in the same run: the same scrape with one gateway. The issue
 * sets no target: the figure is the price of `clawops_layer_duration_seconds{gateway,layer}` (one
 * histogram of 12 samples per gateway and attempted layer), which dominates the exposition.
 */
import { Redis } from 'ioredis';
import { ConfigSchema } from '../src/config/schema.js';
import { createMetricsFeature } from '../src/features/metrics/index.js';
import { wireMetricsSources } from '../src/app/metrics-sources.js';
import { createReadiness } from '../src/health/readiness.js';
import { startHealthServer } from '../src/health/server.js';
import { createLogger } from '../src/log.js';
import { createAlertStateStore } from '../src/features/monitoring/state/alert-state.js';
import { createLastStateStore } from '../src/state/last-state.js';
import { authRejected, healthy, resultOf, tcpFailure } from '../test/support/monitoring-reports.js';
import { deleteKeysWithPrefix, pingable, startPrivateRedis } from '../test/support/redis-server.js';
import type { BenchRow } from './row.js';
import { median, ratio, round, spread } from './support/stats.js';

const GATEWAYS = 500;
const RUNS = 30;

interface ScrapeFigures {
  coldMs: number[];
  warmMs: number[];
  bytes: number;
  series: number;
}

async function measure(redisUrl: string, gateways: number): Promise<ScrapeFigures> {
  const names = Array.from({ length: gateways }, (_, index) => `gw-${String(index).padStart(3, '0')}`);
  const config = ConfigSchema.parse({ gateways: Object.fromEntries(names.map((name, index) => [name, { url: `ws://127.0.0.1:${20_000 + index}` }])) });
  const prefix = `clawops-bench-metrics-${process.pid}-${gateways}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  let clock = Date.now();
  const now = () => clock;
  const logger = createLogger({ level: 'silent' });
  const readiness = createReadiness();
  readiness.set('redis', true, 'ok');
  const feature = createMetricsFeature({ config, logger, role: 'start', readiness, now });
  const lastState = createLastStateStore({ redis, prefix });
  const alerts = createAlertStateStore({ redis, prefix });
  // A day of traffic: every gateway probed a few times, a tenth failing, some unhealthy now.
  for (const [index, name] of names.entries()) {
    const reports = [
      healthy({ name }),
      healthy({ name }),
      index % 10 === 0 ? tcpFailure('refused', { name }) : healthy({ name }),
      index % 25 === 0 ? authRejected({ name }) : healthy({ name }),
    ];
    for (const report of reports) {
      const result = resultOf(report);
      feature.hooks.probed(report);
      feature.hooks.answered(result, 'schedule');
    }
    await lastState.record(resultOf(reports[reports.length - 1]!));
  }
  await redis.hset(`${prefix}:alerts:state`, ...names.flatMap((name) => [name, JSON.stringify({ state: { phase: 'ok', failures: 0, successes: 0 } })]));
  const closeQueues = wireMetricsSources(feature, { config, redis, prefix, lastState, alerts });
  const server = await startHealthServer({ host: '127.0.0.1', port: 0, readiness, logger, routes: feature.routes });
  const url = `http://127.0.0.1:${server.address!.port}/metrics`;
  const scrape = async () => {
    const t0 = performance.now();
    const body = await (await fetch(url)).text();
    return { ms: performance.now() - t0, body };
  };
  try {
    await scrape();
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    let body = '';
    for (let run = 0; run < RUNS; run++) {
      clock += 60_000; // past metrics.cacheSeconds: this scrape reads Redis again
      const cold = await scrape();
      coldMs.push(cold.ms);
      const warm = await scrape();
      warmMs.push(warm.ms);
      body = warm.body;
    }
    return { coldMs, warmMs, bytes: Buffer.byteLength(body), series: body.split('\n').filter((line) => line && !line.startsWith('#')).length };
  } finally {
    await server.close();
    await closeQueues();
    await deleteKeysWithPrefix(redisUrl, prefix).catch(() => 0);
    redis.disconnect();
  }
}

export async function benchMetrics(): Promise<BenchRow[]> {
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    let redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (!(await pingable(redisUrl))) {
      if (process.env.REDIS_URL) throw new Error(`REDIS_URL=${redisUrl} does not answer`);
      const redis = await startPrivateRedis();
      cleanup.push(() => redis.stop());
      redisUrl = redis.url;
    }
    const one = await measure(redisUrl, 1);
    const many = await measure(redisUrl, GATEWAYS);
    const baselineCold = { name: '1 gateway', value: round(median(one.coldMs)) };
    const baselineWarm = { name: '1 gateway', value: round(median(one.warmMs)) };
    const cold = round(median(many.coldMs));
    const warm = round(median(many.warmMs));
    return [
      {
        name: `/metrics scrape, ${GATEWAYS} gateways, Redis read (cache expired)`,
        value: cold,
        unit: 'ms',
        baseline: baselineCold,
        ratio: ratio(cold, baselineCold.value),
        note: spread(many.coldMs, 'ms'),
      },
      {
        name: `/metrics scrape, ${GATEWAYS} gateways, cached`,
        value: warm,
        unit: 'ms',
        baseline: baselineWarm,
        ratio: ratio(warm, baselineWarm.value),
        note: spread(many.warmMs, 'ms'),
      },
      {
        name: `/metrics exposition, ${GATEWAYS} gateways`,
        value: round(many.bytes / 1_048_576),
        unit: 'MB',
        note: `${many.series} samples (1 gateway: ${one.series} samples, ${round(one.bytes / 1024)} KB)`,
      },
      {
        name: `/metrics samples, ${GATEWAYS} gateways`,
        value: many.series,
        unit: 'count',
        baseline: { name: '1 gateway', value: one.series },
        ratio: ratio(many.series, one.series),
      },
    ];
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}
