/**
 * One failure drill's world: the Slack emulator (it plays Slack) behind the Slack-fault proxy,
 * fake Gateways (some slow, so checks are in flight when something breaks), a config file, and
 * the shipped bin started as `bot`, `worker`, `start` or `agent` child processes against a Redis
 * the drill owns. `tally` reads the channel as a person would: per check, how many messages, what
 * each finally says, and when it last changed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeGateway, type FakeGateway } from '../../support/fake-gateway.js';
import { startSlackEmulator, type SlackEmulator, type StoredMessage } from '../../support/slack-emulator.js';
import { startSlackFaultProxy, type SlackFaultProxy } from '../../support/slack/fault-proxy.js';
import { spawnClawops, type ClawopsProcess } from './clawops-process.js';

export const TOKEN_ENV = 'CLAWOPS_DRILL_GATEWAY_TOKEN';
export const USER = { id: 'U0DRILL', name: 'drill', email: 'drill@example.test' };
export const CHANNEL = { id: 'C0DRILL', name: 'incidents' };
export const ALERTS = { id: 'C0ALERTS', name: 'ops-alerts' };

export interface DrillOptions {
  /** How many gateway names (each check names its own, so none are coalesced). */
  gateways: number;
  /** Fake Gateways the names map onto. */
  servers?: number;
  /** Every RPC answers after this long (the check is "in flight" meanwhile). */
  rpcDelayMs?: number;
  /** REDIS_URL, or REDIS_SENTINELS & co.; with `redis`, the variables its passwordEnv keys name. */
  redisEnv: Record<string, string>;
  /** clawops.yaml's `redis:` section (the environment above overrides it). */
  redis?: Record<string, unknown>;
  queue?: Record<string, unknown>;
  timeouts?: Record<string, number>;
  /** Post in this channel when Redis keeps nothing (monitoring.alerts.channel; scheduled checks stay off). */
  alertsChannel?: boolean;
  /** gateways.<first>.agent, for `clawops agent`. */
  agent?: boolean;
}

export interface CheckTally {
  gateway: string;
  messages: StoredMessage[];
  /** What the one message finally says: verdict, apology (no answer), failure, or still pending. */
  final: 'verdict' | 'apology' | 'failed' | 'pending' | 'none' | 'duplicate';
  text: string;
  /** When its content last changed (ms since the epoch), or when it was posted. */
  answeredAt?: number;
}

export interface Drill {
  emu: SlackEmulator;
  proxy: SlackFaultProxy;
  names: string[];
  servers: FakeGateway[];
  prefix: string;
  env: NodeJS.ProcessEnv;
  configPath: string;
  start(role: 'bot' | 'worker' | 'start' | 'agent', options?: { env?: Record<string, string>; name?: string }): ClawopsProcess;
  /** Waits until a bot's Socket Mode connection is up. */
  botConnected(): Promise<void>;
  /** `/gateway check <name>` for each name (ack awaited), optionally spaced. */
  check(names: string[], options?: { spacingMs?: number }): Promise<number[]>;
  tally(names?: string[]): CheckTally[];
  /** Polls the channel until `done(tally)` holds or the time is up (then returns the last tally). */
  waitForTally(done: (tally: CheckTally[]) => boolean, timeoutMs: number, names?: string[]): Promise<CheckTally[]>;
  close(): Promise<void>;
}

const series = (count: number) => Array.from({ length: count }, (_, index) => `gw-${String(index).padStart(3, '0')}`);

export async function startDrill(options: DrillOptions): Promise<Drill> {
  const cleanup: Array<() => Promise<unknown>> = [];
  const processes: ClawopsProcess[] = [];
  const token = `drill-${Math.random().toString(36).slice(2)}-token`;
  try {
    const servers: FakeGateway[] = [];
    for (let index = 0; index < (options.servers ?? 3); index += 1) {
      const server = await startFakeGateway({ token, ...(options.rpcDelayMs ? { mode: 'slow-rpc' as const, rpcDelayMs: options.rpcDelayMs } : {}) });
      servers.push(server);
      cleanup.push(() => server.close());
    }
    const emu = await startSlackEmulator({ users: [USER], channels: [CHANNEL, ALERTS] });
    cleanup.push(() => emu.close());
    const proxy = await startSlackFaultProxy(emu.baseUrl);
    cleanup.push(() => proxy.close());
    const work = mkdtempSync(join(tmpdir(), 'clawops-drill-'));
    cleanup.push(async () => rmSync(work, { recursive: true, force: true }));
    const names = series(options.gateways);
    const prefix = `clawops-drill-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    // JSON is YAML. Scheduled checks off (nothing runs unasked); token-only, so every check is the same ladder.
    const config = {
      identity: { path: join(work, 'device.json') },
      queue: { shutdownGraceMs: 4_000, ...options.queue },
      ...(options.timeouts ? { defaults: { timeouts: options.timeouts } } : {}),
      ...(options.redis ? { redis: options.redis } : {}),
      monitoring: { enabled: false, ...(options.alertsChannel ? { alerts: { channel: ALERTS.id } } : {}) },
      gateways: Object.fromEntries(
        // Many names on a few fake Gateways: the later names are marked as other names for the first.
        names.map((name, index) => [
          name,
          {
            url: servers[index % servers.length]!.url,
            tokenEnv: TOKEN_ENV,
            device: 'never',
            ...(index >= servers.length ? { aliasOf: names[index % servers.length] } : {}),
            ...(options.agent && index === 0 ? { agent: { port: Number(new URL(servers[0]!.url).port) } } : {}),
          },
        ]),
      ),
    };
    const configPath = join(work, 'clawops.yaml');
    writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: work,
      LANG: 'C.UTF-8',
      XDG_STATE_HOME: join(work, 'state'),
      CLAWOPS_REDIS_PREFIX: prefix,
      CLAWOPS_LOG_LEVEL: 'info',
      CLAWOPS_METRICS_ADDR: '127.0.0.1:0',
      SLACK_BOT_TOKEN: emu.identity.botToken,
      SLACK_APP_TOKEN: emu.identity.appToken,
      SLACK_API_URL: proxy.apiUrl,
      [TOKEN_ENV]: token,
      ...options.redisEnv,
    };

    const tally = (wanted = names): CheckTally[] => {
      const all = (emu.messages.get(CHANNEL.id) ?? []).filter((message) => !message.deleted && !message.thread_ts);
      return wanted.map((gateway) => {
        const mentions = all.filter(
          (message) =>
            firstText(message).includes(` ${gateway}…`) || firstText(message).includes(` ${gateway} `) || firstText(message).includes(` ${gateway}:`),
        );
        if (mentions.length === 0) return { gateway, messages: [], final: 'none', text: '' };
        const text = mentions.map((message) => message.text ?? '').join(' | ');
        if (mentions.length > 1) return { gateway, messages: mentions, final: 'duplicate', text };
        const message = mentions[0]!;
        const current = message.text ?? '';
        const final = current.startsWith('⏳') ? 'pending' : current.startsWith('⚠️ No answer') ? 'apology' : current.startsWith('⚠️') ? 'failed' : 'verdict';
        const answeredAt = message.edits.length ? message.edits[message.edits.length - 1]!.replacedAt : undefined;
        return { gateway, messages: mentions, final, text: current, ...(answeredAt !== undefined ? { answeredAt } : {}) };
      });
    };

    return {
      emu,
      proxy,
      names,
      servers,
      prefix,
      env,
      configPath,
      start(role, startOptions = {}) {
        const args = role === 'agent' ? ['agent', '--gateway', names[0]!, '--config', configPath] : [role, '--config', configPath];
        const child = spawnClawops(startOptions.name ?? role, args, { ...env, ...startOptions.env });
        processes.push(child);
        return child;
      },
      botConnected: () => emu.waitForSocket({ timeoutMs: 30_000 }),
      async check(wanted, checkOptions = {}) {
        const sentAt: number[] = [];
        const acks: Array<Promise<unknown>> = [];
        for (const gateway of wanted) {
          sentAt.push(Date.now());
          acks.push(
            emu.sendSlashCommand({ command: '/gateway', text: `check ${gateway}`, user_id: USER.id, channel_id: CHANNEL.id, channel_name: CHANNEL.name }),
          );
          if (checkOptions.spacingMs) await new Promise((resolve) => setTimeout(resolve, checkOptions.spacingMs));
        }
        await Promise.all(acks);
        return sentAt;
      },
      tally,
      async waitForTally(done, timeoutMs, wanted = names) {
        const deadline = Date.now() + timeoutMs;
        let last = tally(wanted);
        while (!done(last) && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          last = tally(wanted);
        }
        return last;
      },
      async close() {
        for (const child of processes) await child.kill();
        for (const step of cleanup.reverse()) await step().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const child of processes) await child.kill();
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

/** The text a message was posted with (its first version). */
function firstText(message: StoredMessage): string {
  return message.edits[0]?.text ?? message.text ?? '';
}

/** accepted = answered, duplicates = 0, orphaned placeholders = 0: the counts every drill asserts. */
export function counts(tally: CheckTally[]): {
  checks: number;
  verdicts: number;
  apologies: number;
  failed: number;
  pending: number;
  missing: number;
  duplicates: number;
} {
  const count = (kind: CheckTally['final']) => tally.filter((entry) => entry.final === kind).length;
  return {
    checks: tally.length,
    verdicts: count('verdict'),
    apologies: count('apology'),
    failed: count('failed'),
    pending: count('pending'),
    missing: count('none'),
    duplicates: count('duplicate'),
  };
}

/** Reads /readyz of a process that logged its health endpoint. */
export async function readyz(
  child: ClawopsProcess,
): Promise<{ status: number; body: { ready: boolean; components: Record<string, { ok: boolean; detail: string }> } }> {
  const line = await child.waitForLog((entry) => entry.msg === 'health endpoint: /healthz, /readyz', 15_000);
  const response = await fetch(`http://${String(line.addr)}/readyz`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; components: Record<string, { ok: boolean; detail: string }> } };
}
