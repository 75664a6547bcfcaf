import type { RawPeerStatus, RawPingResult, RawServeConfig, RawStatus, RawWhoIs } from './local-api-schemas.js';

/**
 * The small typed results the LocalAPI client hands out, normalised from tailscaled's loose JSON:
 * empty strings and Go's zero time become `undefined`, `null` slices become `[]`.
 */

export type LocalApiErrorCode =
  | 'socket-missing' // no socket file: tailscaled not installed or not running
  | 'socket-refused' // a stale socket file: tailscaled is not listening
  | 'permission-denied' // the socket exists but this user may not open it
  | 'timeout' // no answer within our own deadline
  | 'aborted' // the caller's signal fired
  | 'bad-json' // 2xx whose body is not the JSON we expect
  | 'io' // any other socket failure
  | `http-${number}`;

export type LocalApiResult<T> = { ok: true; value: T } | { ok: false; error: LocalApiErrorCode; message: string };

export interface TailscalePeer {
  /** The `Peer` map key: `nodekey:<hex>` (empty for Self). */
  nodeKey: string;
  id?: string;
  hostName?: string;
  /** FQDN without the trailing dot. */
  dnsName?: string;
  os?: string;
  userId?: number;
  tailscaleIPs: string[];
  tags: string[];
  /** `ip:port` while a direct path is in use. */
  curAddr?: string;
  /** DERP region code. */
  relay?: string;
  online?: boolean;
  active?: boolean;
  inNetworkMap?: boolean;
  expired: boolean;
  keyExpiry?: string;
  lastSeen?: string;
  lastHandshake?: string;
}

export interface TailscaleStatus {
  backendState: string;
  version?: string;
  haveNodeKey?: boolean;
  health: string[];
  self?: TailscalePeer;
  selfIPs: string[];
  magicDnsSuffix?: string;
  tailnet?: { name?: string; magicDnsSuffix?: string; magicDnsEnabled?: boolean };
  peers: TailscalePeer[];
  users: Record<string, { loginName?: string; displayName?: string }>;
}

export interface PingReply {
  /** Set when tailscaled answered but the ping failed. */
  err?: string;
  latencyMs?: number;
  endpoint?: string;
  derpRegionId?: number;
  derpRegionCode?: string;
  nodeName?: string;
  nodeIp?: string;
  ip?: string;
}

export interface WhoIs {
  nodeName?: string;
  nodeAddresses: string[];
  tags: string[];
  loginName?: string;
  displayName?: string;
}

const GO_ZERO_TIME = '0001-01-01';

function text(value: string | null | undefined): string | undefined {
  return value ? value : undefined;
}

function time(value: string | null | undefined): string | undefined {
  return value && !value.startsWith(GO_ZERO_TIME) ? value : undefined;
}

function trimDot(name: string | null | undefined): string | undefined {
  return name ? name.replace(/\.$/, '') : undefined;
}

function optional<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

export function toPeer(nodeKey: string, raw: RawPeerStatus): TailscalePeer {
  return {
    nodeKey,
    id: text(raw.ID),
    hostName: text(raw.HostName),
    dnsName: trimDot(raw.DNSName),
    os: text(raw.OS),
    userId: optional(raw.UserID),
    tailscaleIPs: raw.TailscaleIPs ?? [],
    tags: raw.Tags ?? [],
    curAddr: text(raw.CurAddr),
    relay: text(raw.Relay),
    online: optional(raw.Online),
    active: optional(raw.Active),
    inNetworkMap: optional(raw.InNetworkMap),
    expired: raw.Expired === true,
    keyExpiry: time(raw.KeyExpiry),
    lastSeen: time(raw.LastSeen),
    lastHandshake: time(raw.LastHandshake),
  };
}

export function toStatus(raw: RawStatus): TailscaleStatus {
  const users: TailscaleStatus['users'] = {};
  for (const [id, profile] of Object.entries(raw.User ?? {})) {
    users[id] = { loginName: text(profile.LoginName), displayName: text(profile.DisplayName) };
  }
  const tailnet = raw.CurrentTailnet;
  return {
    backendState: raw.BackendState ?? 'NoState',
    version: text(raw.Version),
    haveNodeKey: optional(raw.HaveNodeKey),
    health: raw.Health ?? [],
    self: raw.Self ? toPeer('', raw.Self) : undefined,
    selfIPs: raw.TailscaleIPs ?? [],
    magicDnsSuffix: text(tailnet?.MagicDNSSuffix) ?? text(raw.MagicDNSSuffix),
    tailnet: tailnet
      ? {
          name: text(tailnet.Name),
          magicDnsSuffix: text(tailnet.MagicDNSSuffix),
          magicDnsEnabled: optional(tailnet.MagicDNSEnabled),
        }
      : undefined,
    peers: Object.entries(raw.Peer ?? {}).map(([key, peer]) => toPeer(key, peer)),
    users,
  };
}

export function toPingReply(raw: RawPingResult): PingReply {
  return {
    err: text(raw.Err),
    latencyMs: typeof raw.LatencySeconds === 'number' ? raw.LatencySeconds * 1000 : undefined,
    endpoint: text(raw.Endpoint),
    derpRegionId: raw.DERPRegionID || undefined,
    derpRegionCode: text(raw.DERPRegionCode),
    nodeName: text(raw.NodeName),
    nodeIp: text(raw.NodeIP),
    ip: text(raw.IP),
  };
}

export function toWhoIs(raw: RawWhoIs): WhoIs {
  return {
    nodeName: trimDot(raw.Node?.Name),
    nodeAddresses: raw.Node?.Addresses ?? [],
    tags: raw.Node?.Tags ?? [],
    loginName: text(raw.UserProfile?.LoginName),
    displayName: text(raw.UserProfile?.DisplayName),
  };
}

/** One thing tailscaled serves: a Web mount point or a TCP port. */
export interface ServeEntry {
  /** `gw.example-tailnet.ts.net:443` for a Web route, `tcp:443` for a TCP forward. */
  hostPort: string;
  /** The Web route's mount point (`/`). */
  mount?: string;
  /** `proxy` (with `target`), `tcp-forward` (with `target`), or a handler that serves no backend. */
  kind: 'proxy' | 'tcp-forward' | 'path' | 'text' | 'redirect' | 'empty';
  target?: string;
  funnel: boolean;
  /** `background` (`tailscale serve --bg`), `foreground` (a session), or `service:<name>`. */
  origin: string;
}

export interface ServeConfig {
  entries: ServeEntry[];
}

type RawServeFields = Pick<NonNullable<RawServeConfig>, 'TCP' | 'Web' | 'AllowFunnel'>;

function serveEntries(raw: RawServeFields | null | undefined, origin: string): ServeEntry[] {
  if (!raw) return [];
  const funnel = raw.AllowFunnel ?? {};
  const entries: ServeEntry[] = [];
  for (const [hostPort, web] of Object.entries(raw.Web ?? {})) {
    for (const [mount, handler] of Object.entries(web?.Handlers ?? {})) {
      const kind = handler?.Proxy ? 'proxy' : handler?.Path ? 'path' : handler?.Text ? 'text' : handler?.Redirect ? 'redirect' : 'empty';
      entries.push({ hostPort, mount, kind, ...(handler?.Proxy ? { target: handler.Proxy } : {}), funnel: funnel[hostPort] === true, origin });
    }
  }
  for (const [port, tcp] of Object.entries(raw.TCP ?? {})) {
    if (!tcp?.TCPForward) continue; // HTTPS/HTTP ports are served by the Web routes above
    const funnelled = Object.entries(funnel).some(([hostPort, on]) => on === true && hostPort.endsWith(`:${port}`));
    entries.push({ hostPort: `tcp:${port}`, kind: 'tcp-forward', target: tcp.TCPForward, funnel: funnelled, origin });
  }
  return entries;
}

export function toServeConfig(raw: RawServeConfig): ServeConfig {
  if (!raw) return { entries: [] };
  return {
    entries: [
      ...serveEntries(raw, 'background'),
      ...Object.entries(raw.Foreground ?? {}).flatMap(([session, config]) => serveEntries(config, `foreground ${session.slice(0, 16)}`)),
      ...Object.entries(raw.Services ?? {}).flatMap(([service, config]) => serveEntries(config, `service:${service.slice(0, 64)}`)),
    ],
  };
}
