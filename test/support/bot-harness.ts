import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { readEnvOptions } from '../../src/config/env.js';
import type { Env } from '../../src/config/targets.js';
import { createLogger } from '../../src/log.js';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../src/app/composition-root.js';
import { startSlackEmulator, type SlackEmulator, type SlackEmulatorOptions } from './slack-emulator.js';
import { startSlackFaultProxy, type SlackFaultProxy } from './slack/fault-proxy.js';
import { deleteKeysWithPrefix, uniquePrefix } from './redis-server.js';

/**
 * clawops as it runs in production (real Bolt in Socket Mode, real BullMQ on real Redis, the real
 * probe ladder), against the loopback Slack emulator and whatever gateways a test starts.
 * Each harness has its own Redis key prefix and removes it on close; log lines are captured.
 */
export const GATEWAY_TOKEN = 'gw-token-for-tests-0123456789';
export const ONCALL = { id: 'U0ONCALL', name: 'oncall', email: 'oncall@example.test' };
export const STRANGER = { id: 'U0STRANGER', name: 'stranger', email: 'stranger@example.test' };
export const INCIDENTS = { id: 'C0INCIDENTS', name: 'incidents' };
export const RANDOM = { id: 'C0RANDOM', name: 'random' };

export interface BotHarness {
  emu: SlackEmulator;
  /** With `slackFaults`: the Slack-fault proxy clawops' Web API calls go through. */
  proxy?: SlackFaultProxy;
  runtime: Runtime;
  prefix: string;
  redisUrl: string;
  config: Config;
  env: Env;
  logs: string[];
  /** Sends `/gateway <text>` as `user` in `channel` and returns the ack. */
  gateway(text: string, options?: { user?: string; channel?: { id: string; name: string } }): ReturnType<SlackEmulator['sendSlashCommand']>;
  /** Stops clawops and starts it again on the same Redis prefix and emulator (`runtime` is replaced). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  redisUrl: string;
  gateways: Record<string, { url: string; tokenEnv?: string } & Record<string, unknown>>;
  access?: unknown;
  queue?: Record<string, unknown>;
  /** The `tailscale:` section (fake tailscaled socket, fake admin API). */
  tailscale?: Record<string, unknown>;
  /** The `monitoring:` section. Absent: scheduled checks off, so that no probe runs unasked. */
  monitoring?: Record<string, unknown>;
  /** The `offboarding:` section. */
  offboarding?: Record<string, unknown>;
  /** The `triggers:` section (incident triggers). */
  triggers?: Record<string, unknown>;
  /** The `metrics:` section. */
  metrics?: Record<string, unknown>;
  env?: Env;
  emulator?: SlackEmulatorOptions;
  /** Start an extra emulator-less runtime here (e.g. a second worker); default both roles. */
  roles?: RuntimeOptions['roles'];
  runtime?: Partial<RuntimeOptions>;
  prefix?: string;
  mode?: 'socket' | 'http';
  httpPort?: number;
  signingSecret?: string;
  /** Put the Slack-fault proxy (test/support/slack/fault-proxy.ts) between clawops and the emulator's Web API. */
  slackFaults?: boolean;
}

export function captureLogs(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { lines, destination };
}

export function testConfig(
  options: Pick<HarnessOptions, 'gateways' | 'access' | 'queue' | 'tailscale' | 'monitoring' | 'offboarding' | 'triggers' | 'metrics'>,
  identityPath: string,
): Config {
  return ConfigSchema.parse({
    identity: { path: identityPath },
    gateways: Object.fromEntries(
      Object.entries(options.gateways).map(([name, gateway]) => [name, { tokenEnv: 'TEST_GATEWAY_TOKEN', device: 'never', ...gateway }]),
    ),
    ...(options.access ? { access: options.access } : {}),
    ...(options.tailscale ? { tailscale: options.tailscale } : {}),
    ...(options.offboarding ? { offboarding: options.offboarding } : {}),
    ...(options.triggers ? { triggers: options.triggers } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    queue: { coalesceWindowMs: 2_000, shutdownGraceMs: 2_000, ...options.queue },
    monitoring: options.monitoring ?? { enabled: false },
  });
}

export async function startBotHarness(options: HarnessOptions): Promise<BotHarness> {
  const emu = await startSlackEmulator({ users: [ONCALL, STRANGER], channels: [INCIDENTS, RANDOM], ...options.emulator });
  const proxy = options.slackFaults ? await startSlackFaultProxy(emu.baseUrl) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'clawops-e2e-'));
  const prefix = options.prefix ?? uniquePrefix('e2e');
  const config = testConfig(options, join(dir, 'device.json'));
  const env: Env = {
    TEST_GATEWAY_TOKEN: GATEWAY_TOKEN,
    REDIS_URL: options.redisUrl,
    CLAWOPS_REDIS_PREFIX: prefix,
    SLACK_BOT_TOKEN: emu.identity.botToken,
    ...(options.mode === 'http'
      ? { SLACK_MODE: 'http', SLACK_SIGNING_SECRET: options.signingSecret ?? 'test-signing-secret', SLACK_HTTP_PORT: String(options.httpPort ?? 0) }
      : { SLACK_APP_TOKEN: emu.identity.appToken }),
    SLACK_API_URL: proxy?.apiUrl ?? emu.apiUrl,
    ...options.env,
  };
  const { lines, destination } = captureLogs();
  const logger = createLogger({ level: 'debug', destination });
  const start = () =>
    startRuntime({
      config,
      env,
      options: readEnvOptions(env),
      logger,
      roles: options.roles ?? { bot: true, worker: true },
      ...options.runtime,
    });
  let runtime: Runtime;
  try {
    runtime = await start();
  } catch (error) {
    await proxy?.close();
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const harness: BotHarness = {
    emu,
    ...(proxy ? { proxy } : {}),
    runtime,
    prefix,
    redisUrl: options.redisUrl,
    config,
    env,
    logs: lines,
    gateway: (text, send = {}) =>
      emu.sendSlashCommand({
        command: '/gateway',
        text,
        user_id: send.user ?? ONCALL.id,
        channel_id: (send.channel ?? INCIDENTS).id,
        channel_name: (send.channel ?? INCIDENTS).name,
      }),
    async restart() {
      await harness.runtime.stop();
      harness.runtime = await start();
    },
    async close() {
      await harness.runtime.stop();
      await proxy?.close();
      await emu.close();
      await deleteKeysWithPrefix(options.redisUrl, prefix).catch(() => 0);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
