import * as z from '../zod-mini.js';
import { policyProblems, resolveAccountPolicy } from '../openclaw/channel-policy.js';
import { gatewayConfigFacts } from '../openclaw/gateway-config.js';
import type { RpcOutcome } from '../openclaw/types.js';
import type { ChannelState, GatewayConfigEvidence, LayerOf } from '../report/report.js';

/**
 * Pure mapping of the three read RPCs' outcomes to layers. Payloads are parsed loosely (the Gateway
 * adds fields between releases) and only what a verdict needs is kept: health payloads also carry
 * file paths and session data that have no business in a report. zod's mini API: every check parses
 * these (src/zod-mini.ts says why).
 */

const HealthPayload = z.looseObject({
  ok: z.optional(z.boolean()),
  durationMs: z.optional(z.number()),
  eventLoop: z.optional(z.looseObject({ degraded: z.optional(z.boolean()), delayP99Ms: z.optional(z.number()) })),
  modelRuntime: z.optional(z.looseObject({ degraded: z.optional(z.boolean()) })),
  plugins: z.optional(z.looseObject({ errors: z.optional(z.array(z.unknown())) })),
});

const StatusPayload = z.looseObject({ runtimeVersion: z.optional(z.string()) });

const AccountSnapshot = z.looseObject({
  accountId: z.optional(z.string()),
  enabled: z.optional(z.boolean()),
  configured: z.optional(z.boolean()),
  linked: z.optional(z.boolean()),
  running: z.optional(z.boolean()),
  connected: z.optional(z.boolean()),
  lastError: z.optional(z.nullable(z.string())),
  /** The account's own `channels.status {probe:true}` round trip to its service (Telegram's API…). */
  probe: z.catch(z.optional(z.nullable(z.looseObject({ ok: z.optional(z.boolean()), error: z.optional(z.nullable(z.string())) }))), undefined),
  // Some channel plugins put the DM policy in the snapshot; Telegram (2026.9.6) does not: config.get does.
  dmPolicy: z.optional(z.string()),
  allowFrom: z.optional(z.array(z.unknown())),
});
const ChannelsPayload = z.looseObject({
  channelAccounts: z.optional(z.record(z.string(), z.array(AccountSnapshot))),
  statusIssues: z.optional(
    z.array(z.looseObject({ channel: z.string(), accountId: z.optional(z.string()), kind: z.optional(z.string()), message: z.string() })),
  ),
});

/** `config.get`: the effective config (`config`, defaults applied), secrets already redacted by the Gateway. */
const ConfigGetPayload = z.looseObject({ config: z.unknown() });

/** The effective config from a `config.get` answer, or why there is none. */
export function configOf(outcome: RpcOutcome | undefined, rpcTimeoutMs: number): { config?: unknown; problem?: string } {
  if (!outcome) return { problem: 'config.get not asked' };
  if (!outcome.ok) return { problem: failure(outcome, 'config.get', rpcTimeoutMs).summary };
  const parsed = ConfigGetPayload.safeParse(outcome.payload);
  return parsed.success && parsed.data.config !== undefined ? { config: parsed.data.config } : { problem: 'config.get answered without a config' };
}

/** The Gateway's `gateway.*` settings from `config.get` (no fingerprint: the Gateway sends the token redacted). */
export function gatewayConfigEvidence(outcome: RpcOutcome | undefined, rpcTimeoutMs: number): GatewayConfigEvidence | undefined {
  if (!outcome) return undefined;
  const { config, problem } = configOf(outcome, rpcTimeoutMs);
  if (config === undefined) return { source: 'config.get', available: false, ...(problem ? { reason: problem } : {}) };
  return { source: 'config.get', available: true, ...gatewayConfigFacts(config) };
}

interface Timing {
  startMs: number;
  durationMs: number;
}

type FailureEvidence = {
  method: string;
  error?: Extract<RpcOutcome, { ok: false }>['error'];
  close?: Extract<RpcOutcome, { ok: false }>['close'];
  timedOut?: boolean;
  protocolViolation?: string;
  refused?: string;
};

function failure(outcome: Extract<RpcOutcome, { ok: false }>, method: string, rpcTimeoutMs: number): { summary: string; evidence: FailureEvidence } {
  // What broke the session comes first: the close after it is our own doing (we dropped the socket).
  if (outcome.refused)
    return {
      summary: `${method}: ${outcome.refused}`,
      evidence: { method, refused: outcome.refused, protocolViolation: outcome.refused, ...(outcome.close ? { close: outcome.close } : {}) },
    };
  if (outcome.protocolViolation)
    return {
      summary: `${method}: protocol violation: ${outcome.protocolViolation}`,
      evidence: { method, protocolViolation: outcome.protocolViolation, ...(outcome.close ? { close: outcome.close } : {}) },
    };
  if (outcome.error) {
    const detail = outcome.error.missingScope
      ? ` missing scope: ${outcome.error.missingScope}`
      : outcome.error.detailsCode
        ? ` (${outcome.error.detailsCode})`
        : '';
    return { summary: `${method}: ${outcome.error.code}${detail}`, evidence: { method, error: outcome.error } };
  }
  if (outcome.close) {
    return {
      summary: `${method}: connection closed ${outcome.close.code}${outcome.close.reason ? ` "${outcome.close.reason}"` : ''}`,
      evidence: { method, close: outcome.close },
    };
  }
  return { summary: `${method}: no answer within ${rpcTimeoutMs} ms`, evidence: { method, timedOut: true } };
}

function pluginErrorText(error: unknown): string {
  if (typeof error === 'string') return error.slice(0, 200);
  if (error && typeof error === 'object') {
    const record = error as Record<string, unknown>;
    const id = typeof record.pluginId === 'string' ? record.pluginId : typeof record.id === 'string' ? record.id : undefined;
    const message = typeof record.message === 'string' ? record.message : typeof record.error === 'string' ? record.error : undefined;
    return [id, message].filter(Boolean).join(': ').slice(0, 200) || 'plugin error';
  }
  return 'plugin error';
}

export function healthLayer(outcome: RpcOutcome, timing: Timing, rpcTimeoutMs: number): LayerOf<'health'> {
  if (!outcome.ok) {
    const { summary, evidence } = failure(outcome, 'health', rpcTimeoutMs);
    return { layer: 'health', status: 'failed', ...timing, summary, evidence: { ...evidence, pluginErrors: [] } };
  }
  const payload = HealthPayload.safeParse(outcome.payload);
  const health = payload.success ? payload.data : {};
  const evidence = {
    method: 'health',
    ok: health.ok,
    gatewayDurationMs: health.durationMs,
    eventLoopDegraded: health.eventLoop?.degraded,
    eventLoopDelayP99Ms: health.eventLoop?.delayP99Ms,
    modelRuntimeDegraded: health.modelRuntime?.degraded,
    pluginErrors: (health.plugins?.errors ?? []).map(pluginErrorText),
  };
  const problems = [
    health.ok === false ? 'health ok:false' : undefined,
    evidence.eventLoopDegraded ? `event loop degraded (p99 ${evidence.eventLoopDelayP99Ms ?? '?'} ms)` : undefined,
    evidence.modelRuntimeDegraded ? 'model runtime degraded' : undefined,
    evidence.pluginErrors.length ? `${evidence.pluginErrors.length} plugin error(s)` : undefined,
  ].filter((item): item is string => item !== undefined);
  if (health.ok === false) return { layer: 'health', status: 'failed', ...timing, summary: problems.join(' · '), evidence };
  if (problems.length) return { layer: 'health', status: 'warn', ...timing, summary: problems.join(' · '), evidence };
  return {
    layer: 'health',
    status: 'ok',
    ...timing,
    summary: `ok${evidence.eventLoopDelayP99Ms !== undefined ? ` · event loop p99 ${evidence.eventLoopDelayP99Ms} ms` : ''}`,
    evidence,
  };
}

export function statusLayer(outcome: RpcOutcome, timing: Timing, rpcTimeoutMs: number): LayerOf<'status'> {
  if (!outcome.ok) {
    const { summary, evidence } = failure(outcome, 'status', rpcTimeoutMs);
    // A missing scope is not a broken gateway: the check degrades to `health` and says so.
    const status = evidence.error?.missingScope || evidence.error?.code === 'FORBIDDEN' ? 'warn' : 'failed';
    return { layer: 'status', status, ...timing, summary, evidence };
  }
  const payload = StatusPayload.safeParse(outcome.payload);
  const runtimeVersion = payload.success ? payload.data.runtimeVersion : undefined;
  return {
    layer: 'status',
    status: 'ok',
    ...timing,
    summary: runtimeVersion ? `runtime ${runtimeVersion}` : 'ok',
    evidence: { method: 'status', runtimeVersion },
  };
}

/**
 * `channels.status {probe:true}` per account, joined with each account's DM/group policy from
 * `config.get` (`config`): a running account whose policy drops everything is as silent as a dead one.
 */
export function channelsLayer(outcome: RpcOutcome, timing: Timing, rpcTimeoutMs: number, configOutcome?: RpcOutcome): LayerOf<'channels'> {
  if (!outcome.ok) {
    const { summary, evidence } = failure(outcome, 'channels.status', rpcTimeoutMs);
    const status = evidence.error?.missingScope || evidence.error?.code === 'FORBIDDEN' ? 'warn' : 'failed';
    return { layer: 'channels', status, ...timing, summary, evidence: { ...evidence, channels: [] } };
  }
  const payload = ChannelsPayload.safeParse(outcome.payload);
  const data = payload.success ? payload.data : {};
  const { config, problem } = configOf(configOutcome, rpcTimeoutMs);
  const channels: ChannelState[] = [];
  for (const [channel, accounts] of Object.entries(data.channelAccounts ?? {})) {
    for (const account of accounts) {
      const accountId = account.accountId ?? 'default';
      const policy = config !== undefined ? resolveAccountPolicy(config, channel, accountId) : undefined;
      const dmPolicy = policy?.dmPolicy ?? account.dmPolicy;
      const allowFromCount = policy ? policy.allowFromCount : account.allowFrom?.length;
      const policyIssues = policy
        ? policyProblems(policy)
        : dmPolicy === 'allowlist' && !allowFromCount
          ? ['dmPolicy allowlist with an empty allowFrom: every DM is dropped']
          : [];
      const state = (data.statusIssues ?? [])
        .filter((issue) => issue.channel === channel && (issue.accountId ?? 'default') === accountId)
        .map((issue) => issue.message.slice(0, 300));
      if (account.enabled !== false && account.configured !== false && account.running === false && state.length === 0)
        state.push('configured but not running');
      if (account.linked === false && account.configured !== false) state.push('not linked (not paired)');
      if (account.probe?.ok === false && account.probe.error) state.push(`probe failed: ${account.probe.error.slice(0, 200)}`);
      else if (account.lastError && state.length === 0 && account.connected === false) state.push(account.lastError.slice(0, 300));
      // The policy first: it drops messages whatever the network does (an offline bot must not hide it).
      const issues = [...policyIssues, ...state];
      channels.push({
        channel,
        account: account.accountId,
        configured: account.configured,
        running: account.running,
        connected: account.connected,
        linked: account.linked,
        dmPolicy,
        allowFromCount,
        ...(policy ? { groupPolicy: policy.groupPolicy, dmPolicyAt: policy.dmPolicyAt, groupPolicyAt: policy.groupPolicyAt } : {}),
        issues,
      });
    }
  }
  const silent = channels.filter((channel) => channel.issues.length > 0);
  const summary =
    channels.length === 0
      ? 'no channels configured'
      : silent.length === 0
        ? `${channels.length} channel account(s) running`
        : silent
            .map((channel) => `${channel.channel}${channel.account && channel.account !== 'default' ? `/${channel.account}` : ''}: ${channel.issues[0]}`)
            .join(' · ');
  const policyRead = configOutcome ? { policy: config !== undefined ? { read: true } : { read: false, ...(problem ? { detail: problem } : {}) } } : {};
  return { layer: 'channels', status: silent.length ? 'warn' : 'ok', ...timing, summary, evidence: { method: 'channels.status', channels, ...policyRead } };
}
