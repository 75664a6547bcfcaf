import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as connectNet, createServer as createNetServer, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { makeTestCertificates } from './test-ca.js';

/**
 * A front that behaves like Tailscale Serve (`tailscale serve --bg --https=443 http://127.0.0.1:18789`)
 * for tests: TLS on a loopback (or veth) port with a throwaway CA, reverse-proxying HTTP and
 * WebSocket upgrades to a backend. What it copies from tailscale/tailscale (ipn/ipnlocal/serve.go,
 * `reverseProxy.ServeHTTP`, `addProxyForwardedHeaders`, `addTailscaleIdentityHeaders`,
 * `serveWebHandler`, `getServeHandler`, `getTLSServeCertForPort`; net/http/httputil.ReverseProxy):
 * - routes are per MagicDNS name (SNI) and mount point, longest mount first, the mount prefix
 *   stripped before proxying (`http.StripPrefix`), the backend's own path kept (`SetURL`);
 * - no route for the TLS server name (or no SNI at all): `GetCertificate` fails and Go answers
 *   the ClientHello with a fatal `internal_error` alert — written here byte for byte;
 * - a name with routes but none for the path: Go's `http.NotFound` (404 `404 page not found`);
 * - plain HTTP to the TLS port: Go's `400 Client sent an HTTP request to an HTTPS server.`;
 * - the `Host` header is the client's (`r.Out.Host = r.In.Host`); incoming `X-Forwarded-*` are
 *   dropped (ReverseProxy with `Rewrite`) and set again: `X-Forwarded-Host` = the client's Host,
 *   `X-Forwarded-Proto: https`, `X-Forwarded-For` = the tailnet source address (overwritten, never
 *   appended); incoming `Tailscale-User-*` / `Tailscale-Funnel-Request` / `Tailscale-Headers-Info`
 *   are deleted and, for a user-owned (untagged) node, set to its identity;
 * - hop-by-hop headers are removed, except `Connection: Upgrade` + `Upgrade` on an upgrade;
 * - backend unreachable: the default ErrorHandler, **502 with an empty body**, on every path and on
 *   the upgrade; Go's Transport has no response-header timeout, so a hung backend hangs the client.
 * Not modelled: Funnel's public listener, h2c/gRPC, file and text handlers, app-capability headers.
 */

export interface ServeIdentity {
  login: string;
  name: string;
  profilePic?: string;
}

/** MagicDNS name → mount point (`/`, `/app/`) → backend (`http://127.0.0.1:18789`). */
export type ServeRoutes = Record<string, Record<string, string>>;

export interface ServeFrontOptions {
  routes: ServeRoutes;
  /** Where the front listens (default 127.0.0.1, port 0). */
  listen?: { host?: string; port?: number };
  /**
   * `X-Forwarded-For` for a client whose own address is not a tailnet address (tests connect
   * from loopback; Serve only ever sees tailnet sources). Default 100.100.1.1.
   */
  tailnetClient?: string;
  /** The client node's user; `null`: a tagged node (Serve sends no identity headers). */
  identity?: ServeIdentity | null;
  /** Extra subjectAltNames for the certificate (an IP the front is reached on). */
  extraNames?: string[];
}

export interface ForwardedRequest {
  method: string;
  /** The path the backend received. */
  path: string;
  upgrade: boolean;
  headers: Record<string, string>;
}

export interface ServeFront {
  host: string;
  port: number;
  /** The CA that signed the front's certificate (PEM). */
  ca: string;
  /** `wss://<name>:<port>`: the first route's name unless given. */
  url(name?: string): string;
  /**
   * Resolves any name to the listen address (the ladder's `lookup`): MagicDNS points a node's name
   * at the node whether or not Serve has a route for it.
   */
  lookup(host: string): Promise<string[]>;
  setRoutes(routes: ServeRoutes): void;
  /** What the backend was sent, newest last (headers lower-cased). */
  readonly forwarded: readonly ForwardedRequest[];
  close(): Promise<void>;
}

export const DEFAULT_SERVE_IDENTITY: ServeIdentity = { login: 'ops1@example.com', name: 'Ops One' };
const DEFAULT_TAILNET_CLIENT = '100.100.1.1';
const HOP_BY_HOP = [
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];
const IDENTITY_HEADERS = ['tailscale-user-login', 'tailscale-user-name', 'tailscale-user-profile-pic', 'tailscale-funnel-request', 'tailscale-headers-info'];
/** TLS record: alert, TLS 1.0 record version (Go's before a version is negotiated), fatal internal_error (80). */
const TLS_ALERT_INTERNAL_ERROR = Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x50]);
const PLAIN_HTTP_ANSWER = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';
const MAX_CLIENT_HELLO_BYTES = 16 * 1024;

export function inTailnetRange(address: string): boolean {
  const v4 = address.replace(/^::ffff:/, '');
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 100 && b >= 64 && b <= 127;
  }
  return /^fd7a:115c:a1e0:/i.test(address);
}

/** The server name of a TLS ClientHello (`undefined`: none sent, or not parseable yet). */
export function clientHelloServerName(record: Buffer): { complete: boolean; name?: string } {
  if (record.length < 5) return { complete: false };
  const recordLength = record.readUInt16BE(3);
  if (record.length < 5 + recordLength) return { complete: false };
  let at = 5;
  if (record[at] !== 0x01) return { complete: true }; // not a ClientHello
  at += 4; // handshake type + length
  at += 2 + 32; // client version + random
  const sessionIdLength = record[at] ?? 0;
  at += 1 + sessionIdLength;
  const cipherSuitesLength = record.readUInt16BE(at);
  at += 2 + cipherSuitesLength;
  const compressionLength = record[at] ?? 0;
  at += 1 + compressionLength;
  if (at + 2 > 5 + recordLength) return { complete: true };
  const extensionsEnd = at + 2 + record.readUInt16BE(at);
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = record.readUInt16BE(at);
    const length = record.readUInt16BE(at + 2);
    if (type === 0x0000) {
      // server_name: list length (2), then entries of type (1) + length (2) + name.
      let entry = at + 6;
      const listEnd = at + 4 + length;
      while (entry + 3 <= listEnd) {
        const nameType = record[entry];
        const nameLength = record.readUInt16BE(entry + 1);
        if (nameType === 0)
          return {
            complete: true,
            name: record
              .subarray(entry + 3, entry + 3 + nameLength)
              .toString('ascii')
              .toLowerCase(),
          };
        entry += 3 + nameLength;
      }
    }
    at += 4 + length;
  }
  return { complete: true };
}

function mountFor(mounts: Record<string, string>, path: string): string | undefined {
  // Go walks up from the request path: an exact mount, then `dir/` or `dir` for each parent.
  if (mounts[path] !== undefined) return path;
  let dir = path.replace(/\/+$/, '') || '/';
  for (;;) {
    if (mounts[`${dir}/`] !== undefined) return `${dir}/`;
    if (mounts[dir] !== undefined) return dir;
    if (dir === '/' || dir === '') return mounts['/'] !== undefined ? '/' : undefined;
    dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
  }
}

function backendPath(backend: URL, mount: string, requestPath: string): string {
  const stripped = mount === '/' || requestPath === '/' ? requestPath : requestPath.slice(mount.replace(/\/$/, '').length) || '/';
  const base = backend.pathname.replace(/\/$/, '');
  return `${base}${stripped.startsWith('/') ? stripped : `/${stripped}`}`;
}

function outgoingHeaders(incoming: IncomingHttpHeaders, clientAddress: string, identity: ServeIdentity | null, upgrade: boolean): Record<string, string> {
  const named = String(incoming.connection ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(incoming)) {
    const name = key.toLowerCase();
    if (value === undefined || HOP_BY_HOP.includes(name) || named.includes(name)) continue;
    if (name.startsWith('x-forwarded-') || IDENTITY_HEADERS.includes(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (upgrade) {
    out.connection = 'Upgrade';
    out.upgrade = String(incoming.upgrade ?? 'websocket');
  }
  out['x-forwarded-host'] = String(incoming.host ?? '');
  out['x-forwarded-proto'] = 'https';
  out['x-forwarded-for'] = clientAddress;
  if (identity) {
    out['tailscale-user-login'] = identity.login;
    out['tailscale-user-name'] = identity.name;
    out['tailscale-user-profile-pic'] = identity.profilePic ?? '';
    out['tailscale-headers-info'] = 'https://tailscale.com/s/serve-headers';
  }
  return out;
}

function notFound(res: ServerResponse): void {
  const body = '404 page not found\n';
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function badGateway(res: ServerResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(502, { 'Content-Length': '0' });
  res.end();
}

export async function startServeFront(options: ServeFrontOptions): Promise<ServeFront> {
  const listenHost = options.listen?.host ?? '127.0.0.1';
  let routes: ServeRoutes = lowerCaseRoutes(options.routes);
  const names = Object.keys(routes);
  if (names.length === 0) throw new Error('startServeFront needs at least one route');
  const certificates = await makeTestCertificates([...names, '127.0.0.1', ...(listenHost !== '127.0.0.1' ? [listenHost] : []), ...(options.extraNames ?? [])]);
  const identity = options.identity === undefined ? DEFAULT_SERVE_IDENTITY : options.identity;
  const forwarded: ForwardedRequest[] = [];
  const sockets = new Set<Socket | Duplex>();
  const track = <S extends Socket | Duplex>(socket: S): S => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    return socket;
  };

  // TLS is terminated by an inner HTTPS server that the sniffing listener relays to (Node's TLS
  // reads the socket's handle directly, so bytes already read cannot be handed back to it). The
  // relay's local port tells the inner server which client a connection belongs to.
  const clientByRelayPort = new Map<number, string>();
  const clientAddressOf = (socket: Socket): string => {
    const remote = clientByRelayPort.get(socket.remotePort ?? -1) ?? '';
    return inTailnetRange(remote) ? remote.replace(/^::ffff:/, '') : (options.tailnetClient ?? DEFAULT_TAILNET_CLIENT);
  };

  /** The route for a request, or why there is none. */
  const resolve = (req: IncomingMessage): { backend: URL; path: string } | undefined => {
    const name = ((req.socket as TLSSocket).servername || '').toLowerCase();
    const mounts = routes[name];
    if (!mounts) return undefined;
    const path = new URL(req.url ?? '/', 'https://front').pathname;
    const mount = mountFor(mounts, path);
    if (mount === undefined) return undefined;
    const backend = new URL(mounts[mount]!);
    const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
    return { backend, path: `${backendPath(backend, mount, path)}${query}` };
  };

  const tls = createHttpsServer({ key: certificates.key, cert: certificates.cert }, (req, res) => {
    const route = resolve(req);
    if (!route) return notFound(res);
    const headers = outgoingHeaders(req.headers, clientAddressOf(req.socket), identity, false);
    forwarded.push({ method: req.method ?? 'GET', path: route.path, upgrade: false, headers });
    const upstream = httpRequest(
      { host: route.backend.hostname.replace(/^\[|\]$/g, ''), port: route.backend.port || 80, method: req.method, path: route.path, headers, agent: false },
      (response) => {
        const back: Record<string, string | string[]> = {};
        for (const [key, value] of Object.entries(response.headers)) if (value !== undefined && !HOP_BY_HOP.includes(key)) back[key] = value;
        res.writeHead(response.statusCode ?? 502, back);
        response.pipe(res);
        response.once('error', () => res.destroy());
      },
    );
    upstream.once('error', () => badGateway(res));
    req.pipe(upstream);
  });
  tls.on('tlsClientError', () => undefined);
  tls.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    track(socket);
    const route = resolve(req);
    if (!route) {
      socket.end(
        'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 19\r\n\r\n404 page not found\n',
      );
      return;
    }
    const headers = outgoingHeaders(req.headers, clientAddressOf(req.socket), identity, true);
    forwarded.push({ method: req.method ?? 'GET', path: route.path, upgrade: true, headers });
    const upstream = track(connectNet(Number(route.backend.port || 80), route.backend.hostname.replace(/^\[|\]$/g, '')));
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      const lines = [`${req.method ?? 'GET'} ${route.path} HTTP/1.1`, ...Object.entries(headers).map(([key, value]) => `${key}: ${value}`)];
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      // From here the bytes are the backend's: its 101 and frames, or its refusal (403, 400…).
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.once('error', () => {
      if (!connected) socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
    upstream.once('close', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
  });

  tls.on('connection', (socket: Socket) => track(socket));
  await new Promise<void>((resolvePromise, reject) => {
    tls.once('error', reject);
    tls.listen(0, '127.0.0.1', () => {
      tls.off('error', reject);
      resolvePromise();
    });
  });
  const innerAddress = tls.address();
  const innerPort = innerAddress !== null && typeof innerAddress !== 'string' ? innerAddress.port : 0;

  const front = createNetServer((socket) => {
    track(socket);
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered[0] !== 0x16) {
        socket.removeListener('data', onData);
        socket.end(PLAIN_HTTP_ANSWER);
        return;
      }
      const hello = clientHelloServerName(buffered);
      if (!hello.complete && buffered.length < MAX_CLIENT_HELLO_BYTES) return;
      socket.removeListener('data', onData);
      if (!hello.name || !routes[hello.name]) {
        // What Go sends when GetCertificate fails: "no SNI ServerName" / "no webserver configured for name/port".
        socket.end(TLS_ALERT_INTERNAL_ERROR);
        return;
      }
      socket.pause();
      const relay = track(
        connectNet(innerPort, '127.0.0.1', () => {
          clientByRelayPort.set(relay.localPort ?? -1, socket.remoteAddress ?? '');
          relay.write(buffered);
          socket.pipe(relay).pipe(socket);
          socket.resume();
        }),
      );
      relay.once('close', () => {
        clientByRelayPort.delete(relay.localPort ?? -1);
        socket.destroy();
      });
      socket.once('close', () => relay.destroy());
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolvePromise, reject) => {
    front.once('error', reject);
    front.listen(options.listen?.port ?? 0, listenHost, () => {
      front.off('error', reject);
      resolvePromise();
    });
  });
  const address = front.address();
  if (address === null || typeof address === 'string') throw new Error('serve front: no TCP address');
  const port = address.port;

  let closing: Promise<void> | undefined;
  return {
    host: listenHost,
    port,
    ca: certificates.ca,
    url: (name = Object.keys(routes)[0]!) => `wss://${name}:${port}`,
    lookup: async () => [listenHost],
    setRoutes(next) {
      routes = lowerCaseRoutes(next);
    },
    forwarded,
    close() {
      closing ??= new Promise<void>((resolvePromise) => {
        for (const socket of sockets) socket.destroy();
        tls.close();
        front.close(() => resolvePromise());
      });
      return closing;
    },
  };
}

function lowerCaseRoutes(routes: ServeRoutes): ServeRoutes {
  return Object.fromEntries(Object.entries(routes).map(([name, mounts]) => [name.toLowerCase(), mounts]));
}

/** The single route `tailscale serve --bg --https=443 http://127.0.0.1:<port>` makes. */
export function serveRoute(name: string, backendPort: number, backendHost = '127.0.0.1'): ServeRoutes {
  return { [name]: { '/': `http://${backendHost.includes(':') ? `[${backendHost}]` : backendHost}:${backendPort}` } };
}
