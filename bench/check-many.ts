/**
 * Issue 2, "Speed": 200 gateways checked by one clawops process with bounded concurrency
 * (`checkMany`), total time and memory. The gateways are 200 fake Gateways (real servers on
 * loopback, each its own port) in another process; every check is a full ladder with a real
 * handshake. Each concurrency runs in a fresh process (bench/check-many-child.mjs) so that its
 * peak RSS is its own; concurrency 1 (one after another) is the baseline for the speed-up.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchRow } from './row.js';
import { ROOT } from './support/build.js';
import { startFakeGatewayHost } from './support/fake-gateway-host.js';
import { median, percentile, ratio, round } from './support/stats.js';

const GATEWAYS = 200;
const CONCURRENCY = [16, 64] as const;
const BASELINE_CONCURRENCY = 1;
const CHILD = join(ROOT, 'bench', 'check-many-child.mjs');
const RUN_TIMEOUT_MS = 60_000;

interface ChildFigures {
  totalMs: number;
  checks: number;
  healthy: number;
  unhealthy: string[];
  probeMs: number[];
  rssBeforeMB: number;
  peakRssMB: number;
}

export async function benchCheckMany(): Promise<BenchRow[]> {
  const token = `bench-${Math.random().toString(36).slice(2)}-token`;
  const host = await startFakeGatewayHost(GATEWAYS, token);
  try {
    const run = async (concurrency: number): Promise<ChildFigures> => {
      const { stdout } = await promisify(execFile)(process.execPath, [CHILD], {
        cwd: ROOT,
        timeout: RUN_TIMEOUT_MS,
        env: {
          PATH: process.env.PATH,
          CLAWOPS_BENCH_URLS: JSON.stringify(host.urls),
          CLAWOPS_BENCH_CONCURRENCY: String(concurrency),
          CLAWOPS_BENCH_GATEWAY_TOKEN: token,
        },
      });
      const figures = JSON.parse(stdout) as ChildFigures;
      // A check that failed measured a failure path, not a check: the bench fails.
      if (figures.healthy !== GATEWAYS) throw new Error(`concurrency ${concurrency}: ${figures.healthy}/${GATEWAYS} healthy (${figures.unhealthy.join('; ')})`);
      return figures;
    };
    const baseline = await run(BASELINE_CONCURRENCY);
    const rows: BenchRow[] = [
      {
        name: `${GATEWAYS} gateways, checkMany concurrency ${BASELINE_CONCURRENCY}: total`,
        value: round(baseline.totalMs),
        unit: 'ms',
        note: `per check p50 ${round(median(baseline.probeMs))} ms; peak RSS ${round(baseline.peakRssMB)} MB`,
      },
    ];
    for (const concurrency of CONCURRENCY) {
      const figures = await run(concurrency);
      rows.push(
        {
          name: `${GATEWAYS} gateways, checkMany concurrency ${concurrency}: total`,
          value: round(figures.totalMs),
          unit: 'ms',
          baseline: { name: `concurrency ${BASELINE_CONCURRENCY}`, value: round(baseline.totalMs) },
          ratio: ratio(figures.totalMs, baseline.totalMs),
          note: `${figures.healthy}/${GATEWAYS} healthy; ${round((GATEWAYS / figures.totalMs) * 1_000)} checks/s; per check p50 ${round(median(figures.probeMs))} · p99 ${round(percentile(figures.probeMs, 99))} ms (queued checks wait for a lane: not counted)`,
        },
        {
          name: `${GATEWAYS} gateways, checkMany concurrency ${concurrency}: peak RSS`,
          value: round(figures.peakRssMB),
          unit: 'MB',
          baseline: { name: 'same process before the 200 checks', value: round(figures.rssBeforeMB) },
          ratio: ratio(figures.peakRssMB, figures.rssBeforeMB),
          note: 'ru_maxrss of the checking process (module load and an 8-check warm-up included)',
        },
      );
    }
    return rows;
  } finally {
    await host.stop();
  }
}
