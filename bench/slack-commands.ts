/**
 * Issue 3, "Speed": `/gateway check` through Slack. clawops runs as it does in production — the
 * built `clawops start` process (real Bolt in Socket Mode, real BullMQ, real Redis on loopback) —
 * against the Slack emulator, which lives in this process (it plays Slack, the remote side) and
 * records when each command was acknowledged and when each verdict was posted. The gateways are
 * fake Gateways in a third process.
 *
 * Every command names a different gateway (the names map onto a few servers, but each name is its
 * own check with its own handshake): requests for one name within the coalescing window would
 * share one probe, and "beyond the probe" needs each verdict's own probe duration, read from the
 * last-state record clawops keeps per gateway (the report's `durationMs`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SLACK_ACK_TIMEOUT_MS, startSlackEmulator, type ApiCall, type SlackEmulator, type SlashCommandPayload } from '../test/support/slack-emulator.js';
import { deleteKeysWithPrefix, pingable, startPrivateRedis, type PrivateRedis } from '../test/support/redis-server.js';
import type { BenchRow } from './row.js';
import { DIST_CLI, ROOT } from './support/build.js';
import { startFakeGatewayHost } from './support/fake-gateway-host.js';
import { median, percentile, ratio, round, spread } from './support/stats.js';

const BURST = 200;
const ONE_AT_A_TIME = 20;
const WARM_UP = 5;
const SERVERS = 8;
const TARGET_ACK_P99_MS = 50;
const TARGET_OVERHEAD_P50_MS = 100;
const START_TIMEOUT_MS = 30_000;
const VERDICT_TIMEOUT_MS = 60_000;
const TOKEN_ENV = 'CLAWOPS_BENCH_GATEWAY_TOKEN';
const USER = { id: 'U0BENCH', name: 'bench', email: 'bench@example.test' };
const CHANNEL = { id: 'C0BENCH', name: 'incidents' };

interface Sample {
  gateway: string;
  sentAt: number;
  ackMs: number;
  acked: boolean;
  verdictAt: number;
  verdictText: string;
}

export async function benchSlackCommands(): Promise<BenchRow[]> {
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const redisUrl = await redisForBench(cleanup);
    const prefix = `clawops-bench-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    cleanup.push(() => deleteKeysWithPrefix(redisUrl, prefix));

    const token = `bench-${Math.random().toString(36).slice(2)}-token`;
    const host = await startFakeGatewayHost(SERVERS, token);
    cleanup.push(() => host.stop());
    const emu = await startSlackEmulator({ users: [USER], channels: [CHANNEL] });
    cleanup.push(() => emu.close());

    const work = mkdtempSync(join(tmpdir(), 'clawops-bench-slack-'));
    cleanup.push(async () => rmSync(work, { recursive: true, force: true }));
    const names = {
      warmUp: series('warm', WARM_UP),
      oneAtATime: series('single', ONE_AT_A_TIME),
      burst: series('burst', BURST),
    };
    const all = [...names.warmUp, ...names.oneAtATime, ...names.burst];
    // JSON is YAML. Production defaults for the queue; scheduled checks off, so that nothing but the
    // commands runs; token-only, so that every check is the same ladder against the fakes.
    const config = {
      identity: { path: join(work, 'device.json') },
      monitoring: { enabled: false },
      // Names beyond the servers are other names for them (aliasOf): two gateways at one address are refused otherwise.
      gateways: fleetGateways(all, host.urls, TOKEN_ENV),
    };
    const configPath = join(work, 'clawops.yaml');
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);

    const bot = await startClawopsOnEmulator(configPath, { work, redisUrl, prefix, emu, tokenEnv: TOKEN_ENV, token }, cleanup);

    const one = (gateway: string): Promise<Sample> => verdictOf(emu, sendCommand(emu, gateway, payloadFor(emu, gateway)));
    for (const gateway of names.warmUp) await one(gateway); // warm-up, excluded
    const single: Sample[] = [];
    for (const gateway of names.oneAtATime) single.push(await one(gateway));
    const payloads = names.burst.map((gateway) => payloadFor(emu, gateway));
    const burstStarted = Date.now();
    const sent = names.burst.map((gateway, index) => sendCommand(emu, gateway, payloads[index]!));
    // An ack that arrives while this loop still sends is read (and timed) only after the last envelope
    // went out, and on a small machine the loop competes for CPU with clawops itself: the note says
    // how long it took, as the part of the ack figures that is the emulator's.
    const sendLoopMs = Date.now() - burstStarted;
    const burst = await Promise.all(sent.map((command) => verdictOf(emu, command)));
    const burstMs = Math.max(...burst.map((sample) => sample.verdictAt)) - burstStarted;
    const peakRssMB = peakRssOf(bot.pid);

    const unhealthy = [...single, ...burst].filter((sample) => !sample.verdictText.includes('healthy') || /unhealthy|degraded/i.test(sample.verdictText));
    if (unhealthy.length) throw new Error(`${unhealthy.length} verdicts were not healthy, e.g. ${JSON.stringify(unhealthy[0]!.verdictText)}`);

    const probeMs = await probeDurations(redisUrl, prefix);
    const overhead = (samples: Sample[]) =>
      samples.map((sample) => {
        const probe = probeMs.get(sample.gateway);
        if (probe === undefined) throw new Error(`no recorded probe duration for ${sample.gateway}`);
        return sample.verdictAt - sample.sentAt - probe;
      });
    const singleOverhead = overhead(single);
    const burstOverhead = overhead(burst);
    const burstAcks = burst.map((sample) => sample.ackMs);
    const singleAcks = single.map((sample) => sample.ackMs);
    const missed = burst.filter((sample) => !sample.acked).length;
    const burstProbes = names.burst.map((gateway) => probeMs.get(gateway)!);

    const rows: BenchRow[] = [
      { name: `ack latency, ${BURST} /gateway check at once: p50`, value: round(median(burstAcks)), unit: 'ms', note: spread(burstAcks, 'ms') },
      {
        name: `ack latency, ${BURST} /gateway check at once: p99`,
        value: round(percentile(burstAcks, 99)),
        unit: 'ms',
        baseline: { name: 'one command at a time, p50', value: round(median(singleAcks)) },
        ratio: ratio(percentile(burstAcks, 99), median(singleAcks)),
        target: `p99 ≤ ${TARGET_ACK_P99_MS} ms`,
        met: missed === 0 && percentile(burstAcks, 99) <= TARGET_ACK_P99_MS,
        note: `${missed ? `${missed} acks missed Slack's ${SLACK_ACK_TIMEOUT_MS} ms (counted as ${SLACK_ACK_TIMEOUT_MS} ms)` : `all ${BURST} acked within Slack's ${SLACK_ACK_TIMEOUT_MS} ms`}; the emulator took ${sendLoopMs} ms to send the ${BURST} envelopes, and reads acks only after that`,
      },
      {
        name: 'command → verdict posted, beyond the probe: one at a time, p50',
        value: round(median(singleOverhead)),
        unit: 'ms',
        target: `p50 ≤ ${TARGET_OVERHEAD_P50_MS} ms`,
        met: median(singleOverhead) <= TARGET_OVERHEAD_P50_MS,
        note: `${spread(singleOverhead, 'ms')}; probe p50 ${round(median(names.oneAtATime.map((gateway) => probeMs.get(gateway)!)))} ms; ack p50 ${round(median(singleAcks))} ms`,
      },
      {
        name: `command → verdict posted, beyond the probe: ${BURST} at once, p50`,
        value: round(median(burstOverhead)),
        unit: 'ms',
        baseline: { name: 'one at a time, p50', value: round(median(singleOverhead)) },
        ratio: ratio(median(burstOverhead), median(singleOverhead)),
        target: `p50 ≤ ${TARGET_OVERHEAD_P50_MS} ms`,
        met: median(burstOverhead) <= TARGET_OVERHEAD_P50_MS,
        note: `${spread(burstOverhead, 'ms')}; includes waiting for one of the worker's check lanes (queue.concurrency, default 8); probe p50 ${round(median(burstProbes))} ms; last verdict ${round(burstMs)} ms after the first command`,
      },
    ];
    if (peakRssMB !== undefined)
      rows.push({
        name: 'clawops start (bot + worker): peak RSS over the run',
        value: round(peakRssMB),
        unit: 'MB',
        note: 'VmHWM of the process, read before it was stopped',
      });
    return rows;
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}

const series = (label: string, count: number) => Array.from({ length: count }, (_, index) => `${label}-${String(index).padStart(3, '0')}`);

interface Sent {
  gateway: string;
  since: number;
  sentAt: number;
  ack: Promise<{ ackMs: number; acked: boolean }>;
}

/**
 * Sends `/gateway check <gateway>` (the payload built beforehand, so that the send itself is as
 * cheap as the emulator can make it) and returns at once; `verdictOf` waits for the result.
 */
function sendCommand(emu: SlackEmulator, gateway: string, payload: SlashCommandPayload): Sent {
  const since = emu.mark();
  const sentAt = Date.now();
  const ack = emu.hub
    .send('slash_commands', payload, `slash command /gateway check ${gateway}`)
    .then((answer) => ({ ackMs: answer.latencyMs, acked: true }))
    .catch(() => ({ ackMs: SLACK_ACK_TIMEOUT_MS, acked: false }));
  return { gateway, since, sentAt, ack };
}

const payloadFor = (emu: SlackEmulator, gateway: string): SlashCommandPayload =>
  emu.slashCommandPayload({ command: '/gateway', text: `check ${gateway}`, user_id: USER.id, channel_id: CHANNEL.id, channel_name: CHANNEL.name });

/** Resolves when the command's placeholder ("⏳ Checking <gateway>…") has been updated with the verdict. */
async function verdictOf(emu: SlackEmulator, sent: Sent): Promise<Sample> {
  const placeholder = await emu.waitForCall('chat.postMessage', (call) => call.params.text === `⏳ Checking ${sent.gateway}…`, {
    since: sent.since,
    timeoutMs: VERDICT_TIMEOUT_MS,
  });
  const ts = (placeholder.response as { ts?: string }).ts;
  const isVerdict = (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');
  const verdict = await emu.waitForCall('chat.update', isVerdict, { since: sent.since, timeoutMs: VERDICT_TIMEOUT_MS });
  return { gateway: sent.gateway, sentAt: sent.sentAt, ...(await sent.ack), verdictAt: verdict.at, verdictText: String(verdict.params.text) };
}

/** `durationMs` of each gateway's last report, as the worker recorded it (`<prefix>:last-state`). */
async function probeDurations(redisUrl: string, prefix: string): Promise<Map<string, number>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const raw = await redis.hgetall(`${prefix}:last-state`);
    return new Map(Object.entries(raw).map(([name, text]) => [name, (JSON.parse(text) as { durationMs: number }).durationMs]));
  } finally {
    redis.disconnect();
  }
}

/** REDIS_URL, else 127.0.0.1:6379 when it answers, else a private redis-server for this run. */
export async function redisForBench(cleanup: Array<() => Promise<unknown>>): Promise<string> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await pingable(url)) return url;
  if (process.env.REDIS_URL) throw new Error(`REDIS_URL=${url} does not answer`);
  const redis: PrivateRedis = await startPrivateRedis();
  cleanup.push(() => redis.stop());
  return redis.url;
}

interface ClawopsProcess {
  pid: number;
  exited: Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

/** the `clawops` bin with `start` at its default log level; output kept (the tail) for a failure report. */
/**
 * `names` spread over the fake servers: names beyond the servers are other names for them
 * (`aliasOf`), since two gateways at one address are refused otherwise. Token-only, so that every
 * check is the same ladder against the fakes.
 */
export function fleetGateways(names: readonly string[], urls: readonly string[], tokenEnv: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    names.map((name, index) => [
      name,
      { url: urls[index % urls.length], tokenEnv, device: 'never', ...(index >= urls.length ? { aliasOf: names[index % urls.length] } : {}) },
    ]),
  );
}

/** The built `clawops start` against the Slack emulator, resolved once its Socket Mode connection is up (stopped by `cleanup`). */
export async function startClawopsOnEmulator(
  configPath: string,
  run: { work: string; redisUrl: string; prefix: string; emu: SlackEmulator; tokenEnv: string; token: string },
  cleanup: Array<() => Promise<unknown>>,
): Promise<ClawopsProcess> {
  const bot = startClawops(configPath, {
    PATH: process.env.PATH,
    HOME: run.work,
    LANG: 'C.UTF-8',
    REDIS_URL: run.redisUrl,
    CLAWOPS_REDIS_PREFIX: run.prefix,
    SLACK_BOT_TOKEN: run.emu.identity.botToken,
    SLACK_APP_TOKEN: run.emu.identity.appToken,
    SLACK_API_URL: run.emu.apiUrl,
    [run.tokenEnv]: run.token,
  });
  cleanup.push(() => bot.stop());
  await Promise.race([
    run.emu.waitForSocket({ timeoutMs: START_TIMEOUT_MS }),
    bot.exited.then(() => Promise.reject(new Error(`clawops start exited:\n${bot.output()}`))),
  ]);
  return bot;
}

export function startClawops(configPath: string, env: NodeJS.ProcessEnv): ClawopsProcess {
  const child: ChildProcess = spawn(process.execPath, [DIST_CLI, 'start', '--config', configPath], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM'); // graceful: in-flight checks finish, queues and Redis close
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function peakRssOf(pid: number): number | undefined {
  try {
    const kb = Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined; // not Linux
  }
}
