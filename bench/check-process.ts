/**
 * Issues 2 and 16, "Speed": `clawops check` as a whole process against one real OpenClaw Gateway on
 * loopback, against the floor (a bare Node process doing challenge + connect + `health` over `ws`,
 * bench/floor-client.mjs) and, for scale, the OpenClaw CLI's `openclaw gateway call health`.

 * What is measured is the shipped bin (package.json `bin`: our code, zod and ws bundled by esbuild
 * into a few ESM files; the other dependencies load from node_modules).
 *
 * Method: the processes are run interleaved (the order alternates every round) so that drift on the
 * machine (other work, the Gateway warming up) hits all of them alike; one warm-up run of each is
 * excluded (it creates and pairs clawops's device identity, fills the OS file cache and lets the
 * Gateway's first-connection work happen). Figures are medians and p90s of the measured runs.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureInstalled, startRealGateway, type RealGateway } from '../test/conformance/support/gateway-harness.js';
import type { BenchRow } from './row.js';
import { DIST_CLI, ROOT } from './support/build.js';
import { measureProcess, rssMethod, type ProcessRun } from './support/process.js';
import { median, percentile, ratio, round, spread } from './support/stats.js';

const FLOOR_SCRIPT = join(ROOT, 'bench', 'floor-client.mjs');
const TOKEN = `bench-${Math.random().toString(36).slice(2)}-token`;
const TOKEN_ENV = 'CLAWOPS_BENCH_GATEWAY_TOKEN';

/** Measured runs (after one warm-up each). The CLI takes ~2 s a run, so it gets fewer. */
const ROUNDS = 10;
const CLI_EVERY = 3;
const LOAD_ROUNDS = 6;
const RUN_TIMEOUT_MS = 30_000;
const TARGET_RATIO = 1.5;
const TARGET_RSS_MB = 70;
/** Issue 16: `clawops --version` against Node importing `ws` alone. */
const TARGET_VERSION_RATIO = 1.15;

type Kind = 'floor' | 'check' | 'cli';

export async function benchCheckProcess(): Promise<BenchRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'clawops-bench-check-'));
  let gateway: RealGateway | undefined;
  try {
    gateway = await startRealGateway({ token: TOKEN });
    await settle(gateway.pid);
    const paths = await ensureInstalled();
    const gatewayTmp = join(dirname(gateway.home), 'tmp');
    if (!existsSync(gatewayTmp)) mkdirSync(gatewayTmp, { recursive: true });

    // A clean, small environment, the same for every process measured: nothing of the caller's
    // OPENCLAW_*, CLAWOPS_* or NODE_* (NODE_EXTRA_CA_CERTS alone costs start-up time) leaks in, and
    // clawops's device identity lives in the scratch dir, not in the user's state dir.
    const ours: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: work, LANG: 'C.UTF-8', [TOKEN_ENV]: TOKEN, CLAWOPS_IDENTITY: join(work, 'device.json') };
    const wsUrl = gateway.url;
    const checkArgs = ['check', '--url', wsUrl, '--token-env', TOKEN_ENV];
    const commands: Record<Kind, () => Promise<ProcessRun>> = {
      floor: () => measureProcess(process.execPath, [FLOOR_SCRIPT, wsUrl, TOKEN_ENV], { env: ours, cwd: ROOT, timeoutMs: RUN_TIMEOUT_MS, node: true }),
      check: () => measureProcess(process.execPath, [DIST_CLI, ...checkArgs], { env: ours, cwd: work, timeoutMs: RUN_TIMEOUT_MS, node: true }),
      // As the Gateway's own operator would run it on that host: its Node, its HOME (config with
      // the port and token), the same switches the harness starts the Gateway with.
      cli: () =>
        measureProcess(paths.nodeBin, [join(paths.openclawDir, 'openclaw.mjs'), 'gateway', 'call', 'health'], {
          env: {
            PATH: `${dirname(paths.nodeBin)}:/usr/local/bin:/usr/bin:/bin`,
            HOME: gateway!.home,
            TMPDIR: gatewayTmp,
            LANG: 'C.UTF-8',
            NO_COLOR: '1',
            OPENCLAW_DISABLE_BONJOUR: '1',
            OPENCLAW_NO_AUTO_UPDATE: '1',
            OPENCLAW_NO_RESPAWN: '1',
            OPENCLAW_OFFLINE: '1',
          },
          cwd: work,
          timeoutMs: RUN_TIMEOUT_MS,
          node: true,
        }),
    };
    const runs: Record<Kind, ProcessRun[]> = { floor: [], check: [], cli: [] };
    const degraded: Record<Kind, number> = { floor: 0, check: 0, cli: 0 };
    const run = async (kind: Kind): Promise<ProcessRun> => {
      const result = await commands[kind]();
      // `gateway-degraded` (exit 1) is a full check of a Gateway that is slow or says its event loop
      // is — on a busy machine it does: the same work was measured, so it counts, and the note says how often.
      // Any other failure measured something else than a check of a working Gateway: the bench fails.
      if (kind === 'check' && result.code === 1 && /^! gateway-degraded\b/m.test(result.stdout)) degraded[kind] += 1;
      else if (result.code !== 0) throw new Error(`${kind} run exited ${result.code}:\n${(result.stdout + result.stderr).slice(-2_000)}`);
      return result;
    };

    const local: Kind[] = ['floor', 'check'];
    for (const kind of [...local, 'cli'] as const) await run(kind); // warm-up, excluded
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? [...local] : [...local].reverse();
      if (round % CLI_EVERY === 0) order.splice((round / CLI_EVERY) % (order.length + 1), 0, 'cli');
      for (const kind of order) runs[kind].push(await run(kind));
    }
    const load = await moduleLoadTimes(ours);

    const wall = (kind: Kind) => runs[kind].map((r) => r.wallMs);
    const rss = (kind: Kind) => runs[kind].map((r) => r.peakRssMB);
    const probeMs = runs.check.map((r) => Number(/·\s*([\d.]+)\s*ms\s*$/m.exec(r.stdout.split('\n')[0] ?? '')?.[1])).filter(Number.isFinite);
    const floorMedian = median(wall('floor'));
    const checkMedian = median(wall('check'));
    const cliMedian = median(wall('cli'));
    const floorRss = median(rss('floor'));
    const checkRss = Math.max(...rss('check'));
    const cliRss = median(rss('cli'));
    const rssNote = `peak RSS by ${rssMethod() === 'gnu-time' ? 'GNU time (%M)' : 'ru_maxrss at exit'}`;

    return [
      { name: 'floor: bare node + ws, challenge·connect·health (process)', value: round(floorMedian), unit: 'ms', note: spread(wall('floor'), 'ms') },
      {
        name: 'clawops check --url (whole process, the shipped bin)',
        value: round(checkMedian),
        unit: 'ms',
        baseline: { name: 'floor', value: round(floorMedian) },
        ratio: ratio(checkMedian, floorMedian),
        target: `≤ ${TARGET_RATIO}× floor (median)`,
        met: checkMedian <= TARGET_RATIO * floorMedian,
        note: `${spread(wall('check'), 'ms')}${probeMs.length ? `; the probe itself (report durationMs) p50 ${round(median(probeMs))} ms` : ''}${degraded.check ? `; ${degraded.check} run(s) ended gateway-degraded (a slow Gateway on a busy machine; the same full check)` : ''}`,
      },
      {
        name: 'clawops check --url, p90',
        value: round(percentile(wall('check'), 90)),
        unit: 'ms',
        baseline: { name: 'floor p90', value: round(percentile(wall('floor'), 90)) },
        ratio: ratio(percentile(wall('check'), 90), percentile(wall('floor'), 90)),
      },
      { name: 'floor: peak RSS', value: round(floorRss), unit: 'MB', note: `median of ${runs.floor.length}; ${rssNote}` },
      {
        name: 'clawops check: peak RSS',
        value: round(checkRss),
        unit: 'MB',
        baseline: { name: 'floor', value: round(floorRss) },
        ratio: ratio(checkRss, floorRss),
        target: `≤ ${TARGET_RSS_MB} MB`,
        met: checkRss <= TARGET_RSS_MB,
        note: `the highest of ${runs.check.length} runs (median ${round(median(rss('check')))} MB); ${rssNote}`,
      },
      {
        name: 'start-up: clawops --version (process)',
        value: round(median(load.cli)),
        unit: 'ms',
        baseline: { name: 'node importing ws alone (the floor’s load)', value: round(median(load.ws)) },
        ratio: ratio(median(load.cli), median(load.ws)),
        target: `≤ ${TARGET_VERSION_RATIO}× node importing ws`,
        met: median(load.cli) <= TARGET_VERSION_RATIO * median(load.ws),
        note: `${spread(load.cli, 'ms')}; node importing ws: ${spread(load.ws, 'ms')}`,
      },
      {
        name: 'openclaw gateway call health (OpenClaw CLI, process)',
        value: round(cliMedian),
        unit: 'ms',
        note: `${spread(wall('cli'), 'ms')}; peak RSS median ${round(cliRss)} MB`,
      },
      {
        name: 'clawops check vs the OpenClaw CLI: time',
        value: round(checkMedian),
        unit: 'ms',
        baseline: { name: 'openclaw gateway call health', value: round(cliMedian) },
        ratio: ratio(checkMedian, cliMedian),
      },
      {
        name: 'clawops check vs the OpenClaw CLI: peak RSS',
        value: round(checkRss),
        unit: 'MB',
        baseline: { name: 'openclaw gateway call health', value: round(cliRss) },
        ratio: ratio(checkRss, cliRss),
      },
    ];
  } finally {
    await gateway?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Start-up alone, as whole processes: `clawops --version` (everything the bin loads before it can
 * act) against a Node process that only imports `ws` (all the floor loads).
 */
async function moduleLoadTimes(env: NodeJS.ProcessEnv): Promise<{ cli: number[]; ws: number[] }> {
  const measure = async (args: string[]): Promise<number> =>
    (await measureProcess(process.execPath, args, { env, cwd: ROOT, timeoutMs: RUN_TIMEOUT_MS, node: true })).wallMs;
  const cli = [DIST_CLI, '--version'];
  const ws = ['--input-type=module', '-e', "await import('ws');"];
  await measure(cli); // warm-up (file cache), excluded
  const out = { cli: [] as number[], ws: [] as number[] };
  for (let round = 0; round < LOAD_ROUNDS; round += 1) {
    out.cli.push(await measure(cli));
    out.ws.push(await measure(ws));
  }
  return out;
}

/**
 * A Gateway that has just answered its first `health` is still busy for a while (plugins, sqlite,
 * caches): wait until it uses under 10% of a core over half a second (at most 20 s), so the
 * figures are of a Gateway at rest. Linux only; elsewhere this returns at once.
 */
async function settle(pid: number): Promise<void> {
  const ticksPerSecond = 100; // USER_HZ on Linux
  const cpuTicks = (): number | undefined => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      return undefined;
    }
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const before = cpuTicks();
    if (before === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = cpuTicks();
    if (after === undefined || (after - before) / ticksPerSecond < 0.05) return;
  }
}
