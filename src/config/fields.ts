import * as z from '../zod-mini.js';
import { secretEnvName } from './secret-env-name.js';

/**
 * The parts of the config schema that `clawops check` needs even without a config file (`--url`
 * validation, default timeouts). They live apart from schema.ts so that such a check does not
 * build the whole config schema (every section's zod objects) at start-up; schema.ts re-exports them.
 * zod's mini API (src/zod-mini.ts says why); the config schema composes them with the classic one.
 */

/**
 * tailscaled's own LocalAPI socket on Linux: the `tailscale:` section's default, and what decides
 * whether a check without that section gets the tailnet layers (sections/tailscale.ts). Here, so
 * that `clawops check` can look for it without loading the section's schemas.
 */
export const DEFAULT_TAILSCALED_SOCKET = '/var/run/tailscale/tailscaled.sock';

/** The variable holding a gateway's token (`tokenEnv`, `--token-env`): never repeated in an error. */
export const EnvNameSchema = secretEnvName('CLAWOPS_PROD_TOKEN', 'the token');

/** One timeout, in milliseconds. */
export const TimeoutMsSchema = z.number().check(z.int(), z.positive(), z.maximum(600_000));
const ms = (fallback: number) => z._default(TimeoutMsSchema, fallback);

export const TimeoutsSchema = z.strictObject({
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
});
export type Timeouts = z.infer<typeof TimeoutsSchema>;
export const DEFAULT_TIMEOUTS: Timeouts = TimeoutsSchema.parse({});

export const GatewayUrlSchema = z.string().check(
  z.superRefine((value, ctx) => {
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
  }),
);
