import type { LocalApiClient, LocalApiResult, PingReply } from '../../tailscale/local-api.js';
import type { EvidenceOf, LayerOf } from '../../report/report.js';
import { performanceClock, roundMs, type MonotonicClock } from '../clock.js';

/**
 * Layer `path`: disco and TSMP pings to the gateway's node, at the same time. disco proves a path
 * (direct when the reply names an Endpoint, otherwise relayed through a DERP region); TSMP proves
 * the WireGuard session and is answered before the peer's ACL filter, so TSMP ok + a TCP timeout
 * later points at the ACL or the host firewall (row `tailnet-port-blocked`). A relayed path above
 * the threshold is `warn` (row `relayed-path`).
 */

type PingEvidence = NonNullable<EvidenceOf<'path'>['disco']>;
type Mapped = Pick<LayerOf<'path'>, 'status' | 'summary' | 'evidence'>;

export function toPingEvidence(result: LocalApiResult<PingReply>): PingEvidence {
  if (!result.ok) return { ok: false, error: result.error };
  const reply = result.value;
  const latencyMs = reply.latencyMs === undefined ? undefined : roundMs(reply.latencyMs);
  return {
    ok: reply.err === undefined,
    latencyMs: reply.err === undefined ? latencyMs : undefined,
    endpoint: reply.endpoint,
    derpRegion: reply.derpRegionCode,
    error: reply.err,
  };
}

function describe(ping: PingEvidence): string {
  return ping.ok ? `${ping.latencyMs ?? '?'} ms` : (ping.error ?? 'failed');
}

/** PURE: the two ping answers, mapped to the layer's verdict. */
export function mapPath(ip: string, disco: PingEvidence, tsmp: PingEvidence, relayThresholdMs: number): Mapped {
  const direct = disco.ok ? Boolean(disco.endpoint) : undefined;
  const evidence: EvidenceOf<'path'> = { ip, disco, tsmp, direct, relayThresholdMs };
  if (!disco.ok && !tsmp.ok) {
    return { status: 'failed', summary: `no tailnet path to ${ip}: disco ${describe(disco)}, TSMP ${describe(tsmp)}`, evidence };
  }
  if (!disco.ok) {
    return { status: 'warn', summary: `${ip}: disco ping ${describe(disco)}, but TSMP answered in ${describe(tsmp)}`, evidence };
  }
  const route = direct ? `direct via ${disco.endpoint}` : `relayed via DERP ${disco.derpRegion ?? '(unknown region)'}`;
  const tsmpNote = tsmp.ok ? '' : `; TSMP ${describe(tsmp)} (no WireGuard session answer)`;
  const slow = !direct && (disco.latencyMs ?? 0) > relayThresholdMs;
  const summary = `${ip} ${route}, ${describe(disco)}${slow ? ` (above ${relayThresholdMs} ms)` : ''}${tsmpNote}`;
  return { status: slow || !tsmp.ok ? 'warn' : 'ok', summary, evidence };
}

export interface PathProbeOptions {
  relayThresholdMs: number;
  timeoutMs: number;
  startMs: number;
  clock?: MonotonicClock;
  signal?: AbortSignal;
}

export async function probePath(localApi: Pick<LocalApiClient, 'ping'>, ip: string, options: PathProbeOptions): Promise<LayerOf<'path'>> {
  const clock = options.clock ?? performanceClock;
  const t0 = clock();
  const call = { timeoutMs: options.timeoutMs, signal: options.signal };
  const [disco, tsmp] = await Promise.all([localApi.ping(ip, 'disco', call), localApi.ping(ip, 'TSMP', call)]);
  const mapped = mapPath(ip, toPingEvidence(disco), toPingEvidence(tsmp), options.relayThresholdMs);
  return { layer: 'path', startMs: options.startMs, durationMs: roundMs(clock() - t0), ...mapped };
}
