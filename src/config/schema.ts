import { z } from 'zod';

/**
 * clawops.yaml, as zod. Every object is strict so that a typo (`tokn:`) is an error that names
 * its path, not a silently ignored key. Secrets never live here: a gateway names the environment
 * variable that holds its token (`tokenEnv`), and a literal `token:` is refused.
 */

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const GATEWAY_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const EnvNameSchema = z
  .string()
  .regex(ENV_NAME, { error: (issue) => `expected an environment variable name like CLAWOPS_PROD_TOKEN, got ${JSON.stringify(issue.input)}` });

const millis = z.number().int().positive().max(600_000);
const ms = (fallback: number) => millis.default(fallback);

export const TimeoutsSchema = z
  .object({
    dnsMs: ms(2_000),
    tcpMs: ms(3_000),
    httpMs: ms(3_000),
    /** TCP + TLS + HTTP upgrade until 101. */
    upgradeMs: ms(4_000),
    /** From 101 until hello-ok. */
    handshakeMs: ms(5_000),
    rpcMs: ms(5_000),
    /** `channels.status {probe:true}` asks every channel: it gets its own, longer deadline. */
    channelsMs: ms(8_000),
    tailnetMs: ms(3_000),
    /** The whole check. */
    budgetMs: ms(15_000),
  })
  .strict();
export type Timeouts = z.infer<typeof TimeoutsSchema>;
export const DEFAULT_TIMEOUTS: Timeouts = TimeoutsSchema.parse({});

/**
 * Overrides (per gateway, or in `defaults`): no defaults of their own, so that a gateway setting
 * one timeout keeps the others from `defaults.timeouts`.
 */
const PartialTimeoutsSchema = z
  .object(Object.fromEntries(Object.keys(TimeoutsSchema.shape).map((key) => [key, millis.optional()])) as { [K in keyof Timeouts]: z.ZodOptional<typeof millis> })
  .strict();

export const GatewayUrlSchema = z.string().superRefine((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:')) {
    ctx.addIssue({ code: 'custom', message: `expected a ws:// or wss:// URL, got ${JSON.stringify(value)}` });
    return;
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: 'custom', message: 'a gateway URL must not carry credentials; name the token with tokenEnv' });
  }
  if (url.searchParams.has('token')) {
    ctx.addIssue({ code: 'custom', message: 'a gateway URL must not carry a token; name the token with tokenEnv' });
  }
});

/** How the client presents a device identity (needed for operator.read on a remote Gateway). */
export const DeviceModeSchema = z.enum(['auto', 'always', 'never']);
export type DeviceMode = z.infer<typeof DeviceModeSchema>;

export const GatewayConfigSchema = z
  .object({
    url: GatewayUrlSchema,
    tokenEnv: EnvNameSchema.optional(),
    /** Refused: tokens live in the environment. Declared so the error is precise, not "unknown key". */
    token: z.unknown().optional(),
    expectedVersion: z.string().min(1).optional(),
    timeouts: PartialTimeoutsSchema.optional(),
    /** The gateway host's public address: the gateway port must NOT answer there. */
    publicAddress: z.string().min(1).optional(),
    /** The gateway's node in the tailnet (MagicDNS name, host name or 100.x address); default: the URL host. */
    tailnetHost: z.string().min(1).optional(),
    /** `auto`: present the device identity, fall back to token-only while pairing is pending. */
    device: DeviceModeSchema.default('auto'),
    description: z.string().max(200).optional(),
  })
  .strict()
  .superRefine((gateway, ctx) => {
    if (gateway.token !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'a literal token is not allowed in the config file; put it in an environment variable and name it with tokenEnv (e.g. tokenEnv: CLAWOPS_PROD_TOKEN)',
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
  })
  .strict();
export type QueueSettings = z.infer<typeof QueueSettingsSchema>;

export const ConfigSchema = z
  .object({
    access: AccessSchema.default({ allowDirectMessages: true, rules: [] }),
    queue: QueueSettingsSchema.default({ coalesceWindowMs: 10_000, concurrency: 8, gatewayConcurrency: 16, shutdownGraceMs: 20_000 }),
    defaults: z
      .object({
        tokenEnv: EnvNameSchema.default('OPENCLAW_GATEWAY_TOKEN'),
        timeouts: PartialTimeoutsSchema.optional(),
        /** Above this (ms), the handshake counts as slow (`gateway-degraded`). */
        slowHandshakeMs: z.number().int().positive().default(2_000),
      })
      .strict()
      .default({ tokenEnv: 'OPENCLAW_GATEWAY_TOKEN', slowHandshakeMs: 2_000 }),
    /** Where the Ed25519 device identity lives (created 0600 on first use). */
    identity: z.object({ path: z.string().min(1).optional() }).strict().default({}),
    gateways: z
      .record(z.string(), GatewayConfigSchema)
      .superRefine((gateways, ctx) => {
        for (const name of Object.keys(gateways)) {
          if (!GATEWAY_NAME.test(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: `gateway names are lower-case letters, digits, - and _ (max 63), got ${JSON.stringify(name)}`,
            });
          }
        }
        if (Object.keys(gateways).length === 0) ctx.addIssue({ code: 'custom', message: 'expected at least one gateway' });
      }),
  })
  .strict();
export type Config = z.infer<typeof ConfigSchema>;
