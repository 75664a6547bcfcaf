/**
 * Issue 12, "Bounded cost per gateway": what hostile gateways cost one clawops process. Fake
 * Gateways (another process) answer with JSON bombs (an RPC reply nested 520,000 deep — the most
 * that fits a 1 MiB frame —, a connect.challenge, a /healthz body), an oversized frame, a forged
 * 101, all with Slack markup in every string. Each check runs in a fresh process
 * (bench/check-many-child.mjs, the built JavaScript on plain node) so that its peak RSS is its own:
 *   - one hostile gateway per kind: peak RSS and check time, against one healthy gateway;
 *   - `check all` over 50 hostile gateways (the kinds in turn), concurrency 16, against 50 healthy.
 * A hostile gateway that came out healthy would be a wrong answer, not a figure: the suite fails.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BenchRow } from './row.js';
import { ROOT } from './support/build.js';
import { startFakeGatewayHost, type FakeGatewayHost } from './support/fake-gateway-host.js';
import { median, ratio, round } from './support/stats.js';

const KINDS = ['bomb-rpc', 'bomb-challenge', 'bomb-healthz', 'oversized-frame', 'forged-accept'] as const;
const FLEET = 50;
const CONCURRENCY = 16;
/** The goal for one hostile gateway. */
const MAX_PEAK_RSS_MB = 150;
const CHILD = join(ROOT, 'bench', 'check-many-child.mjs');
const RUN_TIMEOUT_MS = 120_000;

interface ChildFigures {
  totalMs: number;
  checks: number;
  healthy: number;
  unhealthy: string[];
  probeMs: number[];
  rssBeforeMB: number;
  peakRssMB: number;
}

async function run(urls: string[], token: string, concurrency: number): Promise<ChildFigures> {
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD], {
    cwd: ROOT,
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      CLAWOPS_BENCH_URLS: JSON.stringify(urls),
      CLAWOPS_BENCH_CONCURRENCY: String(concurrency),
      CLAWOPS_BENCH_GATEWAY_TOKEN: token,
    },
  });
  return JSON.parse(stdout) as ChildFigures;
}

function mustBeUnhealthy(figures: ChildFigures, what: string): void {
  if (figures.healthy > 0) throw new Error(`${what}: ${figures.healthy} hostile gateway(s) came out healthy`);
}

export async function benchHostile(): Promise<BenchRow[]> {
  const token = `bench-${Math.random().toString(36).slice(2)}-token`;
  const hosts: FakeGatewayHost[] = [];
  try {
    const healthy = await startFakeGatewayHost(FLEET, token);
    hosts.push(healthy);
    const hostile = await startFakeGatewayHost(FLEET, token, KINDS);
    hosts.push(hostile);

    const one = await run(healthy.urls.slice(0, 1), token, 1);
    if (one.healthy !== 1) throw new Error(`the healthy baseline was not healthy: ${one.unhealthy.join('; ')}`);
    const rows: BenchRow[] = [];
    for (const [index, kind] of KINDS.entries()) {
      const figures = await run([hostile.urls[index]!], token, 1);
      mustBeUnhealthy(figures, kind);
      rows.push({
        name: `1 hostile gateway (${kind}): peak RSS`,
        value: round(figures.peakRssMB),
        unit: 'MB',
        baseline: { name: '1 healthy gateway', value: round(one.peakRssMB) },
        ratio: ratio(figures.peakRssMB, one.peakRssMB),
        target: `≤ ${MAX_PEAK_RSS_MB} MB`,
        met: figures.peakRssMB <= MAX_PEAK_RSS_MB,
        note: `check ${round(median(figures.probeMs))} ms (healthy ${round(median(one.probeMs))} ms) · verdict ${figures.unhealthy[0] ?? '?'}`,
      });
    }

    const fleetHealthy = await run(healthy.urls, token, CONCURRENCY);
    if (fleetHealthy.healthy !== FLEET) throw new Error(`${FLEET} healthy: only ${fleetHealthy.healthy} were (${fleetHealthy.unhealthy.join('; ')})`);
    const fleetHostile = await run(hostile.urls, token, CONCURRENCY);
    mustBeUnhealthy(fleetHostile, `${FLEET} hostile`);
    rows.push(
      {
        name: `check all: ${FLEET} hostile gateways, concurrency ${CONCURRENCY}: peak RSS`,
        value: round(fleetHostile.peakRssMB),
        unit: 'MB',
        baseline: { name: `${FLEET} healthy gateways`, value: round(fleetHealthy.peakRssMB) },
        ratio: ratio(fleetHostile.peakRssMB, fleetHealthy.peakRssMB),
        target: `≤ ${MAX_PEAK_RSS_MB} MB`,
        met: fleetHostile.peakRssMB <= MAX_PEAK_RSS_MB,
        note: `${KINDS.join(', ')} in turn; every one unhealthy (${fleetHostile.checks - fleetHostile.healthy}/${fleetHostile.checks})`,
      },
      {
        name: `check all: ${FLEET} hostile gateways, concurrency ${CONCURRENCY}: total`,
        value: round(fleetHostile.totalMs),
        unit: 'ms',
        baseline: { name: `${FLEET} healthy gateways`, value: round(fleetHealthy.totalMs) },
        ratio: ratio(fleetHostile.totalMs, fleetHealthy.totalMs),
        note: `per check p50 ${round(median(fleetHostile.probeMs))} ms, max ${round(Math.max(...fleetHostile.probeMs))} ms (healthy p50 ${round(median(fleetHealthy.probeMs))} ms)`,
      },
    );
    return rows;
  } finally {
    await Promise.all(hosts.map((host) => host.stop()));
  }
}
