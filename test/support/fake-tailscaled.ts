import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fake tailscaled LocalAPI on a unix socket in a temp dir, with the real routes, the real
 * request rules (ipn/localapi: Host must be `local-tailscaled.sock`, any Origin or Referer → 403,
 * ping is POST-only and blocks until a reply) and the real JSON shapes (ipnstate.Status with `Peer`
 * keyed by `nodekey:…`, Go zero times, null slices; ipnstate.PingResult; apitype.WhoIsResponse).
 * Scenarios are set with the setters; nothing here sleeps except a ping's configured delay.
 *
 * `serve-config` is ipn/localapi/serve.go's handler: GET answers the ipn.ServeConfig as Go marshals
 * it (`omitempty` maps left out, `null` when nothing is served) with an `Etag` header (hex sha256 of
 * that JSON, as generateServeConfigETag makes it); without read permission 403 `serve config denied`;
 * other methods than GET/POST 405. POST is not modelled (clawops only reads).
 */

/** ipn.ServeConfig as JSON (see ipn/serve.go): Web keyed by `host:port`, Handlers by mount point. */
export interface FakeServeConfig {
  TCP?: Record<string, { HTTPS?: boolean; HTTP?: boolean; TCPForward?: string; TerminateTLS?: string }>;
  Web?: Record<string, { Handlers: Record<string, { Proxy?: string; Path?: string; Text?: string; Redirect?: string }> }>;
  AllowFunnel?: Record<string, boolean>;
  Services?: Record<string, Omit<FakeServeConfig, 'Services' | 'Foreground'>>;
  Foreground?: Record<string, Omit<FakeServeConfig, 'Services' | 'Foreground'>>;
}

/** What `tailscale serve --bg --https=443 http://127.0.0.1:<port>` leaves behind (plus Funnel with `funnel`). */
export function serveConfigFor(name: string, port: number, options: { funnel?: boolean; target?: string } = {}): FakeServeConfig {
  const hostPort = `${name}:443`;
  return {
    TCP: { '443': { HTTPS: true } },
    Web: { [hostPort]: { Handlers: { '/': { Proxy: options.target ?? `http://127.0.0.1:${port}` } } } },
    ...(options.funnel ? { AllowFunnel: { [hostPort]: true } } : {}),
  };
}

export type BackendState = 'Running' | 'Stopped' | 'NeedsLogin' | 'NeedsMachineAuth' | 'Starting' | 'NoState';
export type PingType = 'disco' | 'TSMP' | 'ICMP';
/** How tailscaled answers one ping type for one peer. */
export type PingBehaviour =
  | { kind: 'reply'; latencyMs: number; delayMs?: number }
  | { kind: 'error'; err: string; delayMs?: number }
  /** No reply ever: tailscaled blocks until the client gives up. */
  | { kind: 'hang' };

export interface FakePeer {
  name: string;
  nodeKey: string;
  ips: string[];
  tags: string[];
  userId: number;
  online: boolean;
  expired: boolean;
  keyExpiry?: string;
  lastSeen?: string;
  /** `ip:port` of a direct path; undefined = relayed through `derpRegion`. */
  directAddr?: string;
  derpRegion: { id: number; code: string };
  latencyMs: number;
  pings: Partial<Record<PingType, PingBehaviour>>;
}

export interface RecordedLocalApiRequest {
  method: string;
  url: string;
  host?: string;
  origin?: string;
  referer?: string;
  status: number;
}

export const MAGIC_DNS_SUFFIX = 'example-tailnet.ts.net';
const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface FakeTailscaled {
  socketPath: string;
  requests: RecordedLocalApiRequest[];
  /**
   * `tags`: this node is tagged (Self.Tags, owned by the tagged-devices user, as tailscaled reports
   * a tagged node); `login`: the owner of an untagged node (default ops1@example.com).
   */
  setSelf(state: BackendState, options?: { keyExpiry?: string; health?: string[]; tags?: string[]; login?: string }): void;
  /** Adds or updates a peer; unspecified fields keep their value (or the defaults). */
  setPeer(name: string, patch?: Partial<Omit<FakePeer, 'name'>>): FakePeer;
  setPing(name: string, type: PingType, behaviour: PingBehaviour): void;
  /** CurrentTailnet.MagicDNSEnabled, as tailscaled reports the tailnet's MagicDNS preference. */
  setMagicDns(enabled: boolean): void;
  removePeer(name: string): void;
  /** What `serve-config` answers (`null`: nothing served); `readable: false` answers 403 as for a user without read permission. */
  setServe(config: FakeServeConfig | null, options?: { readable?: boolean }): void;
  /** Answer `status` with exactly this body (a hostile or broken tailscaled); undefined: the real shape again. */
  setRawStatus(body: string | undefined): void;
  close(): Promise<void>;
}

function peerDefaults(name: string, index: number): FakePeer {
  return {
    name,
    nodeKey: `nodekey:${(0xa0 + index).toString(16).padStart(64, '0')}`,
    ips: [`100.101.102.${103 + index}`, `fd7a:115c:a1e0::${(0x53 + index).toString(16)}`],
    tags: ['tag:gateway'],
    userId: 2,
    online: true,
    expired: false,
    keyExpiry: undefined,
    directAddr: `203.0.113.${5 + index}:41641`,
    derpRegion: { id: 4, code: 'fra' },
    latencyMs: 12,
    pings: {},
  };
}

function peerJson(peer: FakePeer): Record<string, unknown> {
  return {
    ID: `n${peer.name.toUpperCase()}CNTRL`,
    PublicKey: peer.nodeKey,
    HostName: peer.name,
    DNSName: `${peer.name}.${MAGIC_DNS_SUFFIX}.`,
    OS: 'linux',
    UserID: peer.userId,
    TailscaleIPs: peer.ips,
    ...(peer.tags.length ? { Tags: peer.tags } : {}),
    Addrs: null,
    CurAddr: peer.online && peer.directAddr ? peer.directAddr : '',
    Relay: peer.derpRegion.code,
    RxBytes: 0,
    TxBytes: 0,
    Created: '2025-01-01T00:00:00Z',
    LastWrite: ZERO_TIME,
    LastSeen: peer.online ? ZERO_TIME : (peer.lastSeen ?? '2026-01-01T00:00:00Z'),
    LastHandshake: ZERO_TIME,
    Online: peer.online,
    ExitNode: false,
    ExitNodeOption: false,
    Active: peer.online,
    PeerAPIURL: null,
    InNetworkMap: true,
    InMagicSock: true,
    InEngine: true,
    ...(peer.expired ? { Expired: true } : {}),
    ...(peer.keyExpiry ? { KeyExpiry: peer.keyExpiry } : {}),
  };
}

export async function startFakeTailscaled(): Promise<FakeTailscaled> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-tailscaled-'));
  const socketPath = join(dir, 'tailscaled.sock');
  const requests: RecordedLocalApiRequest[] = [];
  const peers = new Map<string, FakePeer>();
  let serve: { config: FakeServeConfig | null; readable: boolean } = { config: null, readable: true };
  let rawStatus: string | undefined;
  let self = {
    state: 'Running' as BackendState,
    keyExpiry: undefined as string | undefined,
    health: [] as string[],
    tags: [] as string[],
    login: 'ops1@example.com',
  };
  const pending = new Set<ServerResponse>();
  let magicDnsEnabled = true;

  const api: FakeTailscaled = {
    socketPath,
    requests,
    setSelf(state, options = {}) {
      self = {
        state,
        keyExpiry: options.keyExpiry ?? self.keyExpiry,
        health: options.health ?? self.health,
        tags: options.tags ?? self.tags,
        login: options.login ?? self.login,
      };
    },
    setPeer(name, patch = {}) {
      const peer = { ...(peers.get(name) ?? peerDefaults(name, peers.size)), ...patch, name };
      peers.set(name, peer);
      return peer;
    },
    setPing(name, type, behaviour) {
      const peer = peers.get(name) ?? api.setPeer(name);
      peer.pings[type] = behaviour;
    },
    setRawStatus(body) {
      rawStatus = body;
    },
    setMagicDns(enabled) {
      magicDnsEnabled = enabled;
    },
    removePeer(name) {
      peers.delete(name);
    },
    setServe(config, options = {}) {
      serve = { config, readable: options.readable ?? true };
    },
    async close() {
      for (const res of pending) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };

  function status(): Record<string, unknown> {
    const running = self.state === 'Running';
    const loggedIn = !['NeedsLogin', 'NeedsMachineAuth', 'NoState'].includes(self.state);
    return {
      Version: '1.80.0-tfake',
      TUN: true,
      BackendState: self.state,
      HaveNodeKey: loggedIn,
      AuthURL: loggedIn ? '' : 'https://login.tailscale.com/a/fake',
      TailscaleIPs: loggedIn ? ['100.100.1.1', 'fd7a:115c:a1e0::1'] : null,
      Self: {
        ID: loggedIn ? 'nSELFCNTRL' : '',
        PublicKey: 'nodekey:' + '1'.repeat(64),
        HostName: 'clawops-bot',
        DNSName: loggedIn ? `clawops-bot.${MAGIC_DNS_SUFFIX}.` : '',
        OS: 'linux',
        UserID: loggedIn ? (self.tags.length ? 2 : 1) : 0,
        TailscaleIPs: loggedIn ? ['100.100.1.1', 'fd7a:115c:a1e0::1'] : null,
        ...(self.tags.length ? { Tags: self.tags } : {}),
        Online: running,
        LastSeen: ZERO_TIME,
        ...(self.keyExpiry ? { KeyExpiry: self.keyExpiry } : {}),
      },
      Health: self.health.length ? self.health : null,
      MagicDNSSuffix: MAGIC_DNS_SUFFIX,
      CurrentTailnet: loggedIn ? { Name: 'example.com', MagicDNSSuffix: MAGIC_DNS_SUFFIX, MagicDNSEnabled: magicDnsEnabled } : null,
      CertDomains: null,
      // tailscaled reports no peers unless it has a netmap (Running).
      Peer: running ? Object.fromEntries([...peers.values()].map((p) => [p.nodeKey, peerJson(p)])) : null,
      User: loggedIn
        ? { '1': { ID: 1, LoginName: self.login, DisplayName: 'Ops One' }, '2': { ID: 2, LoginName: 'tagged-devices', DisplayName: 'Tagged Devices' } }
        : null,
      ClientVersion: null,
    };
  }

  function peerByIp(ip: string): FakePeer | undefined {
    return [...peers.values()].find((p) => p.ips.includes(ip));
  }

  function defaultPing(peer: FakePeer, type: PingType): PingBehaviour {
    if (!peer.online || peer.expired) return { kind: 'hang' };
    const relayed = !peer.directAddr;
    return { kind: 'reply', latencyMs: type === 'disco' && relayed ? Math.max(peer.latencyMs, 1) : peer.latencyMs };
  }

  function pingJson(peer: FakePeer, ip: string, type: PingType, behaviour: PingBehaviour): Record<string, unknown> {
    const base = { IP: ip, NodeIP: peer.ips[0], NodeName: peer.name };
    if (behaviour.kind === 'error') return { ...base, Err: behaviour.err, LatencySeconds: 0 };
    const latency = behaviour.kind === 'reply' ? behaviour.latencyMs / 1000 : 0;
    if (type === 'TSMP') return { ...base, LatencySeconds: latency, PeerAPIPort: 41112 };
    if (type === 'ICMP') return { ...base, LatencySeconds: latency };
    return peer.directAddr
      ? { ...base, LatencySeconds: latency, Endpoint: peer.directAddr }
      : { ...base, LatencySeconds: latency, DERPRegionID: peer.derpRegion.id, DERPRegionCode: peer.derpRegion.code };
  }

  function reply(res: ServerResponse, status: number, body: unknown): void {
    if (typeof body === 'string') {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body + '\n');
    } else {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    }
  }

  function servePing(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    if (req.method !== 'POST') return reply(res, 400, 'want POST');
    const ip = query.get('ip');
    if (!ip) return reply(res, 400, "missing 'ip' parameter");
    if (!isIP(ip)) return reply(res, 400, 'invalid IP');
    const type = query.get('type') as PingType | null;
    if (!type) return reply(res, 400, "missing 'type' parameter");
    const peer = peerByIp(ip);
    if (self.state !== 'Running') return reply(res, 500, { error: 'not running' });
    if (!peer) return reply(res, 200, { IP: ip, Err: 'no matching peer', LatencySeconds: 0 });
    const behaviour = peer.pings[type] ?? defaultPing(peer, type);
    if (behaviour.kind === 'hang') {
      pending.add(res);
      res.on('close', () => pending.delete(res));
      return;
    }
    const send = () => reply(res, 200, pingJson(peer, ip, type, behaviour));
    if (!behaviour.delayMs) return send();
    pending.add(res);
    const timer = setTimeout(() => {
      pending.delete(res);
      send();
    }, behaviour.delayMs);
    res.on('close', () => {
      clearTimeout(timer);
      pending.delete(res);
    });
  }

  function serveWhoIs(res: ServerResponse, query: URLSearchParams): void {
    const addr = query.get('addr');
    if (!addr) return reply(res, 400, "missing 'addr' parameter");
    const ip = isIP(addr) ? addr : addr.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    if (!isIP(ip)) return reply(res, 400, "invalid 'addr' parameter");
    const peer = peerByIp(ip);
    if (!peer) return reply(res, 404, 'no match for IP:port');
    reply(res, 200, {
      Node: {
        ID: 1000 + peer.userId,
        StableID: `n${peer.name.toUpperCase()}CNTRL`,
        Name: `${peer.name}.${MAGIC_DNS_SUFFIX}.`,
        User: peer.userId,
        Key: peer.nodeKey,
        Addresses: peer.ips.map((a) => (a.includes(':') ? `${a}/128` : `${a}/32`)),
        ...(peer.tags.length ? { Tags: peer.tags } : {}),
      },
      UserProfile: peer.tags.length
        ? { ID: peer.userId, LoginName: 'tagged-devices', DisplayName: 'Tagged Devices' }
        : { ID: peer.userId, LoginName: 'ops1@example.com', DisplayName: 'Ops One' },
      CapMap: {},
    });
  }

  function serveServeConfig(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET') {
      if (!serve.readable) return reply(res, 403, 'serve config denied');
      const body = JSON.stringify(serve.config);
      res.writeHead(200, { Etag: createHash('sha256').update(body).digest('hex'), 'Content-Type': 'application/json' }).end(body);
      return;
    }
    if (req.method === 'POST') return reply(res, 403, 'serve config denied');
    return reply(res, 405, 'method not allowed');
  }

  const server = createServer((req, res) => {
    const record: RecordedLocalApiRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      host: req.headers.host,
      origin: req.headers.origin,
      referer: req.headers.referer,
      status: 0,
    };
    requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    // The real handler's first check: browsers must never reach the LocalAPI.
    const hostOk = req.headers.host === undefined || req.headers.host === 'local-tailscaled.sock';
    if (req.headers.origin || req.headers.referer || !hostOk) return reply(res, 403, 'invalid localapi request');
    const url = new URL(req.url ?? '/', 'http://local-tailscaled.sock');
    switch (url.pathname) {
      case '/localapi/v0/status':
        if (rawStatus !== undefined) return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(rawStatus);
        return reply(res, 200, status());
      case '/localapi/v0/ping':
        return servePing(req, res, url.searchParams);
      case '/localapi/v0/whois':
        return serveWhoIs(res, url.searchParams);
      case '/localapi/v0/serve-config':
        return serveServeConfig(req, res);
      default:
        return reply(res, 404, '404 page not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  api.setPeer('gw1');
  return api;
}
