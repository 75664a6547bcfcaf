import { isConfigObject } from './config-object.js';

/**
 * The few `gateway.*` settings that explain failures behind a proxy, read from a Gateway config
 * object (openclaw.json on the host, or `config.get` — which the Gateway already redacts). PURE.
 * The token never leaves: the caller passes a fingerprint function and gets only its output.
 */

export interface GatewayConfigFacts {
  /** `gateway.bind` as written (`loopback`, `lan`, `tailnet`, `custom`, `auto`); absent: the default, loopback. */
  bind?: string;
  customBindHost?: string;
  port?: number;
  /** `gateway.trustedProxies` (bounded); absent: none trusted. */
  trustedProxies?: string[];
  /** `gateway.tailscale.mode` (`off`, `serve`, `funnel`). */
  tailscaleMode?: string;
  /** `gateway.auth.mode` (`token`, `password`, `trusted-proxy`, `none`). */
  authMode?: string;
  /** Where `gateway.auth.token` stands: a literal (`config`), a SecretRef, redacted by the Gateway, or unset. */
  tokenSource: 'config' | 'secret-ref' | 'redacted' | 'none';
  tokenFingerprint?: string;
}

/** What `config.get` puts where a secret was. */
export const OPENCLAW_REDACTED = '__OPENCLAW_REDACTED__';
const MAX_PROXIES = 16;

const word = (value: unknown): string | undefined => (typeof value === 'string' && /^[A-Za-z0-9_.:/\-[\]]{1,64}$/.test(value) ? value : undefined);

export function gatewayConfigFacts(config: unknown, fingerprint?: (token: string) => string): GatewayConfigFacts {
  const gateway = isConfigObject(config) && isConfigObject(config.gateway) ? config.gateway : {};
  const auth = isConfigObject(gateway.auth) ? gateway.auth : {};
  const tailscale = isConfigObject(gateway.tailscale) ? gateway.tailscale : {};
  const token = auth.token;
  const tokenSource: GatewayConfigFacts['tokenSource'] =
    token === undefined || token === null || token === ''
      ? 'none'
      : token === OPENCLAW_REDACTED
        ? 'redacted'
        : typeof token === 'string'
          ? 'config'
          : 'secret-ref';
  const proxies = Array.isArray(gateway.trustedProxies)
    ? gateway.trustedProxies
        .map(word)
        .filter((entry): entry is string => entry !== undefined)
        .slice(0, MAX_PROXIES)
    : undefined;
  const port = typeof gateway.port === 'number' && Number.isInteger(gateway.port) && gateway.port > 0 && gateway.port < 65_536 ? gateway.port : undefined;
  return {
    ...(word(gateway.bind) ? { bind: word(gateway.bind) } : {}),
    ...(word(gateway.customBindHost) ? { customBindHost: word(gateway.customBindHost) } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(proxies ? { trustedProxies: proxies } : {}),
    ...(word(tailscale.mode) ? { tailscaleMode: word(tailscale.mode) } : {}),
    ...(word(auth.mode) ? { authMode: word(auth.mode) } : {}),
    tokenSource,
    ...(tokenSource === 'config' && fingerprint ? { tokenFingerprint: fingerprint(token as string) } : {}),
  };
}
