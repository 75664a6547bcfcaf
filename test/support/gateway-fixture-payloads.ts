import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The fake Gateway's answers, built from payloads recorded on the real Gateway
 * (test/fixtures/openclaw-<version>/, see test/conformance/support/gateway-payloads.ts): every key
 * and type is the real one's; only the values a scenario needs are set (version, scopes, channels
 * and their policies, event-loop degradation, uptime). The conformance suite compares these
 * against a live real Gateway, so a builder that drifts from the real shape fails there.
 */

export const FIXTURE_VERSION = '2026.9.6';
const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', `openclaw-${FIXTURE_VERSION}`);

// Recorded JSON, reshaped below: typed loosely on purpose (the conformance suite checks the shapes).
type Json = Record<string, any>;
const loaded = new Map<string, Json>();
function fixture(name: string): Json {
  if (!loaded.has(name)) loaded.set(name, JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as Json);
  return structuredClone(loaded.get(name)!);
}

/** One channel account as a test describes it. */
export interface FixtureChannel {
  channel: string;
  accountId?: string;
  configured: boolean;
  running: boolean;
  /** Only some channel plugins report these (WhatsApp `linked`); Telegram reports neither. */
  connected?: boolean;
  linked?: boolean;
  /** The account's policy as the Gateway's config holds it (`config.get`); not in channels.status. */
  dmPolicy?: string;
  allowFrom?: string[];
  groupPolicy?: string;
  lastError?: string | null;
  /** `channels.status {probe:true}` could not reach the channel's service (Telegram's API…). */
  probeError?: string;
}

/** The Gateway's `gateway.*` settings as `config.get` shows them. */
export interface FixtureGatewayConfig {
  bind?: string;
  port?: number;
  authMode?: string;
  tailscaleMode?: string;
  trustedProxies?: string[];
}

export interface EventLoopSample {
  degraded: boolean;
}

const label = (channel: string) => channel.charAt(0).toUpperCase() + channel.slice(1);
const accountIdOf = (c: FixtureChannel) => c.accountId ?? 'default';
const byChannel = (channels: readonly FixtureChannel[]) =>
  [...new Set(channels.map((c) => c.channel))].map((name) => [name, channels.filter((c) => c.channel === name)] as const);

export function eventLoopPayload(sample: EventLoopSample): Json {
  const loop = fixture('health').eventLoop as Json;
  return {
    ...loop,
    degraded: sample.degraded,
    degradedSinceMs: sample.degraded ? Date.now() - 60_000 : null,
    reasons: sample.degraded ? ['event-loop-delay'] : [],
    delayP99Ms: sample.degraded ? 850 : 21,
    delayMaxMs: sample.degraded ? 1200 : 24,
    utilization: sample.degraded ? 0.97 : 0.01,
  };
}

function probe(c: FixtureChannel): Json {
  const template = fixture('channels.status').channelAccounts.telegram[0].probe as Json;
  return c.probeError ? { ...template, ok: false, status: null, error: c.probeError } : { ...template, ok: true, status: 200, error: null };
}

/** `channels.status` → `channelAccounts.<channel>[]` entry. */
function statusAccount(c: FixtureChannel): Json {
  const template = fixture('channels.status').channelAccounts.telegram[0] as Json;
  return {
    ...template,
    accountId: accountIdOf(c),
    lifecycle: c.running ? 'running' : 'stopped',
    configured: c.configured,
    running: c.running,
    ...(c.connected !== undefined ? { connected: c.connected } : {}),
    ...(c.linked !== undefined ? { linked: c.linked } : {}),
    lastError: c.lastError ?? c.probeError ?? null,
    probe: probe(c),
    lastProbeAt: Date.now(),
  };
}

/** `health` → `channels.<channel>` summary (the default account's fields, plus every account). */
function healthChannel(accounts: readonly FixtureChannel[]): Json {
  const template = fixture('health').channels.telegram as Json;
  const accountTemplate = template.accounts.default as Json;
  const account = (c: FixtureChannel): Json => ({
    ...accountTemplate,
    accountId: accountIdOf(c),
    configured: c.configured,
    running: c.running,
    lastError: c.lastError ?? null,
    ...(c.linked !== undefined ? { linked: c.linked } : {}),
  });
  const first = accounts.find((c) => accountIdOf(c) === 'default') ?? accounts[0]!;
  return { ...account(first), accounts: Object.fromEntries(accounts.map((c) => [accountIdOf(c), account(c)])) };
}

/**
 * `health` as the RPC answers it, or (`snapshot`) as hello-ok's `snapshot.health` carries it: the
 * Gateway's cached copy, which has fewer keys (no `modelRuntime`).
 */
export function healthPayload(channels: readonly FixtureChannel[], options: { degraded: boolean; pluginErrors: string[]; snapshot?: boolean }): Json {
  const health = options.snapshot ? (fixture('hello-ok').snapshot.health as Json) : fixture('health');
  return {
    ...health,
    ts: Date.now(),
    durationMs: 12,
    plugins: { ...health.plugins, errors: options.pluginErrors },
    channels: Object.fromEntries(byChannel(channels).map(([name, accounts]) => [name, healthChannel(accounts)])),
    channelOrder: byChannel(channels).map(([name]) => name),
    channelLabels: Object.fromEntries(byChannel(channels).map(([name]) => [name, label(name)])),
    eventLoop: eventLoopPayload({ degraded: options.degraded }),
  };
}

export function statusPayload(channels: readonly FixtureChannel[], options: { version: string; degraded: boolean; taint?: (text: string) => string }): Json {
  const status = fixture('status');
  const taint = options.taint ?? ((text: string) => text);
  return {
    ...status,
    runtimeVersion: options.version,
    channelSummary: byChannel(channels).flatMap(([name, accounts]) => [
      taint(`${label(name)}: ${accounts.some((c) => c.configured) ? 'configured' : 'not configured'}`),
      ...accounts.map((c) => `  - ${accountIdOf(c)} (token:config)`),
    ]),
    eventLoop: eventLoopPayload({ degraded: options.degraded }),
    pid: process.pid,
  };
}

/** `statusIssues` entries for accounts that should run but do not (the shape clawops reads). */
function statusIssues(channels: readonly FixtureChannel[]): Json[] {
  return channels
    .filter((c) => c.configured && !c.running)
    .map((c) => ({
      channel: c.channel,
      accountId: accountIdOf(c),
      kind: 'runtime',
      message: `configured but not running${c.lastError ? `: ${c.lastError}` : ''}`,
    }));
}

export function channelsStatusPayload(channels: readonly FixtureChannel[], options: { degraded: boolean }): Json {
  const payload = fixture('channels.status');
  const channelTemplate = payload.channels.telegram as Json;
  const metaTemplate = (payload.channelMeta as Json[])[0]!;
  const groups = byChannel(channels);
  return {
    ...payload,
    ts: Date.now(),
    channelOrder: groups.map(([name]) => name),
    channelLabels: Object.fromEntries(groups.map(([name]) => [name, label(name)])),
    channelDetailLabels: Object.fromEntries(groups.map(([name]) => [name, `${label(name)} Bot`])),
    channelSystemImages: Object.fromEntries(groups.map(([name]) => [name, metaTemplate.systemImage])),
    channelMeta: groups.map(([name]) => ({ ...metaTemplate, id: name, label: label(name), detailLabel: `${label(name)} Bot` })),
    eventLoop: eventLoopPayload({ degraded: options.degraded }),
    channels: Object.fromEntries(
      groups.map(([name, accounts]) => {
        const first = accounts.find((c) => accountIdOf(c) === 'default') ?? accounts[0]!;
        return [
          name,
          {
            ...channelTemplate,
            configured: first.configured,
            running: first.running,
            lastError: first.lastError ?? first.probeError ?? null,
            probe: probe(first),
            lastProbeAt: Date.now(),
          },
        ];
      }),
    ),
    channelAccounts: Object.fromEntries(groups.map(([name, accounts]) => [name, accounts.map(statusAccount)])),
    channelDefaultAccountId: Object.fromEntries(groups.map(([name, accounts]) => [name, accountIdOf(accounts[0]!)])),
    statusIssues: statusIssues(channels),
  };
}

const REDACTED = '__OPENCLAW_REDACTED__';

/** The `channels` block of a Gateway config holding these accounts (bot tokens redacted, as config.get sends them). */
function channelsConfig(channels: readonly FixtureChannel[]): Json {
  const policy = (c: FixtureChannel): Json => ({
    ...(c.dmPolicy !== undefined ? { dmPolicy: c.dmPolicy } : {}),
    ...(c.allowFrom !== undefined ? { allowFrom: c.allowFrom } : {}),
    ...(c.groupPolicy !== undefined ? { groupPolicy: c.groupPolicy } : {}),
  });
  return Object.fromEntries(
    byChannel(channels).map(([name, accounts]) => {
      const root = accounts.find((c) => accountIdOf(c) === 'default');
      const others = accounts.filter((c) => accountIdOf(c) !== 'default');
      return [
        name,
        {
          enabled: true,
          ...(root ? { botToken: REDACTED, ...policy(root) } : {}),
          ...(others.length ? { accounts: Object.fromEntries(others.map((c) => [accountIdOf(c), { botToken: REDACTED, ...policy(c) }])) } : {}),
        },
      ];
    }),
  );
}

/** What the real Gateway warns about these policies (its config warnings; channels.status stays silent). */
function policyWarnings(channels: readonly FixtureChannel[]): Json[] {
  return channels
    .filter((c) => c.dmPolicy === 'allowlist' && (c.allowFrom ?? []).length === 0)
    .map((c) => {
      const base = accountIdOf(c) === 'default' ? `channels.${c.channel}` : `channels.${c.channel}.accounts.${accountIdOf(c)}`;
      return {
        path: `${base}.allowFrom`,
        message: `${base}.dmPolicy="allowlist" but ${base}.allowFrom is empty; all DMs will be dropped. Add at least one sender ID to ${base}.allowFrom or change ${base}.dmPolicy.`,
      };
    });
}

export function configGetPayload(channels: readonly FixtureChannel[], gateway: FixtureGatewayConfig): Json {
  const payload = fixture('config.get');
  const channelBlock = channelsConfig(channels);
  const gatewayBlock = (current: Json): Json => ({
    ...current,
    ...(gateway.port !== undefined ? { port: gateway.port } : {}),
    ...(gateway.bind !== undefined ? { bind: gateway.bind } : {}),
    ...(gateway.trustedProxies !== undefined ? { trustedProxies: gateway.trustedProxies } : {}),
    ...(gateway.tailscaleMode !== undefined ? { tailscale: { mode: gateway.tailscaleMode } } : {}),
    auth: { ...current.auth, ...(gateway.authMode !== undefined ? { mode: gateway.authMode } : {}) },
  });
  for (const key of ['parsed', 'sourceConfig', 'resolved', 'runtimeConfig', 'config'] as const) {
    const section = payload[key] as Json;
    section.gateway = gatewayBlock(section.gateway as Json);
    // The effective sections carry the defaults the Gateway applied: a channel's root groupPolicy.
    const effective = key === 'runtimeConfig' || key === 'config';
    if (channels.length)
      section.channels = Object.fromEntries(
        Object.entries(structuredClone(channelBlock)).map(([name, block]) => [name, effective ? { groupPolicy: 'allowlist', ...(block as Json) } : block]),
      );
    else delete section.channels;
  }
  payload.raw = `${JSON.stringify(payload.parsed, null, 2)}\n`;
  payload.warnings = policyWarnings(channels);
  return payload;
}

export function helloOkPayload(options: {
  version: string;
  connId: string;
  bootId: string;
  auth: { method: string; role: string; scopes: string[]; deviceToken?: string };
  health: Json;
  uptimeMs: number;
  tickIntervalMs: number;
  /** The advertised methods/events instead of the recorded ones (an "upgraded" Gateway). */
  features?: { methods?: string[]; events?: string[] };
}): Json {
  const hello = fixture('hello-ok');
  const features = hello.features as Json;
  return {
    ...hello,
    features: {
      ...features,
      ...(options.features?.methods ? { methods: options.features.methods } : {}),
      ...(options.features?.events ? { events: options.features.events } : {}),
    },
    server: { ...hello.server, version: options.version, buildId: `${options.version}-fake`, bootId: options.bootId, connId: options.connId },
    snapshot: { ...hello.snapshot, health: options.health, uptimeMs: options.uptimeMs },
    auth: { ...options.auth, recoveryScope: `fake-recovery-${options.connId.slice(0, 8)}` },
    policy: { ...hello.policy, tickIntervalMs: options.tickIntervalMs },
  };
}

export function challengePayload(nonce: string): Json {
  return { ...fixture('connect.challenge'), nonce, ts: Date.now() };
}
