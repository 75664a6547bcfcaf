/**
 * Issue 16, "Speed": `clawops check` as a whole process against a fast fake Gateway (where only our
 * own overhead counts), and over a long link (150 ms round trip), each against the floor
 * (bench/floor-client.mjs: bare Node + `ws`, challenge · connect · `health`) measured in the same run.
 *
 * The fake Gateway (test/support/fake-gateway.ts) runs in its own process and answers at once, so a
 * whole-process figure is start-up, our CPU and loopback. Over the link (bench/support/link-delay.ts,
 * a delaying TCP forwarder in this process) the figures are dominated by round trips; the suite
 * prints how many each process spends: (wall over the link − wall on loopback) / RTT, both medians.
 *
 * Method as in check-process.ts: interleaved runs (the order alternates every round), one warm-up
 * run of each excluded (it creates clawops's device identity and fills the file cache), medians.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchRow } from './row.js';
import { DIST_CLI, ROOT } from './support/build.js';
import { startFakeGatewayHost, type FakeGatewayHost } from './support/fake-gateway-host.js';
import { startLinkDelay } from './support/link-delay.js';
import { measureProcess, rssMethod, type ProcessRun } from './support/process.js';
import { median, ratio, round, spread } from './support/stats.js';

const FLOOR_SCRIPT = join(ROOT, 'bench', 'floor-client.mjs');
const TOKEN_ENV = 'CLAWOPS_BENCH_GATEWAY_TOKEN';
const RUN_TIMEOUT_MS = 30_000;
const FAST_ROUNDS = 12;
const LINK_ROUNDS = 6;
const RTT_MS = 150;
const TARGET_FAST_RATIO = 1.25;
/** Over the link: at most half a round trip more than the floor. */
const TARGET_LINK_EXTRA_RTT = 0.5;

/** `cold`: the check with its compile cache off, as the first check after an install or upgrade runs. */
type Kind = 'floor' | 'check' | 'cold';

interface Setup {
  host: FakeGatewayHost;
  env: NodeJS.ProcessEnv;
  work: string;
}

async function withFakeGateway<T>(run: (setup: Setup) => Promise<T>): Promise<T> {
  const token = `bench-${Math.random().toString(36).slice(2)}-token`;
  const work = mkdtempSync(join(tmpdir(), 'clawops-bench-fake-'));
  const host = await startFakeGatewayHost(1, token);
  try {
    // The same small environment for every process measured (see check-process.ts).
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: work, LANG: 'C.UTF-8', [TOKEN_ENV]: token, CLAWOPS_IDENTITY: join(work, 'device.json') };
    return await run({ host, env, work });
  } finally {
    await host.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Interleaved runs of the floor and the check against `url`; the first round is a warm-up. */
async function measurePair(url: string, setup: Setup, rounds: number, kinds: Kind[] = ['floor', 'check']): Promise<Record<Kind, ProcessRun[]>> {
  const checkArgs = ['check', '--url', url, '--token-env', TOKEN_ENV];
  const commands: Record<Kind, () => Promise<ProcessRun>> = {
    floor: () => measureProcess(process.execPath, [FLOOR_SCRIPT, url, TOKEN_ENV], { env: setup.env, cwd: ROOT, timeoutMs: RUN_TIMEOUT_MS, node: true }),
    check: () => measureProcess(process.execPath, [DIST_CLI, ...checkArgs], { env: setup.env, cwd: setup.work, timeoutMs: RUN_TIMEOUT_MS, node: true }),
    cold: () =>
      measureProcess(process.execPath, [DIST_CLI, ...checkArgs], {
        env: { ...setup.env, CLAWOPS_COMPILE_CACHE: 'off' },
        cwd: setup.work,
        timeoutMs: RUN_TIMEOUT_MS,
        node: true,
      }),
  };
  const runs: Record<Kind, ProcessRun[]> = { floor: [], check: [], cold: [] };
  for (let round = -1; round < rounds; round += 1) {
    const order: Kind[] = round % 2 === 0 ? kinds : [...kinds].reverse();
    for (const kind of order) {
      const result = await commands[kind]();
      // A check that was not healthy measured a failure path: the bench fails.
      if (result.code !== 0) throw new Error(`${kind} against ${url} exited ${result.code}:\n${(result.stdout + result.stderr).slice(-2_000)}`);
      if (round >= 0) runs[kind].push(result);
    }
  }
  return runs;
}

const wall = (runs: ProcessRun[]) => runs.map((run) => run.wallMs);
const probeMs = (runs: ProcessRun[]) => runs.map((run) => Number(/·\s*([\d.]+)\s*ms\s*$/m.exec(run.stdout.split('\n')[0] ?? '')?.[1])).filter(Number.isFinite);

export async function benchCheckProcessFake(): Promise<BenchRow[]> {
  return withFakeGateway(async (setup) => {
    const runs = await measurePair(setup.host.urls[0]!, setup, FAST_ROUNDS, ['floor', 'check', 'cold']);
    const floor = median(wall(runs.floor));
    const check = median(wall(runs.check));
    const cold = median(wall(runs.cold));
    const rssNote = `peak RSS by ${rssMethod() === 'gnu-time' ? 'GNU time (%M)' : 'ru_maxrss at exit'}`;
    return [
      {
        name: 'floor vs a fast fake Gateway (process)',
        value: round(floor),
        unit: 'ms',
        note: `${spread(wall(runs.floor), 'ms')}; peak RSS median ${round(median(runs.floor.map((r) => r.peakRssMB)))} MB`,
      },
      {
        name: 'clawops check --url vs a fast fake Gateway (process)',
        value: round(check),
        unit: 'ms',
        baseline: { name: 'floor, same fake', value: round(floor) },
        ratio: ratio(check, floor),
        target: `≤ ${TARGET_FAST_RATIO}× floor (median)`,
        met: check <= TARGET_FAST_RATIO * floor,
        note: `${spread(wall(runs.check), 'ms')}; the probe itself (report durationMs) p50 ${round(median(probeMs(runs.check)))} ms; peak RSS max ${round(Math.max(...runs.check.map((r) => r.peakRssMB)))} MB (${rssNote}); from the compile cache the warm-up run wrote`,
      },
      {
        name: 'the same check without its compile cache (first run after install)',
        value: round(cold),
        unit: 'ms',
        baseline: { name: 'floor, same fake', value: round(floor) },
        ratio: ratio(cold, floor),
        note: `${spread(wall(runs.cold), 'ms')}; CLAWOPS_COMPILE_CACHE=off: the one-shot bundle compiled from source, as on a machine's first check`,
      },
    ];
  });
}

export async function benchCheckProcessLink(): Promise<BenchRow[]> {
  return withFakeGateway(async (setup) => {
    const target = new URL(setup.host.urls[0]!);
    const local = await measurePair(setup.host.urls[0]!, setup, LINK_ROUNDS);
    const link = await startLinkDelay({ host: target.hostname, port: Number(target.port) }, RTT_MS);
    try {
      const far = await measurePair(`ws://127.0.0.1:${link.port}`, setup, LINK_ROUNDS);
      const floor = median(wall(far.floor));
      const check = median(wall(far.check));
      const trips = (kind: Kind) => (median(wall(far[kind])) - median(wall(local[kind]))) / RTT_MS;
      const allowed = floor + TARGET_LINK_EXTRA_RTT * RTT_MS;
      return [
        { name: `floor over a ${RTT_MS} ms RTT link (process)`, value: round(floor), unit: 'ms', note: spread(wall(far.floor), 'ms') },
        {
          name: `clawops check --url over a ${RTT_MS} ms RTT link (process)`,
          value: round(check),
          unit: 'ms',
          baseline: { name: 'floor, same link', value: round(floor) },
          ratio: ratio(check, floor),
          target: `≤ floor + ${TARGET_LINK_EXTRA_RTT} RTT (${round(allowed)} ms)`,
          met: check <= allowed,
          note: `${spread(wall(far.check), 'ms')}; the probe itself p50 ${round(median(probeMs(far.check)))} ms`,
        },
        {
          name: 'round trips: clawops check over the link',
          value: Math.round(trips('check') * 100) / 100,
          unit: 'count',
          baseline: { name: 'floor round trips', value: Math.round(trips('floor') * 100) / 100 },
          note: `(median wall over the ${RTT_MS} ms link − median wall on loopback) / RTT, for each process; the floor waits for the close echo and the server's FIN, clawops exits when its report is out`,
        },
      ];
    } finally {
      await link.close();
    }
  });
}
