import type { DnsEvidence, ExposureEvidence, LayerOf } from '../report/report.js';

/**
 * What the ladder needs from the tailnet side (tailscaled's LocalAPI on this node). Absent when no
 * tailscaled is configured: the tailnet layers are then `skipped`, and verdicts say that no
 * tailnet evidence was available.
 */
export interface TailnetLayers {
  botNode(options: { startMs: number; signal: AbortSignal }): Promise<LayerOf<'bot-node'>>;
  peer(query: string, addresses: string[], options: { startMs: number; signal: AbortSignal }): Promise<LayerOf<'peer'>>;
  path(ip: string, options: { startMs: number; signal: AbortSignal }): Promise<LayerOf<'path'>>;
  /** Split-DNS check for MagicDNS names (`*.ts.net`, and short names through the search domains). */
  dnsSplit?(host: string, options: { signal: AbortSignal }): Promise<DnsEvidence['split']>;
  /** Whether MagicDNS is on in the tailnet (asked only after a MagicDNS name failed to resolve). */
  magicDnsState?(options: { signal: AbortSignal }): Promise<DnsEvidence['magicDns']>;
}

export type ExposureProbe = (options: { address: string; port: number; timeoutMs: number; signal: AbortSignal }) => Promise<ExposureEvidence>;
