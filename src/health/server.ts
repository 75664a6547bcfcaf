import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Readiness } from './readiness.js';

/** More paths served beside the health endpoints (`/metrics`, `/probe`: src/features/metrics/). */
export type HealthRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/**
 * `/healthz` (alive: the event loop answers) and `/readyz` (200 when every part of the process is
 * ready, 503 otherwise, with the parts as JSON) on CLAWOPS_METRICS_ADDR — loopback by default,
 * port 9464, where `/metrics` joins them. A port already taken (bot and worker on one host) is a
 * warning, not a reason to stop checking gateways.
 */
export interface HealthServer {
  /** The bound address (port 0 resolved), or undefined when it could not listen. */
  address?: { host: string; port: number };
  close(): Promise<void>;
}

export async function startHealthServer(deps: {
  host: string;
  port: number;
  readiness: Readiness;
  logger: Logger;
  routes?: Record<string, HealthRoute>;
}): Promise<HealthServer> {
  // Loopback unless set explicitly (the default is 127.0.0.1): anything wider is allowed, and said.
  if (!isLoopback(deps.host))
    deps.logger.warn(
      { addr: `${deps.host}:${deps.port}` },
      'CLAWOPS_METRICS_ADDR is not a loopback address: /metrics and /probe are reachable from the network (scrape over the tailnet, or firewall it)',
    );
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route = path === undefined ? undefined : deps.routes?.[path];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const snapshot = deps.readiness.snapshot();
      res.writeHead(snapshot.ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' }).end(`${JSON.stringify(snapshot)}\n`);
      return;
    }
    if (route) {
      const url = new URL(req.url ?? '/', 'http://clawops.invalid');
      route(req, res, url).catch((error: unknown) => {
        deps.logger.error({ err: error, path }, 'health endpoint: a route failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end();
      });
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      .end(`not found: ${['/healthz', '/readyz', ...Object.keys(deps.routes ?? {})].join(', ')}\n`);
  });
  server.keepAliveTimeout = 1_000;
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', (error) => {
      deps.logger.warn(
        { err: error, addr: `${deps.host}:${deps.port}` },
        'the health endpoint could not listen (set CLAWOPS_METRICS_ADDR to another host:port, or off)',
      );
      resolve(false);
    });
    server.listen(deps.port, deps.host, () => resolve(true));
  });
  if (!listening) return { close: async () => undefined };
  const bound = server.address() as AddressInfo;
  // The message stays as it was (drills and log searches match it); the extra paths are a field.
  deps.logger.info({ addr: `${bound.address}:${bound.port}`, also: Object.keys(deps.routes ?? {}) }, 'health endpoint: /healthz, /readyz');
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}
