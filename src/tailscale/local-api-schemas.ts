import * as z from 'zod';

/**
 * Zod schemas for the LocalAPI answers we read (tailscale/tailscale ipn/ipnstate: Status, PeerStatus,
 * PingResult; client/tailscale/apitype: WhoIsResponse). Tailscale calls these routes unstable, so
 * every object is loose (unknown keys pass through) and every leaf is optional and falls back to
 * `undefined` on a type surprise: one renamed field must not make the whole answer unreadable.
 * Go marshals nil slices and maps as `null`, hence `nullish` throughout.
 */

const str = z.string().nullish().catch(undefined);
const num = z.number().nullish().catch(undefined);
const bool = z.boolean().nullish().catch(undefined);
const strList = z.array(z.string()).nullish().catch(undefined);

export const UserProfileSchema = z.looseObject({
  ID: num,
  LoginName: str,
  DisplayName: str,
});

export const PeerStatusSchema = z.looseObject({
  ID: str,
  PublicKey: str,
  HostName: str,
  /** FQDN with a trailing dot: `gw1.example-tailnet.ts.net.` */
  DNSName: str,
  OS: str,
  UserID: num,
  TailscaleIPs: strList,
  Tags: strList,
  Addrs: strList,
  /** `ip:port` while a direct path is in use; empty while relayed. */
  CurAddr: str,
  /** DERP region code (`fra`). */
  Relay: str,
  LastSeen: str,
  LastHandshake: str,
  Online: bool,
  Active: bool,
  InNetworkMap: bool,
  Expired: bool,
  KeyExpiry: str,
});

export const TailnetStatusSchema = z.looseObject({
  Name: str,
  MagicDNSSuffix: str,
  MagicDNSEnabled: bool,
});

export const StatusSchema = z.looseObject({
  Version: str,
  /** ipn.State: NoState, NeedsLogin, NeedsMachineAuth, Stopped, Starting, Running. */
  BackendState: str,
  HaveNodeKey: bool,
  AuthURL: str,
  TailscaleIPs: strList,
  Self: PeerStatusSchema.nullish().catch(undefined),
  Health: strList,
  MagicDNSSuffix: str,
  CurrentTailnet: TailnetStatusSchema.nullish().catch(undefined),
  /** Keyed by `nodekey:<hex>`. */
  Peer: z.record(z.string(), PeerStatusSchema).nullish().catch(undefined),
  /** Keyed by the numeric UserID as a string. */
  User: z.record(z.string(), UserProfileSchema).nullish().catch(undefined),
});

export const PingResultSchema = z.looseObject({
  IP: str,
  NodeIP: str,
  NodeName: str,
  /** Set (with HTTP 200) when the ping itself failed: no such peer, timeout inside tailscaled… */
  Err: str,
  LatencySeconds: num,
  /** `ip:port` when the reply came over a direct UDP path (not set for TSMP). */
  Endpoint: str,
  DERPRegionID: num,
  DERPRegionCode: str,
  PeerAPIPort: num,
  IsLocalIP: bool,
});

export const WhoIsSchema = z.looseObject({
  Node: z
    .looseObject({
      ID: num,
      StableID: str,
      Name: str,
      Addresses: strList,
      Tags: strList,
      User: num,
    })
    .nullish()
    .catch(undefined),
  UserProfile: UserProfileSchema.nullish().catch(undefined),
});

/** ipn.HTTPHandler: one mount point's handler (exactly one of these is set). */
export const ServeHttpHandlerSchema = z.looseObject({
  Path: str,
  /** `http://127.0.0.1:18789`, `https+insecure://…`, `localhost:3000`, `3000`. */
  Proxy: str,
  Text: str,
  Redirect: str,
});

/** ipn.TCPPortHandler. */
export const ServeTcpHandlerSchema = z.looseObject({
  HTTPS: bool,
  HTTP: bool,
  /** `tailscale serve --tcp`: raw TCP forwarded to `host:port`. */
  TCPForward: str,
  TerminateTLS: str,
});

const serveConfigFields = {
  /** Keyed by port (`"443"`). */
  TCP: z.record(z.string(), ServeTcpHandlerSchema.nullish().catch(undefined)).nullish().catch(undefined),
  /** Keyed by ipn.HostPort (`"gw.example-tailnet.ts.net:443"`); `Handlers` keyed by mount point. */
  Web: z
    .record(
      z.string(),
      z
        .looseObject({ Handlers: z.record(z.string(), ServeHttpHandlerSchema.nullish().catch(undefined)).nullish().catch(undefined) })
        .nullish()
        .catch(undefined),
    )
    .nullish()
    .catch(undefined),
  /** Keyed by ipn.HostPort: Funnel is on for that name and port. */
  AllowFunnel: z.record(z.string(), z.boolean().nullish().catch(undefined)).nullish().catch(undefined),
};

/**
 * ipn.ServeConfig (`GET /localapi/v0/serve-config`; `null` when nothing is served). `Foreground`
 * holds the configs of foreground `tailscale serve` sessions, `Services` the VIP services'.
 */
export const ServeConfigSchema = z
  .looseObject({
    ...serveConfigFields,
    Services: z.record(z.string(), z.looseObject(serveConfigFields).nullish().catch(undefined)).nullish().catch(undefined),
    Foreground: z.record(z.string(), z.looseObject(serveConfigFields).nullish().catch(undefined)).nullish().catch(undefined),
  })
  .nullable();

/** tailscaled's `writeErrorJSON` body: `{"error": "..."}`. */
export const LocalApiErrorBodySchema = z.looseObject({ error: str });

export type RawStatus = z.infer<typeof StatusSchema>;
export type RawPeerStatus = z.infer<typeof PeerStatusSchema>;
export type RawPingResult = z.infer<typeof PingResultSchema>;
export type RawWhoIs = z.infer<typeof WhoIsSchema>;
export type RawServeConfig = z.infer<typeof ServeConfigSchema>;
