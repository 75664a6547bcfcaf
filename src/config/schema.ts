import * as z from 'zod';
import { AclTargetSchema, TailscaleConfigSchema } from './sections/tailscale.js';
import { CheckIntervalSecondsSchema, MonitoringSchema } from './sections/monitoring.js';
import { AgentConfigSchema } from './sections/agent.js';
import { OffboardingConfigSchema } from './sections/offboarding.js';
import { TriggersConfigSchema } from './sections/triggers.js';
import { MetricsConfigSchema } from './sections/metrics.js';
import { RedisConfigSchema } from './sections/redis.js';
import { EnvNameSchema, GatewayUrlSchema, TimeoutMsSchema, TimeoutsSchema, type Timeouts } from './fields.js';
import { endpointIssues } from './gateway-endpoints.js';
import { looksLikeCredential } from './secret-env-name.js';

// The pieces a check needs without a config file live in fields.ts (see there); re-exported here.
export { DEFAULT_TIMEOUTS, EnvNameSchema, GatewayUrlSchema, TimeoutsSchema, type Timeouts } from './fields.js';

/**
 * clawops.yaml, as zod. Every object is strict so that a typo (`tokn:`) is an error that names
 * its path, not a silently ignored key. Secrets never live here: a gateway names the environment
 * variable that holds its token (`tokenEnv`), and a literal `token:` is refused.
 */

const GATEWAY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Overrides (per gateway, or in `defaults`): no defaults of their own, so that a gateway setting
 * one timeout keeps the others from `defaults.timeouts`.
 */
const PartialTimeoutsSchema = z
  .object(
    Object.fromEntries(Object.keys(TimeoutsSchema.shape).map((key) => [key, z.optional(TimeoutMsSchema)])) as {
      [K in keyof Timeouts]: z.ZodOptional<typeof TimeoutMsSchema>;
    },
  )
  .strict();

/** How the client presents a device identity (needed for operator.read on a remote Gateway). */
export const DeviceModeSchema = z.enum(['auto', 'always', 'never']);
export type DeviceMode = z.infer<typeof DeviceModeSchema>;

export const GatewayConfigSchema = z
  .object({
    url: GatewayUrlSchema,
    tokenEnv: z.optional(EnvNameSchema),
    /** Refused: tokens live in the environment. Declared so the error is precise, not "unknown key". */
    token: z.unknown().optional(),
    expectedVersion: z.string().min(1).optional(),
    timeouts: PartialTimeoutsSchema.optional(),
    /** The gateway host's public address: the gateway port must NOT answer there. */
    publicAddress: z.string().min(1).optional(),
    /**
     * The port the Gateway itself listens on, on its host (behind Serve the URL says 443): probed
     * on `publicAddress` beside the URL's port, and the host agent's `agent.port`. Default: the
     * URL's port for a ws:// URL with one, else 18789.
     */
    gatewayPort: z.number().int().min(1).max(65_535).optional(),
    /** The gateway's node in the tailnet (MagicDNS name, host name or 100.x address); default: the URL host. */
    tailnetHost: z.string().min(1).optional(),
    /** How the tailnet policy names this gateway for the ACL audit (default `tailscale.acl.defaultTarget`). */
    aclTarget: AclTargetSchema.optional(),
    /** `auto`: present the device identity, fall back to token-only while pairing is pending. */
    device: DeviceModeSchema.default('auto'),
    description: z.string().max(200).optional(),
    /** Seconds between scheduled checks of this gateway (default `monitoring.checkIntervalSeconds`). */
    checkIntervalSeconds: CheckIntervalSecondsSchema,
    /** The host agent on this gateway's host (src/config/sections/agent.ts); absent: checks from outside only. */
    agent: AgentConfigSchema.optional(),
    /**
     * This entry is another name for the Gateway `aliasOf` names (same URL, or the same host and
     * port): allowed to share its address and token. Without it, two gateways at one address are refused.
     */
    aliasOf: z.string().regex(GATEWAY_NAME, { error: 'expected the name of another gateway in this file' }).optional(),
  })
  .strict()
  .superRefine((gateway, ctx) => {
    if (gateway.gatewayPort !== undefined && gateway.agent?.port !== undefined && gateway.agent.port !== gateway.gatewayPort) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'port'],
        message: `agent.port ${gateway.agent.port} differs from gatewayPort ${gateway.gatewayPort}: both are the Gateway's port on its host; set one`,
      });
    }
    if (gateway.token !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message:
          'a literal token is not allowed in the config file; put it in an environment variable and name it with tokenEnv (e.g. tokenEnv: CLAWOPS_PROD_TOKEN)',
      });
    }
  });
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

/** Who may run what, where. With no rules, checks are open in every channel the bot is in. */
export const AccessRuleSchema = z
  .object({
    /** Gateway names this rule governs, or `*` for all. */
    gateways: z.union([z.literal('*'), z.array(z.string().min(1)).min(1)]),
    /** Channel ids (`C…`) or names (`#incidents`); absent: any channel. */
    channels: z.array(z.string().min(1)).optional(),
    /** Slack user ids (`U…`). */
    users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'expected a Slack user id like U012ABCDEF' })).optional(),
    /** Slack user group ids (`S…`) or handles (`@oncall`). */
    userGroups: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type AccessRule = z.infer<typeof AccessRuleSchema>;

export const AccessSchema = z
  .object({
    allowDirectMessages: z.boolean().default(true),
    rules: z.array(AccessRuleSchema).default([]),
  })
  .strict();
export type Access = z.infer<typeof AccessSchema>;

export const QueueSettingsSchema = z
  .object({
    /** Checks of one gateway requested within this window share one probe. */
    coalesceWindowMs: z.number().int().min(0).max(300_000).default(10_000),
    /** Check jobs one worker runs at once. */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** Gateways one check job probes at once (`/gateway check all`). */
    gatewayConcurrency: z.number().int().min(1).max(256).default(16),
    /** How long shutdown waits for in-flight checks before it stops them. */
    shutdownGraceMs: z.number().int().min(0).max(120_000).default(20_000),
    /** How long a check's answer keeps trying to reach Slack through an outage (default 15 min). */
    postRetryWindowMs: z.number().int().min(5_000).max(3_600_000).default(900_000),
  })
  .strict();
export type QueueSettings = z.infer<typeof QueueSettingsSchema>;

export const ConfigSchema = z
  .object({
    access: AccessSchema.default({ allowDirectMessages: true, rules: [] }),
    queue: QueueSettingsSchema.default({
      coalesceWindowMs: 10_000,
      concurrency: 8,
      gatewayConcurrency: 16,
      shutdownGraceMs: 20_000,
      postRetryWindowMs: 900_000,
    }),
    defaults: z
      .object({
        tokenEnv: z._default(EnvNameSchema, 'OPENCLAW_GATEWAY_TOKEN'),
        timeouts: PartialTimeoutsSchema.optional(),
        /** Above this (ms), the handshake counts as slow (`gateway-degraded`). */
        slowHandshakeMs: z.number().int().positive().default(2_000),
      })
      .strict()
      .default({ tokenEnv: 'OPENCLAW_GATEWAY_TOKEN', slowHandshakeMs: 2_000 }),
    /** Where the Ed25519 device identity lives (created 0600 on first use). */
    identity: z
      .object({ path: z.string().min(1).optional() })
      .strict()
      .default({}),
    /** tailscaled, the admin API and the ACL audit (src/config/sections/tailscale.ts). */
    tailscale: TailscaleConfigSchema.optional(),
    /** Scheduled checks, alerts, history and digests (src/config/sections/monitoring.ts). */
    monitoring: MonitoringSchema.prefault({}),
    /** Departures: revoke tailnet access and gateway tokens (src/config/sections/offboarding.ts). */
    offboarding: OffboardingConfigSchema.optional(),
    /** Incident triggers in opted-in channels (src/config/sections/triggers.ts). */
    triggers: TriggersConfigSchema.optional(),
    /** Where Redis is: one server or Sentinel (src/config/sections/redis.ts); the REDIS_* environment overrides it. */
    redis: RedisConfigSchema.optional(),
    /** `/metrics` and the blackbox-style `/probe` (src/config/sections/metrics.ts). */
    metrics: MetricsConfigSchema.prefault({}),
    gateways: z.record(z.string(), GatewayConfigSchema).superRefine((gateways, ctx) => {
      for (const name of Object.keys(gateways)) {
        if (!GATEWAY_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: `gateway names are lower-case letters, digits, - and _ (max 63), got ${looksLikeCredential(name) ? 'what looks like a credential (not printed)' : JSON.stringify(name)}`,
          });
        }
      }
      if (Object.keys(gateways).length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one gateway' });
      for (const issue of endpointIssues(gateways)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    }),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;
