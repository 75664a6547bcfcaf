import type { z } from 'zod';
import type { Checker } from '../check/checker.js';
import type { CheckTarget } from '../config/targets.js';
import { runningVersion } from '../diagnosis/rules.js';
import { firstFailedLayer, layerOf } from '../report/layer-order.js';
import type { HostLoopbackEvidence, ProbeReport } from '../report/report.js';

/**
 * "Prove loopback on the server": the foundation's own ladder, run on the gateway host against the
 * Gateway's loopback listener. There a device identity is auto-approved, so `status` and
 * `channels.status {probe:true}` answer even where the view from outside is token-only. Never
 * throws: a Gateway that is down is the answer, not an error.
 */
export type LoopbackEvidence = z.infer<typeof HostLoopbackEvidence>;

export async function checkLoopback(
  checker: Checker,
  target: CheckTarget,
  signal?: AbortSignal,
): Promise<{ loopback: LoopbackEvidence; gatewayConfig?: ProbeReport['gatewayConfig'] }> {
  try {
    const report = await checker.probe(target, signal ? { signal } : {});
    // The Gateway's config.get on loopback (operator.read via the auto-approved device), for when its file is not readable.
    return { loopback: loopbackEvidence(report), ...(report.gatewayConfig ? { gatewayConfig: report.gatewayConfig } : {}) };
  } catch (error) {
    return {
      loopback: {
        url: target.url,
        ok: false,
        summary: `the loopback check failed inside clawops (${error instanceof Error ? error.message.slice(0, 200) : 'error'})`,
        layers: [],
      },
    };
  }
}

/** Pure: the loopback report, reduced to what the joint diagnosis reads (its layers kept whole). */
export function loopbackEvidence(report: ProbeReport): LoopbackEvidence {
  const failed = firstFailedLayer(report);
  const serverVersion = runningVersion(report);
  const channels = layerOf(report, 'channels');
  const summary = failed
    ? `${failed.layer}: ${failed.summary}`
    : [
        `hello-ok${serverVersion ? ` ${serverVersion}` : ''}`,
        `health ${layerOf(report, 'health')?.summary ?? 'not asked'}`,
        channels && channels.status !== 'ok' ? `channels: ${channels.summary}` : undefined,
      ]
        .filter((part): part is string => part !== undefined)
        .join(' · ');
  return {
    url: report.gateway.url,
    ok: failed === undefined,
    ...(failed ? { failedLayer: failed.layer } : {}),
    ...(serverVersion ? { serverVersion } : {}),
    summary,
    layers: report.layers,
  };
}

/**
 * Where to knock: 127.0.0.1 when the Gateway listens there, else [::1]; with `bind: tailnet` and no
 * loopback listener, the tailnet address it is allowed to be bound to. `allowed` comes from the
 * listen matrix. Nothing listening: 127.0.0.1, whose refusal is then the evidence.
 */
export function loopbackUrl(port: number, allowed: readonly string[], bind: 'loopback' | 'tailnet'): string {
  const tailnet = bind === 'tailnet' ? allowed.find((address) => address !== '127.0.0.1' && address !== '::1') : undefined;
  const host = allowed.includes('127.0.0.1') ? '127.0.0.1' : allowed.includes('::1') ? '[::1]' : tailnet ? bracket(tailnet) : '127.0.0.1';
  return `ws://${host}:${port}`;
}

function bracket(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
