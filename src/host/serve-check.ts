import type { z } from 'zod';
import type { HostServeEvidence } from '../report/report.js';
import type { LocalApiResult, ServeConfig, ServeEntry } from '../tailscale/local-api.js';

/**
 * tailscaled's Serve config on the gateway host, read against the Gateway's port: which routes
 * forward to it, which forward elsewhere (the "Serve points at 18790, the Gateway listens on 18789"
 * case), and whether Funnel exposes one of them to the internet. PURE; the LocalAPI call is the
 * caller's.
 */
export type ServeEvidence = z.infer<typeof HostServeEvidence>;

const MAX_ROUTES = 20;

/** `http://127.0.0.1:18789`, `https+insecure://localhost:8443/`, `localhost:3000`, `3000` → host and port. */
export function parseServeTarget(target: string): { host?: string; port?: number } {
  if (/^unix:/i.test(target)) return {}; // a unix socket backend: no port to compare
  const bare = /^\d{1,5}$/.test(target)
    ? `http://127.0.0.1:${target}`
    : /^[a-z][a-z0-9+.-]*:\/\//i.test(target)
      ? target.replace(/^https\+insecure:/i, 'https:')
      : `http://${target}`;
  try {
    const url = new URL(bare);
    if (url.protocol !== 'http:' && url.protocol !== 'https:' && url.protocol !== 'tcp:') return {};
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : undefined;
    return { host: url.hostname.replace(/^\[|\]$/g, ''), ...(port !== undefined ? { port } : {}) };
  } catch {
    return {};
  }
}

function route(entry: ServeEntry, gatewayPort: number): ServeEvidence['routes'][number] {
  const parsed = entry.target ? parseServeTarget(entry.target) : {};
  return {
    hostPort: entry.hostPort,
    ...(entry.mount ? { mount: entry.mount } : {}),
    target: (entry.target ?? entry.kind).slice(0, 200),
    ...(parsed.host ? { targetHost: parsed.host } : {}),
    ...(parsed.port !== undefined ? { targetPort: parsed.port } : {}),
    toGateway: parsed.port === gatewayPort,
    funnel: entry.funnel,
  };
}

export function serveEvidence(result: LocalApiResult<ServeConfig>, gatewayPort: number): ServeEvidence {
  if (!result.ok) return { available: false, reason: result.error, gatewayPort, routes: [] };
  return { available: true, gatewayPort, routes: result.value.entries.slice(0, MAX_ROUTES).map((entry) => route(entry, gatewayPort)) };
}
