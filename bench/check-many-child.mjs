// One clawops process checking many gateways with bounded concurrency (issue 2, "Speed"): the
// engine `clawops check --all` and the scheduler use, `createChecker(...).checkMany`, loaded from
// the built JavaScript and run by plain `node` (how clawops runs in production; no transpiler in
// the process whose memory is measured). Plain JavaScript for that reason.
//
// Input (env): CLAWOPS_BENCH_URLS (JSON array of ws:// URLs, one gateway each),
// CLAWOPS_BENCH_CONCURRENCY, the token in CLAWOPS_BENCH_GATEWAY_TOKEN.
// Output: one JSON line with the figures.
import { readFileSync } from 'node:fs';
import { createChecker } from '../dist/src/check/checker.js';
import { urlTarget } from '../dist/src/config/targets.js';
import { connectToGateway } from '../dist/src/openclaw/client.js';

const TOKEN_ENV = 'CLAWOPS_BENCH_GATEWAY_TOKEN';
const WARM_UP = 8;

const urls = JSON.parse(process.env.CLAWOPS_BENCH_URLS ?? '[]');
const concurrency = Number(process.env.CLAWOPS_BENCH_CONCURRENCY);
if (!Array.isArray(urls) || urls.length === 0 || !Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write('check-many-child: set CLAWOPS_BENCH_URLS and CLAWOPS_BENCH_CONCURRENCY\n');
  process.exit(2);
}

/** Resident memory now (VmRSS), in MB; Linux /proc, else the heap-inclusive figure Node reports. */
function rssMB() {
  try {
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    if (Number.isFinite(kb)) return kb / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage.rss() / (1024 * 1024);
}

// Token-only (`device: 'never'`): the fakes grant loopback CLI clients their scopes, so every check
// runs the whole ladder — TCP, HTTP /healthz + /readyz, WebSocket, handshake, health, status, channels.
const targets = urls.map((url, index) => ({ ...urlTarget(url, TOKEN_ENV, process.env, `gw-${String(index).padStart(3, '0')}`), device: 'never' }));
const checker = createChecker({ connect: connectToGateway });

// Warm-up, excluded from the figures: the first checks pay for lazy initialisation (JIT, the HTTP
// agent, zod's first parse) that a long-running or many-gateway process pays once.
await checker.checkMany(targets.slice(0, WARM_UP), { concurrency: WARM_UP });
const rssBeforeMB = rssMB();

const started = performance.now();
const results = await checker.checkMany(targets, { concurrency });
const totalMs = performance.now() - started;

const healthy = results.filter((result) => result.diagnosis.state === 'healthy').length;
const unhealthy = results
  .filter((result) => result.diagnosis.state !== 'healthy')
  .map((result) => `${result.report.gateway.name}: ${result.diagnosis.verdicts[0]?.id ?? result.diagnosis.state}`);
process.stdout.write(
  `${JSON.stringify({
    totalMs,
    checks: results.length,
    healthy,
    unhealthy: unhealthy.slice(0, 5),
    probeMs: results.map((result) => result.report.durationMs),
    rssBeforeMB,
    // ru_maxrss (KiB): the process's high-water mark, module load and warm-up included.
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
// Sessions close in the background (the report does not wait for them); do not wait for the echoes.
process.exit(0);
