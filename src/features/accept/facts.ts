import type { AclAuditAnswer } from './acl-port.js';
import type { ProbeReport } from '../../report/report.js';
import type { FingerprintRecord } from './fingerprint-lookup.js';

/**
 * Everything the acceptance checklist is decided from, gathered once (gather.ts) and then read by
 * the pure evaluation (checklist.ts). A source that could not be asked is a value saying why and
 * what to configure, never a missing field that could read as "fine".
 */
export interface AcceptFacts {
  gateway: string;
  /** The URL as configured (never carries a token). */
  url: string;
  /** The port the URL reaches (443 for Serve). */
  urlPort: number;
  /** The Gateway's own port on its host (18789 behind Serve). */
  gatewayPort: number;
  /** When the checklist was run (ms since the epoch). */
  checkedAt: number;
  /** The check run for the checklist: the ladder from this node, with the host agent's evidence when it answered. */
  report: ProbeReport;
  /** The diagnosis of that report (id of the primary verdict), to name why health failed. */
  verdict: { state: 'healthy' | 'degraded' | 'unhealthy'; primary?: string; headline: string };
  /** The host agent: not configured, configured but not askable from this process (and why), or asked (see report.host). */
  agent: { configured: false } | { configured: true; bind: 'loopback' | 'tailnet'; notAsked?: string };
  /** `gateways.<name>.publicAddress`, when configured. */
  publicAddress?: string;
  /** The tailnet ACL audit: not configured (and what to set), or its result. */
  acl: { configured: false; hint: string } | { configured: true; result: AclAuditAnswer; opsSources?: readonly string[] };
  /** The success fingerprint store: not available here (and why), or its answer. */
  fingerprint: { available: false; hint: string } | { available: true; latest?: FingerprintRecord; error?: string };
}
