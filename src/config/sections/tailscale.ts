import { isIP } from 'node:net';
import * as z from 'zod';
import { DEFAULT_TAILSCALED_SOCKET } from '../fields.js';
import { secretEnvName } from '../secret-env-name.js';

/**
 * The `tailscale:` section of clawops.yaml: how to reach tailscaled on this node (the tailnet
 * ladder layers and the DNS split check), the admin API (the ACL audit), and what the audit calls
 * too broad. Secrets never live here: the admin API credential is read from environment
 * variables the section NAMES; a literal key or client secret is refused, as gateway tokens are.
 *
 * Kept out of schema.ts so that the section is one concept in one file; schema.ts inserts it.
 * It does not import schema.ts (schema.ts imports this file: a cycle would leave the names unset).
 */

export { DEFAULT_TAILSCALED_SOCKET };
export const DEFAULT_ADMIN_API_URL = 'https://api.tailscale.com/api/v2/';
export const DEFAULT_MAGIC_DNS_RESOLVER = '100.100.100.100';

const millis = (fallback: number) => z.number().int().positive().max(600_000).default(fallback);

/** Refused keys are declared (as `unknown`) so that the error says what to do instead of "unknown key". */
const refused = z.unknown().optional();

/** `host`, `host:port`, `[v6]:port`: what `Resolver.setServers` accepts. */
const ResolverAddress = z.string().superRefine((value, ctx) => {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const hostPort = /^([^:]+):(\d{1,5})$/.exec(value);
  const host = bracketed?.[1] ?? hostPort?.[1] ?? value;
  const port = bracketed?.[2] ?? hostPort?.[2];
  if (isIP(host) === 0 || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) {
    ctx.addIssue({ code: 'custom', message: `expected a resolver address like 10.0.0.53, 127.0.0.1:5353 or [fd00::53]:53, got ${JSON.stringify(value)}` });
  }
});

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

/** https anywhere; plain http only on loopback (a test double), since the bearer rides in the clear. */
const AdminApiUrl = z.string().superRefine((value, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    ctx.addIssue({ code: 'custom', message: `expected an https:// URL like ${DEFAULT_ADMIN_API_URL}, got ${JSON.stringify(value)}` });
  } else if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    ctx.addIssue({ code: 'custom', message: 'the admin API credential would travel in the clear: use https:// (plain http:// is accepted on loopback only)' });
  } else if (url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      message: 'the admin API URL must not carry credentials; name them with apiKeyEnv or oauthClientIdEnv + oauthClientSecretEnv',
    });
  }
});

export const TailscaleDnsSchema = z
  .object({
    /** The "system" side of the split check; absent: this machine's configured resolvers. */
    systemResolvers: z.array(ResolverAddress).min(1).optional(),
    /** tailscaled's MagicDNS resolver. */
    magicDnsResolver: ResolverAddress.default(DEFAULT_MAGIC_DNS_RESOLVER),
    /** The system side's search domains for short names (`gw1`); absent: this machine's /etc/resolv.conf. */
    searchDomains: z
      .array(
        z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/, {
          error: (issue) => `expected a DNS domain like corp.example, got ${JSON.stringify(issue.input)}`,
        }),
      )
      .max(16)
      .optional(),
    timeoutMs: millis(2_000),
  })
  .strict();

const LITERAL_SECRET = 'a literal credential is not allowed in the config file; put it in an environment variable and name it';

export const AdminApiSchema = z
  .object({
    baseUrl: AdminApiUrl.default(DEFAULT_ADMIN_API_URL),
    /** `-` is the credential's default tailnet. */
    tailnet: z.string().min(1).default('-'),
    apiKeyEnv: z.optional(secretEnvName('TS_API_KEY', 'the key')),
    oauthClientIdEnv: z.optional(secretEnvName('TS_OAUTH_CLIENT_ID', 'the client id')),
    oauthClientSecretEnv: z.optional(secretEnvName('TS_OAUTH_CLIENT_SECRET', 'the client secret')),
    /** OAuth scopes to ask for (`policy_file:read`, `devices:core:read`); absent: the client's own. */
    oauthScopes: z.array(z.string().min(1)).optional(),
    timeoutMs: millis(10_000),
    apiKey: refused,
    token: refused,
    oauthClientId: refused,
    oauthClientSecret: refused,
  })
  .strict()
  .superRefine((api, ctx) => {
    const literal: Array<[keyof typeof api, string]> = [
      ['apiKey', 'apiKeyEnv: TS_API_KEY'],
      ['token', 'apiKeyEnv: TS_API_KEY'],
      ['oauthClientId', 'oauthClientIdEnv: TS_OAUTH_CLIENT_ID'],
      ['oauthClientSecret', 'oauthClientSecretEnv: TS_OAUTH_CLIENT_SECRET'],
    ];
    for (const [key, instead] of literal) {
      if (api[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${LITERAL_SECRET} with ${instead}` });
    }
    const oauth = api.oauthClientIdEnv !== undefined || api.oauthClientSecretEnv !== undefined;
    if (api.apiKeyEnv !== undefined && oauth) {
      ctx.addIssue({ code: 'custom', message: 'give either apiKeyEnv or oauthClientIdEnv + oauthClientSecretEnv, not both' });
    } else if (oauth) {
      if (api.oauthClientIdEnv === undefined)
        ctx.addIssue({ code: 'custom', path: ['oauthClientIdEnv'], message: 'an OAuth client needs both oauthClientIdEnv and oauthClientSecretEnv' });
      if (api.oauthClientSecretEnv === undefined)
        ctx.addIssue({ code: 'custom', path: ['oauthClientSecretEnv'], message: 'an OAuth client needs both oauthClientIdEnv and oauthClientSecretEnv' });
    } else if (api.apiKeyEnv === undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'name the environment variable(s) holding the admin API credential: apiKeyEnv (an API access token), or oauthClientIdEnv + oauthClientSecretEnv (an OAuth client)',
      });
    }
  });
export type AdminApiSettings = z.infer<typeof AdminApiSchema>;

/** How the policy file names a gateway: a tag, a `hosts` alias, or a tailnet IP. */
export const AclTargetSchema = z
  .string()
  .regex(/^(tag:[A-Za-z0-9_-]+|[A-Za-z0-9][A-Za-z0-9_.:-]*)$/, { error: 'expected a policy target like tag:gateway, a hosts alias or a tailnet IP' });

export const AclAuditSettingsSchema = z
  .object({
    /** A group with more members than this reaching a gateway port is `acl-too-broad`. */
    maxGroupSize: z.number().int().min(1).max(10_000).default(5),
    /** Sources expected to reach gateways (`tag:ops`, `group:ops`); any other source is flagged. Absent: not checked. */
    opsGroups: z.array(z.string().min(1)).min(1).optional(),
    /** The target of gateways without their own `aclTarget`. */
    defaultTarget: AclTargetSchema.default('tag:gateway'),
    /** The source of the suggested deny tests. */
    denyTestSource: z.string().min(1).default('autogroup:member'),
    /** Run the policy's own `tests` through `acl/validate` as part of the audit. */
    validate: z.boolean().default(true),
  })
  .strict();
export type AclAuditSettings = z.infer<typeof AclAuditSettingsSchema>;

export const TailscaleConfigSchema = z
  .object({
    /** false: no tailnet layers, even where tailscaled runs. */
    enabled: z.boolean().default(true),
    socketPath: z.string().min(1).default(DEFAULT_TAILSCALED_SOCKET),
    /** LocalAPI `status` (the bot-node and peer layers). */
    statusTimeoutMs: millis(2_000),
    /** disco and TSMP pings (the path layer); tailscaled blocks until a reply, so this is ours. */
    pingTimeoutMs: millis(3_000),
    /** A relayed (DERP) path slower than this is `relayed-path`. */
    relayThresholdMs: z.number().int().min(1).max(10_000).default(120),
    dns: TailscaleDnsSchema.prefault({}),
    adminApi: AdminApiSchema.optional(),
    acl: AclAuditSettingsSchema.prefault({}),
  })
  .strict();
export type TailscaleSettings = z.infer<typeof TailscaleConfigSchema>;

/** The section's defaults, for a node with tailscaled and no `tailscale:` in its config. */
export const DEFAULT_TAILSCALE_SETTINGS: TailscaleSettings = TailscaleConfigSchema.parse({});

/**
 * Which tailscaled to use, if any. With a `tailscale:` section, its socket (a missing socket is
 * then a finding: `bot-node-offline`); without one, tailscaled's default socket when it exists on
 * this node (so `clawops check` on a tailnet node gets the tailnet layers with no config), else none.
 */
export function tailnetSettingsFor(section: TailscaleSettings | undefined, socketExists: (path: string) => boolean): TailscaleSettings | undefined {
  if (section) return section.enabled ? section : undefined;
  return socketExists(DEFAULT_TAILSCALED_SOCKET) ? DEFAULT_TAILSCALE_SETTINGS : undefined;
}
