import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Readiness } from './readiness.js';

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

export async function startHealthServer(deps: { host: string; port: number; readiness: Readiness; logger: Logger }): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
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
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  });
  server.keepAliveTimeout = 1_000;
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', (error) => {
      deps.logger.warn({ err: error, addr: `${deps.host}:${deps.port}` }, 'the health endpoint could not listen (set CLAWOPS_METRICS_ADDR to another host:port, or off)');
      resolve(false);
    });
    server.listen(deps.port, deps.host, () => resolve(true));
  });
  if (!listening) return { close: async () => undefined };
  const bound = server.address() as AddressInfo;
  deps.logger.info({ addr: `${bound.address}:${bound.port}` }, 'health endpoint: /healthz, /readyz');
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
