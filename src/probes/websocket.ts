import type { CheckTarget } from '../config/targets.js';
import type { ConnectOptions, ConnectResult, DeviceIdentity, GatewaySession } from '../openclaw/types.js';
import { CLAWOPS_VERSION } from '../version.js';
import type { HandshakeEvidence, LayerOf } from '../report/report.js';
import { roundMs } from './clock.js';

export type Connect = (options: ConnectOptions) => Promise<ConnectResult>;

export interface GatewayLayers {
  upgrade: LayerOf<'upgrade'>;
  handshake: LayerOf<'handshake'>;
  session?: GatewaySession;
}

/** Scopes that let `status` and `channels.status` answer. */
export function canRead(scopes: readonly string[]): boolean {
  return scopes.includes('operator.read') || scopes.includes('operator.admin');
}

/**
 * The WebSocket upgrade and the OpenClaw handshake. With `device: auto` the device identity is
 * presented; while the Gateway still waits for its approval, the check falls back to token-only
 * (scopes cleared → `health` only) and records the pending request instead of failing.
 */
export async function probeGateway(
  target: CheckTarget,
  deps: {
    connect: Connect;
    identity?: DeviceIdentity;
    protocol?: { min: number; max: number };
    tls?: ConnectOptions['tls'];
    lookup?: ConnectOptions['lookup'];
  },
  options: { startMs: number; signal: AbortSignal },
): Promise<GatewayLayers> {
  const useDevice = target.device !== 'never' && deps.identity !== undefined;
  const base: ConnectOptions = {
    url: target.url,
    token: target.token,
    role: 'operator',
    scopes: ['operator.read'],
    client: { id: 'cli', mode: 'cli', version: CLAWOPS_VERSION },
    ...(deps.protocol ? { protocol: deps.protocol } : {}),
    ...(deps.tls ? { tls: deps.tls } : {}),
    ...(deps.lookup ? { lookup: deps.lookup } : {}),
    // A paired device's token is accepted even when the shared token is stale, which would hide
    // the classic "401 after rotation" that every other client of the gateway then hits. With a
    // shared token configured, the check proves that token (the device identity still signs).
    useDeviceToken: target.token === undefined,
    upgradeTimeoutMs: target.timeouts.upgradeMs,
    handshakeTimeoutMs: target.timeouts.handshakeMs,
    signal: options.signal,
  };
  let result = await deps.connect(useDevice ? { ...base, identity: deps.identity } : base);
  let pairing: HandshakeEvidence['pairing'] = useDevice ? { status: 'approved' } : { status: 'not-used' };
  let retryOffsetMs = 0;
  if (useDevice && target.device === 'auto' && isPairingPending(result) && target.token) {
    const requestId = result.handshake.error?.requestId;
    pairing = { status: 'pending', ...(requestId ? { requestId } : {}) };
    retryOffsetMs = result.timing.handshakeMs ?? result.timing.upgradeMs;
    result = await deps.connect(base);
  }
  const startMs = options.startMs + retryOffsetMs;
  const upgradeDuration = roundMs(result.timing.upgradeMs);
  const upgrade: LayerOf<'upgrade'> = {
    layer: 'upgrade',
    // Ok only when the WebSocket client accepted the upgrade (the socket opened): a 101 alone
    // proves nothing — a proxy or any server can send one.
    status: result.ok || result.stage !== 'upgrade' ? 'ok' : 'failed',
    startMs,
    durationMs: upgradeDuration,
    summary: upgradeSummary(result.upgrade),
    evidence: result.upgrade,
  };
  if (!result.ok && result.stage === 'upgrade') {
    return { upgrade, handshake: notReached('handshake', startMs + upgradeDuration) };
  }
  const handshakeEvidence = { ...result.handshake, pairing: result.ok || pairing.status === 'pending' ? pairing : result.handshake.pairing };
  const handshake: LayerOf<'handshake'> = {
    layer: 'handshake',
    status: result.ok ? 'ok' : 'failed',
    startMs: startMs + upgradeDuration,
    durationMs: roundMs((result.timing.handshakeMs ?? result.timing.upgradeMs) - result.timing.upgradeMs),
    summary: handshakeSummary(handshakeEvidence, target.timeouts.handshakeMs),
    evidence: handshakeEvidence,
  };
  return result.ok ? { upgrade, handshake, session: result.session } : { upgrade, handshake };
}

function isPairingPending(result: ConnectResult): result is Extract<ConnectResult, { stage: 'handshake' }> {
  if (result.ok || result.stage !== 'handshake') return false;
  const error = result.handshake.error;
  return error?.code === 'NOT_PAIRED' && error.detailsCode !== 'DEVICE_IDENTITY_REQUIRED';
}

export function notReached<L extends 'handshake' | 'health' | 'status' | 'channels'>(layer: L, startMs: number): LayerOf<L> {
  return { layer, status: 'not-reached', startMs, durationMs: 0, summary: 'not reached' } as LayerOf<L>;
}

function upgradeSummary(upgrade: LayerOf<'upgrade'>['evidence'] & object): string {
  if (upgrade.notWebSocket) return `101 without a valid WebSocket accept: a proxy or a non-OpenClaw server (${upgrade.notWebSocket})`;
  if (upgrade.httpStatus === 101 && !upgrade.error) return '101 Switching Protocols';
  if (upgrade.httpStatus !== undefined) {
    const type = upgrade.contentType?.split(';')[0];
    return `no upgrade: HTTP ${upgrade.httpStatus}${type ? ` ${type}` : ''}${upgrade.bodyStart ? ` "${upgrade.bodyStart.slice(0, 40)}"` : ''}`;
  }
  return `${upgrade.error ?? 'failed'}${upgrade.errno ? ` (${upgrade.errno})` : ''}`;
}

function handshakeSummary(evidence: HandshakeEvidence, timeoutMs: number): string {
  const close = evidence.close ? `close ${evidence.close.code}${evidence.close.reason ? ` "${evidence.close.reason}"` : ' (empty reason)'}` : undefined;
  const error = evidence.error
    ? `${evidence.error.code}${evidence.error.detailsCode ? `/${evidence.error.detailsCode}` : ''} "${evidence.error.message.slice(0, 120)}"`
    : undefined;
  switch (evidence.failure) {
    case undefined: {
      const pairing = evidence.pairing?.status === 'pending' ? ' · device pairing pending' : '';
      return `hello-ok protocol ${evidence.protocol ?? '?'} · ${evidence.serverVersion ?? 'unknown version'} · scopes [${evidence.scopes.join(', ')}]${pairing}`;
    }
    case 'no-challenge':
      return `no connect.challenge within ${timeoutMs} ms${close ? ` · ${close}` : ''}`;
    case 'rejected':
      return [error, close].filter(Boolean).join(' · ');
    case 'closed':
      return `${close ?? 'closed'} before hello-ok${evidence.closedAfterMs !== undefined ? ` after ${Math.round(evidence.closedAfterMs)} ms` : ''}${evidence.shutdown ? ` · shutdown event${evidence.shutdown.reason ? ` "${evidence.shutdown.reason}"` : ''}` : ''}`;
    case 'timeout':
      return `no hello-ok within ${timeoutMs} ms`;
    case 'protocol-violation':
      return `protocol violation: ${evidence.protocolViolation ?? 'unexpected frame'}${close ? ` · ${close}` : ''}`;
    case 'aborted':
      return 'aborted (check budget spent)';
  }
}
