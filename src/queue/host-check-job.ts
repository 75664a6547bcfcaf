import * as z from 'zod';
import {
  GatewayConfigEvidence,
  HostDoctorEvidence,
  HostFirewallEvidence,
  HostListenersEvidence,
  HostLoopbackEvidence,
  HostServeEvidence,
  HostUnitEvidence,
  HostVersionEvidence,
} from '../report/report.js';

/**
 * The host agent's queue: one per gateway host, named after the gateway, so an agent consumes only
 * its own host's jobs. The job says "run the host checks" and nothing else: no command, path, unit
 * or argument — the agent takes all of those from its own config. `.strict()` makes any extra field
 * (a `command`, a `unit`) a rejection instead of something silently ignored.
 */
export const HOST_CHECK_JOB = 'host-checks';

/** BullMQ queue names may not contain ':'; gateway names are `[a-z0-9][a-z0-9_-]*`. */
export function hostCheckQueueName(gateway: string): string {
  return `host-checks-${gateway}`;
}

const GatewayName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/);

export const HostCheckJobSchema = z
  .object({
    requestId: z.string().uuid(),
    /** Must be the agent's own gateway: a job routed to the wrong queue is refused, not run. */
    gateway: GatewayName,
    /** When the check was asked for (ms since the epoch): an agent that comes back late skips old jobs. */
    requestedAt: z.number().int().positive(),
  })
  .strict();
export type HostCheckJob = z.infer<typeof HostCheckJobSchema>;

/**
 * The agent's answer (the job's return value); the worker parses it again before it trusts it.
 * Not strict, unlike the job: an agent one release ahead may add a field, and an older worker
 * should drop it, not call the agent broken.
 */
export const HostCheckResultSchema = z.object({
  gateway: GatewayName,
  hostname: z.string().max(255),
  agentVersion: z.string().max(64),
  durationMs: z.number().nonnegative(),
  listeners: HostListenersEvidence,
  loopback: HostLoopbackEvidence,
  unit: HostUnitEvidence,
  version: HostVersionEvidence,
  doctor: HostDoctorEvidence.optional(),
  serve: HostServeEvidence.optional(),
  gatewayConfig: GatewayConfigEvidence.optional(),
  firewall: HostFirewallEvidence.optional(),
});
export type HostCheckResult = z.infer<typeof HostCheckResultSchema>;
