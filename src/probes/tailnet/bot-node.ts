import type { LocalApiClient, LocalApiResult, TailscaleStatus } from '../../tailscale/local-api.js';
import type { EvidenceOf, LayerOf } from '../../report/report.js';
import { performanceClock, roundMs, type MonotonicClock } from '../clock.js';

/**
 * Layer `bot-node`: is this node's own tailscaled up and logged in? If it is not, every tailnet
 * verdict about a gateway would be a guess (symptom row `bot-node-offline`). A missing socket is
 * a failure here, not a skip: the caller only runs this layer when a tailnet is configured.
 */

type Mapped = Pick<LayerOf<'bot-node'>, 'status' | 'summary' | 'evidence'>;

const KEY_EXPIRY_WARN_HOURS = 7 * 24;
/** States in which the node has no usable login (ipn.State). */
const NOT_LOGGED_IN = new Set(['NoState', 'NeedsLogin', 'NeedsMachineAuth']);

const ERROR_SUMMARIES: Record<string, string> = {
  'socket-missing': "tailscaled's socket is missing on the bot node: tailscaled is not running here",
  'socket-refused': 'tailscaled is not listening on its socket on the bot node (stopped or crashed)',
  'permission-denied': "the bot may not open tailscaled's socket (run it as root or a tailscale operator)",
  timeout: 'tailscaled on the bot node did not answer its LocalAPI in time',
};

function hoursUntil(iso: string | undefined, nowMs: number): number | undefined {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(at) ? undefined : Math.round(((at - nowMs) / 3_600_000) * 10) / 10;
}

/** PURE: a LocalAPI status answer, mapped to the layer's verdict. */
export function mapBotNode(result: LocalApiResult<TailscaleStatus>, nowMs: number): Mapped {
  if (!result.ok) {
    return {
      status: 'failed',
      summary: ERROR_SUMMARIES[result.error] ?? `tailscaled on the bot node: ${result.message}`,
      evidence: { healthWarnings: [], error: result.error },
    };
  }
  const st = result.value;
  const keyExpiry = st.self?.keyExpiry;
  const keyExpiresInHours = hoursUntil(keyExpiry, nowMs);
  const evidence: EvidenceOf<'bot-node'> = {
    backendState: st.backendState,
    loggedIn: !NOT_LOGGED_IN.has(st.backendState),
    healthWarnings: st.health,
    keyExpiry,
    keyExpiresInHours,
    selfName: st.self?.dnsName ?? st.self?.hostName,
  };
  const name = evidence.selfName ?? 'the bot node';
  if (st.backendState !== 'Running') {
    const why = evidence.loggedIn ? 'not connected (tailscale down?)' : 'not logged in';
    return { status: 'failed', summary: `${name}: tailscaled is ${st.backendState}, ${why}`, evidence };
  }
  if (st.self?.expired || (keyExpiresInHours !== undefined && keyExpiresInHours <= 0)) {
    return { status: 'failed', summary: `${name}: node key expired at ${keyExpiry ?? 'an unknown time'}; re-authenticate`, evidence };
  }
  const warnings: string[] = [];
  if (keyExpiresInHours !== undefined && keyExpiresInHours < KEY_EXPIRY_WARN_HOURS) {
    warnings.push(`node key expires in ${Math.round(keyExpiresInHours)} h (${keyExpiry})`);
  }
  if (st.health.length > 0) warnings.push(`health: ${st.health.join('; ')}`);
  if (warnings.length > 0) return { status: 'warn', summary: `${name} is Running; ${warnings.join('; ')}`, evidence };
  return { status: 'ok', summary: `${name} is Running`, evidence };
}

export interface BotNodeProbeOptions {
  startMs: number;
  /** Wall-clock milliseconds, for the key-expiry comparison. */
  now?: () => number;
  clock?: MonotonicClock;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export async function probeBotNode(localApi: Pick<LocalApiClient, 'status'>, options: BotNodeProbeOptions): Promise<LayerOf<'bot-node'>> {
  const clock = options.clock ?? performanceClock;
  const t0 = clock();
  const result = await localApi.status({ signal: options.signal, timeoutMs: options.timeoutMs });
  const mapped = mapBotNode(result, (options.now ?? Date.now)());
  return { layer: 'bot-node', startMs: options.startMs, durationMs: roundMs(clock() - t0), ...mapped };
}
