import { UnknownGatewayError } from '../errors.js';
import { suggest } from '../suggest.js';
import type { Config, DeviceMode } from './schema.js';
import { DEFAULT_TIMEOUTS, type Timeouts } from './fields.js';

/**
 * A gateway resolved for one check: config merged with defaults, the token read from the
 * environment variable the config names. Lives in memory only; reports and job data carry the
 * name and `tokenEnv`, never `token`.
 */
export interface CheckTarget {
  name: string;
  url: string;
  tokenEnv: string;
  token: string | undefined;
  expectedVersion?: string;
  lastKnownGoodVersion?: string;
  timeouts: Timeouts;
  publicAddress?: string;
  /** The Gateway's own port on its host (18789 behind Serve's 443); see `gatewayPortOf`. Absent: the URL's. */
  gatewayPort?: number;
  tailnetHost?: string;
  device: DeviceMode;
  slowHandshakeMs: number;
  /**
   * Other gateways (not aliases of this one) whose configured token is the very token this one
   * sends: a token meant for another Gateway on the same host (names and env names only).
   */
  sameTokenAs?: Array<{ gateway: string; tokenEnv: string }>;
  /** Names for the same Gateway (`aliasOf` either way): sharing a token with them is expected. */
  aliases?: string[];
}

export type Env = Record<string, string | undefined>;

export const OPENCLAW_DEFAULT_PORT = 18789;

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}

export function gatewayNames(config: Config): string[] {
  return Object.keys(config.gateways).sort();
}

export function resolveTarget(config: Config, name: string, env: Env): CheckTarget {
  const gateway = config.gateways[name];
  if (!gateway) {
    const known = gatewayNames(config);
    throw new UnknownGatewayError(name, known, suggest(name, known));
  }
  const tokenEnv = gateway.tokenEnv ?? config.defaults.tokenEnv;
  return {
    name,
    url: gateway.url,
    tokenEnv,
    token: nonEmpty(env[tokenEnv]),
    expectedVersion: gateway.expectedVersion,
    timeouts: { ...DEFAULT_TIMEOUTS, ...config.defaults.timeouts, ...gateway.timeouts },
    publicAddress: gateway.publicAddress,
    gatewayPort: gatewayPortOf(gateway),
    tailnetHost: gateway.tailnetHost,
    device: gateway.device,
    slowHandshakeMs: config.defaults.slowHandshakeMs,
    ...tokenSiblings(config, name, tokenEnv, nonEmpty(env[tokenEnv]), env),
  };
}

/**
 * The config's names grouped once (the config is never changed after it is parsed): each gateway's
 * aliases, and the token variables in use. A worker resolves every gateway's target at boot, and
 * `check all` every one it checks: with a scan of the fleet for each, 2,000 gateways cost 2,000 × 2,000
 * comparisons (and more with aliases) before the first check.
 */
interface FleetIndex {
  /** The names whose canonical name (`aliasOf`, else their own) is the key, in config order. */
  namesOf: Map<string, string[]>;
  /** The token variables the gateways use, each with its gateways in config order. */
  gatewaysByTokenEnv: Map<string, string[]>;
}

const fleetIndexes = new WeakMap<Config, FleetIndex>();

function fleetIndex(config: Config): FleetIndex {
  const known = fleetIndexes.get(config);
  if (known) return known;
  const namesOf = new Map<string, string[]>();
  const gatewaysByTokenEnv = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, name: string) => {
    const names = map.get(key);
    if (names) names.push(name);
    else map.set(key, [name]);
  };
  for (const [name, gateway] of Object.entries(config.gateways)) {
    add(namesOf, gateway.aliasOf ?? name, name);
    add(gatewaysByTokenEnv, gateway.tokenEnv ?? config.defaults.tokenEnv, name);
  }
  const index = { namesOf, gatewaysByTokenEnv };
  fleetIndexes.set(config, index);
  return index;
}

/** Which other gateways are configured with this very token, and which names are aliases of this one. */
function tokenSiblings(config: Config, name: string, tokenEnv: string, token: string | undefined, env: Env): Pick<CheckTarget, 'sameTokenAs' | 'aliases'> {
  const index = fleetIndex(config);
  const canonical = config.gateways[name]?.aliasOf ?? name;
  // The schema refuses chains (an alias of an alias): the canonical name is in its own group.
  const aliases = (index.namesOf.get(canonical) ?? []).filter((other) => other !== name);
  if (token === undefined) return aliases.length ? { aliases } : {};
  // One variable for both is one token by design, not a mix-up; aliases share theirs on purpose.
  // Only the variables holding this very token are looked at, one lookup per variable.
  const matching = new Set([...index.gatewaysByTokenEnv.keys()].filter((otherEnv) => otherEnv !== tokenEnv && nonEmpty(env[otherEnv]) === token));
  const sameTokenAs: Array<{ gateway: string; tokenEnv: string }> = [];
  if (matching.size > 0) {
    for (const [other, gateway] of Object.entries(config.gateways)) {
      const otherEnv = gateway.tokenEnv ?? config.defaults.tokenEnv;
      if (other === name || aliases.includes(other) || !matching.has(otherEnv)) continue;
      sameTokenAs.push({ gateway: other, tokenEnv: otherEnv });
    }
  }
  return { ...(sameTokenAs.length ? { sameTokenAs } : {}), ...(aliases.length ? { aliases } : {}) };
}

/**
 * OpenClaw's own defaults, for `clawops check` with no config: the local Gateway on
 * `OPENCLAW_GATEWAY_PORT` (else 18789) with `OPENCLAW_GATEWAY_TOKEN`, as the OpenClaw CLI does.
 */
export function defaultTarget(env: Env): CheckTarget {
  const port = Number.parseInt(env.OPENCLAW_GATEWAY_PORT ?? '', 10);
  const url = nonEmpty(env.OPENCLAW_GATEWAY_URL) ?? `ws://127.0.0.1:${Number.isInteger(port) && port > 0 && port < 65536 ? port : OPENCLAW_DEFAULT_PORT}`;
  return urlTarget(url, 'OPENCLAW_GATEWAY_TOKEN', env, 'local');
}

/**
 * The Gateway's port on its host: `gatewayPort`, else the agent's `port`, else the URL's port for a
 * ws:// URL with one (a tailnet bind or loopback reaches the listener itself), else 18789 (wss:// is
 * Tailscale Serve or a proxy on 443 in front of OpenClaw's default port).
 */
export function gatewayPortOf(gateway: { url: string; gatewayPort?: number; agent?: { port?: number } }): number {
  if (gateway.gatewayPort !== undefined) return gateway.gatewayPort;
  if (gateway.agent?.port !== undefined) return gateway.agent.port;
  try {
    const parsed = new URL(gateway.url);
    if (parsed.protocol === 'ws:' && parsed.port) return Number(parsed.port);
  } catch {
    // the schema validated the URL; fall through to the default
  }
  return OPENCLAW_DEFAULT_PORT;
}

/** An ad-hoc target (`clawops check --url ws://host:port [--token-env NAME]`). */
export function urlTarget(url: string, tokenEnv: string, env: Env, name = 'adhoc'): CheckTarget {
  return {
    name,
    url,
    tokenEnv,
    gatewayPort: gatewayPortOf({ url }),
    token: nonEmpty(env[tokenEnv]),
    timeouts: { ...DEFAULT_TIMEOUTS },
    device: 'auto',
    slowHandshakeMs: 2_000,
  };
}
