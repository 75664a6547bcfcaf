/**
 * Issue 16, "Speed": `/gateway check all` over 200 gateways through Slack — one command, one
 * answer — as production runs it: the built `clawops start` (real Bolt against the Slack emulator,
 * real BullMQ and Redis), fake Gateways in a third process. The request's gateways are probed by
 * `queue.gatewayConcurrency` lanes (16 by default), so the time is ~ 200 / 16 probes deep and the
 * memory holds at most 16 probes in flight plus 200 reports.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSlackEmulator, type ApiCall } from '../test/support/slack-emulator.js';
import { deleteKeysWithPrefix } from '../test/support/redis-server.js';
import type { BenchRow } from './row.js';
import { startFakeGatewayHost } from './support/fake-gateway-host.js';
import { median, round, spread } from './support/stats.js';
import { fleetGateways, peakRssOf, redisForBench, startClawopsOnEmulator } from './slack-commands.js';

const GATEWAYS = 200;
const SERVERS = 8;
const RUNS = 3;
const GATEWAY_CONCURRENCY = 16;
const ANSWER_TIMEOUT_MS = 120_000;
const TOKEN_ENV = 'CLAWOPS_BENCH_GATEWAY_TOKEN';
const USER = { id: 'U0BENCH', name: 'bench', email: 'bench@example.test' };
const CHANNEL = { id: 'C0BENCH', name: 'incidents' };

export async function benchCheckAll(): Promise<BenchRow[]> {
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    const redisUrl = await redisForBench(cleanup);
    const prefix = `clawops-bench-all-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
    cleanup.push(() => deleteKeysWithPrefix(redisUrl, prefix));
    const token = `bench-${Math.random().toString(36).slice(2)}-token`;
    const host = await startFakeGatewayHost(SERVERS, token);
    cleanup.push(() => host.stop());
    const emu = await startSlackEmulator({ users: [USER], channels: [CHANNEL] });
    cleanup.push(() => emu.close());
    const work = mkdtempSync(join(tmpdir(), 'clawops-bench-all-'));
    cleanup.push(async () => rmSync(work, { recursive: true, force: true }));

    const names = Array.from({ length: GATEWAYS }, (_, index) => `gw-${String(index).padStart(3, '0')}`);
    const config = {
      identity: { path: join(work, 'device.json') },
      monitoring: { enabled: false },
      // Coalescing off in effect: each run must probe all 200 again, not share the previous run's probes.
      queue: { gatewayConcurrency: GATEWAY_CONCURRENCY, coalesceWindowMs: 0 },
      gateways: fleetGateways(names, host.urls, TOKEN_ENV),
    };
    const configPath = join(work, 'clawops.yaml');
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
    const bot = await startClawopsOnEmulator(configPath, { work, redisUrl, prefix, emu, tokenEnv: TOKEN_ENV, token }, cleanup);

    /** Sends one command and resolves with the time until its placeholder was replaced by the answer. */
    const command = async (text: string): Promise<{ ms: number; answer: string }> => {
      const since = emu.mark();
      const sentAt = Date.now();
      await emu.hub.send(
        'slash_commands',
        emu.slashCommandPayload({ command: '/gateway', text, user_id: USER.id, channel_id: CHANNEL.id, channel_name: CHANNEL.name }),
        `/gateway ${text}`,
      );
      const placeholder = await emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳ Checking'), {
        since,
        timeoutMs: ANSWER_TIMEOUT_MS,
      });
      const ts = (placeholder.response as { ts?: string }).ts;
      const isAnswer = (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');
      const answer = await emu.waitForCall('chat.update', isAnswer, { since, timeoutMs: ANSWER_TIMEOUT_MS });
      return { ms: answer.at - sentAt, answer: String(answer.params.text) };
    };

    await command(`check ${names[0]}`); // warm-up, excluded: connections, JIT
    const rssBefore = peakRssOf(bot.pid);
    const times: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const { ms, answer } = await command('check all');
      if (!answer.includes(`${GATEWAYS}/${GATEWAYS} gateways healthy`)) throw new Error(`/gateway check all answered ${JSON.stringify(answer.slice(0, 300))}`);
      times.push(ms);
    }
    const peak = peakRssOf(bot.pid);
    return [
      {
        name: `/gateway check all over ${GATEWAYS} gateways: time to the answer`,
        value: round(median(times)),
        unit: 'ms',
        note: `${spread(times, 'ms')}; queue.gatewayConcurrency ${GATEWAY_CONCURRENCY} (at most that many probes in flight); the built \`clawops start\`, Slack emulator, fake Gateways`,
      },
      ...(peak !== undefined
        ? [
            {
              name: `/gateway check all over ${GATEWAYS} gateways: peak RSS`,
              value: round(peak),
              unit: 'MB' as const,
              ...(rssBefore !== undefined ? { baseline: { name: 'same process before the first check all', value: round(rssBefore) } } : {}),
              note: 'VmHWM of the clawops start process (bot and worker in one), over the three runs',
            },
          ]
        : []),
    ];
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }
}
