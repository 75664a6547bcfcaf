import type { ExposureEvidence } from '../report/report.js';
import { performanceClock, roundMs, type MonotonicClock } from './clock.js';
import { probeTcp } from './tcp.js';
import { httpGet } from './http-get.js';

/**
 * Exposure check (symptom row `public-exposure`): the gateway port must NOT answer on the
 * gateway's public address. `open` alone is the finding; the /healthz GET only tells whether what
 * answers is OpenClaw (its health JSON `{"ok":…,"status":…}`; every other path answers HTML).
 */

export type Exposure = ExposureEvidence;

export interface ExposureProbeOptions {
  address: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
  clock?: MonotonicClock;
}

function looksLikeOpenClawHealth(json: Record<string, unknown> | undefined): boolean {
  return json !== undefined && typeof json.ok === 'boolean' && typeof json.status === 'string';
}

export async function probeExposure(options: ExposureProbeOptions): Promise<Exposure> {
  const clock = options.clock ?? performanceClock;
  const t0 = clock();
  const { address, port } = options;
  const tcp = await probeTcp(address, port, { timeoutMs: options.timeoutMs, startMs: 0, clock, signal: options.signal });
  const error = tcp.evidence?.error;
  if (tcp.status !== 'ok') {
    const kind = error === 'refused' ? 'refused' : error === 'timeout' ? 'timeout' : 'error';
    return { address, port, tcp: kind, durationMs: roundMs(clock() - t0) };
  }
  const remaining = Math.max(1, options.timeoutMs - (clock() - t0));
  const host = address.includes(':') ? `[${address}]` : address;
  const health = await httpGet(new URL(`http://${host}:${port}`), '/healthz', { timeoutMs: remaining, signal: options.signal });
  return {
    address,
    port,
    tcp: 'open',
    ...(health.status !== undefined ? { httpStatus: health.status, openclaw: looksLikeOpenClawHealth(health.json) } : {}),
    durationMs: roundMs(clock() - t0),
  };
}
