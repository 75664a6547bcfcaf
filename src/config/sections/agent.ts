import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import * as z from 'zod';

/**
 * `gateways.<name>.agent:` in clawops.yaml — the host agent on that gateway's host
 * (`clawops agent --gateway <name>`). Per gateway because an agent is per host: it proves loopback,
 * the listen matrix and the systemd unit of THAT gateway. Absent: no agent, checks see from outside
 * only. Everything the agent does is decided here, by whoever deploys it, never by a job.
 *
 * Kept out of schema.ts (one concept per file); it does not import schema.ts, which imports it.
 */

/** systemd unit names; the first character is never `-`, so a name cannot read as an option. */
const UNIT_NAME = /^[A-Za-z0-9@._][A-Za-z0-9@._-]{0,255}$/;

export const AgentConfigSchema = z
  .object({
    /** `false` keeps the section but stops asking the agent (during maintenance of the agent itself). */
    enabled: z.boolean().default(true),
    /** The Gateway's systemd unit. */
    unit: z
      .string()
      .regex(UNIT_NAME, { error: (issue) => `expected a systemd unit name like openclaw-gateway.service, got ${JSON.stringify(issue.input)}` })
      .default('openclaw-gateway'),
    /** The Gateway's `gateway.bind`: `loopback` (with Tailscale Serve) or `tailnet`. Anything else is what the agent reports. */
    bind: z.enum(['loopback', 'tailnet']).default('loopback'),
    /** The port the Gateway listens on, on its host (the gateway's `gatewayPort`). Default: the URL's port for a ws:// URL with one, else 18789. */
    port: z.number().int().min(1).max(65_535).optional(),
    /**
     * The Gateway's openclaw.json, read for `gateway.bind`, `port`, `trustedProxies`, `tailscale.mode`
     * and `auth.mode` (the token only as a fingerprint). Default: the unit's `OPENCLAW_CONFIG_PATH`;
     * without either, the Gateway's own `config.get` on loopback stands in while it runs.
     */
    openclawConfig: z
      .string()
      .refine((path) => isAbsolute(path), { error: (issue) => `expected an absolute path, got ${JSON.stringify(issue.input)}` })
      .optional(),
    /** tailscaled's LocalAPI socket on this host, for its Serve config (`tailscale serve status`). */
    tailscaledSocket: z
      .string()
      .refine((path) => isAbsolute(path), { error: (issue) => `expected an absolute path, got ${JSON.stringify(issue.input)}` })
      .default('/var/run/tailscale/tailscaled.sock'),
    /** This host's own tailnet addresses, for `bind: tailnet` (empty: any address in the tailnet ranges). */
    tailnetAddresses: z
      .array(z.string().refine((address) => isIP(address) !== 0, { error: (issue) => `expected an IP address, got ${JSON.stringify(issue.input)}` }))
      .max(16)
      .default([]),
    /**
     * How long a check waits for the agent's answer, at most the gateway's `budgetMs` (the default):
     * a silent agent must not make a check slower than the check itself.
     */
    deadlineMs: z.number().int().min(500).max(600_000).optional(),
    /**
     * Read the host's packet filter (`nft -j list ruleset`, else `iptables-save`) for the Gateway's
     * ports on tailscale0, to name the rule that drops them. Needs CAP_NET_ADMIN (see the README).
     */
    firewall: z.boolean().default(true),
    /** Also run `openclaw doctor --lint --json` (2–17 s and 0.2–0.6 GB per call: off by default). */
    doctor: z.boolean().default(false),
    /** Extra global node_modules roots to look for the installed openclaw in (a service user's npm prefix). */
    openclawRoots: z
      .array(z.string().refine((path) => isAbsolute(path), { error: (issue) => `expected an absolute path, got ${JSON.stringify(issue.input)}` }))
      .max(8)
      .default([]),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfigSchema>;
