/**
 * The symptom table: the ops runbook's rows as data, in its three columns (what you see · suspect
 * first · what to do). `{port}` (the URL's), `{gatewayPort}` (the Gateway's own on its host: 18789
 * behind Serve's 443), `{host}`, `{tokenEnv}` and `{deviceId}` are filled from the report.
 * Tested row by row; keep the runbook's words recognisable.
 */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface SymptomRow {
  title: string;
  severity: Severity;
  see: string;
  suspect: string;
  do: string;
  /** The runbook row this one refines, if it is a refinement. */
  refines?: SymptomId;
  /** OpenClaw versions the row is known to apply to, where that matters. */
  versions?: string;
}

export const SYMPTOM_IDS = [
  'tailnet-port-blocked',
  'auth-rejected',
  'ws-closed-early',
  'channel-silent',
  'protocol-mismatch',
  'handshake-timeout',
  'pairing-required',
  'scope-limited',
  'gateway-starting',
  'gateway-restarting',
  'token-rotated',
  'refused',
  'timeout',
  'upgrade-stripped',
  'tls-mismatch',
  'not-openclaw',
  'dns-fail',
  'dns-hijack',
  'peer-offline',
  'relayed-path',
  'bot-node-offline',
  'public-exposure',
  'bind-not-loopback',
  'acl-too-broad',
  'version-changed',
  'gateway-degraded',
  'unit-token-drift',
  // The host agent's joint view (src/diagnosis/host-rules.ts).
  'network-path',
  'gateway-down',
  'stale-process',
  'agent-silent',
  // Hostile input: a payload refused unread (src/diagnosis/payload-rules.ts).
  'payload-refused',
  // Two Gateways on one host (src/diagnosis/host-rules.ts).
  'port-held-by-other-instance',
  // The Serve topology (the deployment the runbook recommends).
  'proxy-untrusted',
  'gateway-down-behind-proxy',
  'gateway-hung',
  'serve-route-missing',
  'auth-none',
] as const;
export type SymptomId = (typeof SYMPTOM_IDS)[number];

export const SYMPTOM_TABLE: Record<SymptomId, SymptomRow> = {
  'tailnet-port-blocked': {
    title: 'Tailnet port blocked',
    severity: 'error',
    see: 'tailscale ping works but the CLI times out (TCP to the gateway port times out over the tailnet)',
    suspect: 'the port is missing from the tailnet ACL, or the host firewall drops it',
    do: 'prove loopback on the server (`curl -fsS http://127.0.0.1:{port}/healthz` there), then allow `tag:ops → tag:gateway:{port}` in the ACL, then check the host firewall (ufw/nftables). If tailscaled reports the flow "rejected due to acl", it is the ACL',
  },
  'auth-rejected': {
    title: 'Auth rejected',
    severity: 'error',
    see: 'HTTP 401 / WebSocket closed 1008 "gateway token mismatch"',
    suspect:
      'the token differs between client and gateway, or the token env was not imported into the systemd unit (a stale `Environment=OPENCLAW_GATEWAY_TOKEN` baked in at install)',
    do: "align the unit's `Environment=`/`EnvironmentFile=` with the shell, `systemctl daemon-reload && systemctl restart <unit>`; rotate the token in every client's remote block (this node reads it from `{tokenEnv}`)",
  },
  'ws-closed-early': {
    title: 'WebSocket closed early',
    severity: 'error',
    see: 'the WebSocket drops immediately / "gateway closed (1000)"',
    suspect:
      'version skew on scopes or session shape after an upgrade — in practice first the pre-auth handshake timer (overloaded gateway, or the old process still running after an upgrade)',
    do: "compare the running gateway's version with the expected / last known good one; restart a stale process; if a minor upgrade broke it, read the release notes, roll back to the last good build and bisect — don't chase ACLs until the listen matrix is confirmed",
  },
  'channel-silent': {
    title: 'Channel silent',
    severity: 'warning',
    see: 'the channel is online but no messages arrive',
    suspect:
      'the channel is not paired, or `dmPolicy` blocks (an `allowlist` with an empty `allowFrom` drops every DM silently; `disabled` ignores every DM; `groupPolicy: disabled` every group)',
    do: "`openclaw channels status --probe`; check the policy table for that channel: fix `channels.<name>.dmPolicy` / `allowFrom` (or the account's under `accounts.<id>`)",
  },
  'protocol-mismatch': {
    title: 'Protocol mismatch',
    severity: 'error',
    see: 'close 1002 "protocol mismatch" (`expectedProtocol` ≠ client range)',
    suspect: 'true version skew between client and gateway',
    do: 'upgrade the lagging side; clawops reports both versions',
    refines: 'ws-closed-early',
  },
  'handshake-timeout': {
    title: 'Handshake timeout',
    severity: 'error',
    see: "close 1000, empty reason, before `hello-ok`, after ≈ the gateway's handshake timeout with no answer",
    suspect: 'gateway overloaded, slow host, or a stale process after an upgrade',
    do: 'check the gateway log for `handshake timeout`, load, and running vs installed version',
    refines: 'ws-closed-early',
    versions: 'handshake timer 15 s by default (`OPENCLAW_HANDSHAKE_TIMEOUT_MS`); 3 s in some 2026.3 builds',
  },
  'pairing-required': {
    title: 'Pairing required',
    severity: 'error',
    see: 'close 1008 `NOT_PAIRED` / "pairing required"',
    suspect: "the bot's device identity is not approved on this gateway",
    do: "on the gateway host: `openclaw devices approve <requestId>` (`openclaw devices list` shows it); this node's device id is `{deviceId}`",
  },
  'scope-limited': {
    title: 'Scope limited',
    // Degraded, not failed: the Gateway answers, but clawops can see only half of it.
    severity: 'warning',
    see: 'connected, but `status` answers `FORBIDDEN missing scope: operator.read`',
    suspect: 'token-only remote client (scopes are cleared without a paired device)',
    do: "pair the bot's device (`openclaw devices approve` on the gateway host); until then only `health` is checked (degraded, not failed)",
  },
  'gateway-starting': {
    title: 'Gateway starting',
    severity: 'warning',
    see: 'close 1013 / `/readyz` 503 `startup-sidecars`',
    suspect: 'the gateway is starting (13–17 s is normal)',
    do: 'wait and re-check; if it persists, a startup sidecar is failing: read the gateway log',
  },
  'gateway-restarting': {
    title: 'Gateway restarting',
    severity: 'warning',
    see: '`shutdown` event, then close 1012',
    suspect: 'the gateway is stopping or restarting',
    do: 're-check after `restartExpectedMs`; if it loops, check the supervisor',
  },
  'token-rotated': {
    title: 'Token rotated',
    severity: 'error',
    see: 'close 4001 "gateway auth changed"',
    suspect: 'the token was rotated while connected',
    do: "update the client's token (`{tokenEnv}` on this node)",
  },
  refused: {
    title: 'Connection refused',
    severity: 'error',
    see: 'TCP connection refused',
    suspect:
      'nothing listens on that address:port: the gateway is down, bound to loopback without Tailscale Serve / tailnet bind, or the port differs (`OPENCLAW_GATEWAY_PORT` not aligned between service and client)',
    do: 'on the host: `lsof -nP -iTCP:{port} -sTCP:LISTEN`; align the port in the unit, compose file and client remote block',
  },
  timeout: {
    title: 'TCP timeout',
    severity: 'error',
    see: 'TCP connect times out and no tailnet evidence is available',
    suspect: 'ACL, host firewall, or host down',
    do: "run the tailnet checks (configure tailscaled's socket for clawops); prove loopback on the host",
  },
  'upgrade-stripped': {
    title: 'Upgrade stripped',
    severity: 'error',
    see: 'HTTP answers, but the WebSocket upgrade does not (no 101: 200 HTML, 400, 426)',
    suspect: 'a reverse proxy in the path strips `Upgrade`/`Connection` headers',
    do: 'fix the proxy so that it passes the upgrade',
  },
  'tls-mismatch': {
    title: 'TLS mismatch',
    severity: 'error',
    see: 'TLS handshake fails, or `wss://` against a plain port, or `ws://` against TLS',
    suspect: 'TLS terminates somewhere other than the URL says',
    do: 'match the scheme to where TLS terminates (Serve: `wss://<host>.ts.net`)',
  },
  'not-openclaw': {
    title: 'Not an OpenClaw gateway',
    severity: 'error',
    see: '`/healthz` answers HTML or something else than the health JSON; no `connect.challenge`',
    suspect: 'wrong port/path, or not an OpenClaw gateway',
    do: 'check the URL and port',
  },
  'dns-fail': {
    title: 'DNS failure',
    severity: 'error',
    see: 'the MagicDNS name does not resolve',
    suspect: 'MagicDNS off, wrong tailnet name, the bot node off the tailnet',
    do: '`tailscale status`; check MagicDNS in the admin console',
  },
  'dns-hijack': {
    title: 'DNS hijack',
    severity: 'error',
    see: 'a `*.ts.net` name resolves outside the tailnet ranges (100.64.0.0/10, fd7a:115c:a1e0::/48), or the system resolver and 100.100.100.100 disagree',
    suspect: 'a corporate resolver or search domain captures `*.ts.net`',
    do: 'compare `dig @100.100.100.100 {host}` with the system resolver; fix split DNS',
  },
  'peer-offline': {
    title: 'Peer offline',
    severity: 'error',
    see: "the gateway's node is offline / key expired in the tailnet",
    suspect: 'tailscaled down on the host, or node key expiry',
    do: 're-authenticate the node; disable key expiry for servers',
  },
  'relayed-path': {
    title: 'Relayed path',
    severity: 'warning',
    see: 'tailscale ping goes via DERP, RTT above 80–150 ms',
    suspect: 'UDP blocked or hard NAT: no direct path',
    do: '`tailscale netcheck`; high-frequency tool calls will feel slow — batch them',
  },
  'bot-node-offline': {
    title: 'clawops node off the tailnet',
    severity: 'critical',
    see: "the bot's own tailscaled is not running / not logged in",
    suspect: 'the bot node itself lost the tailnet',
    do: 'fix the bot node first; all gateway verdicts are suppressed meanwhile',
  },
  'public-exposure': {
    title: 'PUBLIC EXPOSURE',
    severity: 'critical',
    see: 'the gateway port answers on its public address',
    suspect: 'the bind was opened to 0.0.0.0 and the security group allows inbound',
    do: 'CRITICAL: set `gateway.bind: loopback`, remove the inbound rule, rotate the token',
  },
  'bind-not-loopback': {
    title: 'Bind not loopback',
    severity: 'critical',
    see: '(from the host) the gateway listens on 0.0.0.0 / [::]',
    suspect: 'bind changed to `lan`/`auto` (containers default to 0.0.0.0)',
    do: 'set `gateway.bind: loopback` and reach it over the tailnet',
  },
  'acl-too-broad': {
    title: 'ACL too broad',
    severity: 'warning',
    see: 'the policy lets `*`, `autogroup:member` or a wide group reach the gateway port, or has `*:*`',
    suspect: 'the tailnet became "a little public network"',
    do: 'restrict to `tag:ops → tag:gateway:{port}`; add policy `tests` that assert the deny',
  },
  'version-changed': {
    title: 'Version changed',
    severity: 'info',
    see: "the gateway's version differs from the expected or last known good",
    suspect: 'an upgrade happened',
    do: 'if failures began with it: release notes, roll back, bisect',
  },
  'gateway-degraded': {
    title: 'Gateway degraded',
    severity: 'warning',
    see: '`health` ok but event loop / model runtime degraded, plugin errors, slow handshake',
    suspect: 'the gateway host is overloaded (heavy work on the same small VPS); right after a start (an uptime of seconds) a busy event loop is expected',
    do: 'just started: re-check in a minute, alert only if it persists; otherwise move heavy work off the gateway host; check memory and disk',
  },
  'unit-token-drift': {
    title: 'Unit token drift',
    severity: 'error',
    see: "(from the host) the unit's token differs from the configured one, or the port env differs",
    suspect: 'env not re-imported after rotation or edit',
    do: 'as `auth-rejected`, on the host: fix `Environment=`/`EnvironmentFile=`, `systemctl daemon-reload && systemctl restart <unit>`',
  },
  'network-path': {
    title: 'Gateway fine, path broken',
    severity: 'error',
    see: '(host agent) the Gateway answers on loopback on its host, but the check from outside fails',
    suspect: 'the network path, not the Gateway: the tailnet ACL, the host firewall, Tailscale Serve or a proxy, or a bind that does not reach the tailnet',
    do: 'leave the Gateway alone: allow `tag:ops → tag:gateway:{port}` in the ACL, check the host firewall (ufw/nftables) and `tailscale serve status` on the host; refused from outside with a loopback bind means Serve (or a tailnet bind) is missing',
  },
  'gateway-down': {
    title: 'Gateway failing on its host',
    severity: 'error',
    see: '(host agent) the Gateway fails on loopback too: nothing listens on its port there, or it does not complete a handshake',
    suspect: 'the Gateway itself (stopped, crashed, hung, overloaded, or on another port), not the network',
    do: 'on the host: `systemctl status <unit>` and `journalctl -u <unit>`; restart it; if it runs on another port, align `OPENCLAW_GATEWAY_PORT` in the unit with the port its clients use',
  },
  'stale-process': {
    title: 'Stale process after upgrade',
    severity: 'warning',
    see: '(host agent) the running Gateway reports another version in hello-ok than the package installed on its host',
    suspect: 'the process predates the last upgrade: the files changed, the old process still runs',
    do: 'restart the unit (`systemctl restart <unit>`) and check again; with several installs, make the unit run the one that gets upgraded',
    refines: 'ws-closed-early',
  },
  'proxy-untrusted': {
    title: 'Proxy not trusted by the Gateway',
    severity: 'error',
    see: 'upgrade and `/readyz` answer 403 `proxy_attribution_required`; `/healthz` 200',
    suspect:
      'Tailscale Serve (or another proxy) forwards client headers the Gateway does not trust: `gateway.trustedProxies` does not name the proxy. The token is fine',
    do: 'set `gateway.trustedProxies` narrowly (`["127.0.0.1/32","::1/128"]` for Serve on the same host) and restart; on the gateway host: `openclaw config set gateway.trustedProxies \'["127.0.0.1/32","::1/128"]\' --strict-json` (2026.9.6 applies it without a restart; older builds: `systemctl restart <unit>`). Don\'t rotate the token',
    versions: 'proxy attribution enforced on 2026.9.6; trustedProxies hot-applied there',
  },
  'gateway-down-behind-proxy': {
    title: 'Gateway down behind Serve',
    severity: 'error',
    see: 'the front answers 502/503/504 on every path and on the upgrade',
    suspect: 'Serve is up, the Gateway behind it is not (crashed, stopped, or Serve points at another port)',
    do: "on the host: `systemctl status <unit>`, `curl -fsS http://127.0.0.1:{gatewayPort}/healthz`, `tailscale serve status` (the port Serve forwards to must be the Gateway's)",
  },
  'gateway-hung': {
    title: 'Gateway hung',
    severity: 'error',
    see: 'TCP accepted, no HTTP answer within the deadline',
    suspect: 'a wedged Gateway or front (not a wrong URL): a blocked event loop, a process stuck after an upgrade, or a hung proxy',
    do: 'on the host: `curl -m 5 -fsS http://127.0.0.1:{gatewayPort}/healthz` tells the Gateway from the front; read the Gateway log (`journalctl -u <unit>`) and the load; restart it if wedged',
  },
  'serve-route-missing': {
    title: 'Serve route missing',
    severity: 'error',
    see: 'the front answers 404 on `/healthz`, or TLS with no route for this name (alert `internal_error`)',
    suspect: 'no Serve route for the Gateway on this name and port (e.g. `gateway.tailscale.mode: serve` set but never applied, or the route removed)',
    do: '`tailscale serve status` on the host; `tailscale serve --bg --https=443 http://127.0.0.1:{gatewayPort}`; reach it by its MagicDNS name (`wss://<host>.<tailnet>.ts.net`)',
  },
  'auth-none': {
    title: 'GATEWAY AUTH OFF',
    severity: 'critical',
    see: "the Gateway's config says `gateway.auth.mode: none`",
    suspect: 'auth was switched off: behind Serve every tailnet client, and with Funnel anyone, gets the control plane',
    do: 'CRITICAL: keep tokens fully on: `openclaw config set gateway.auth.mode token` with a token (`gateway.auth.token` or `OPENCLAW_GATEWAY_TOKEN`), restart the Gateway, then rotate the token in every client',
  },
  'agent-silent': {
    title: 'Host agent silent',
    severity: 'info',
    see: 'the host agent did not answer within its deadline, or did not run the checks',
    suspect: 'clawops-agent is stopped on the gateway host, or cannot reach Redis',
    do: 'on the gateway host: `systemctl status clawops-agent` and `journalctl -u clawops-agent`; meanwhile verdicts come from outside alone',
  },
  'payload-refused': {
    title: 'Payload refused',
    severity: 'error',
    see: 'an answer too large or nested too deep to read safely (a real Gateway answers a check in a few KB, nested under 10 deep): clawops refused it unread',
    suspect: 'not an OpenClaw Gateway behaving normally: a hostile or broken server, or a proxy, answers on this address',
    do: 'find out what listens on {host}:{port} (on the host: `lsof -nP -iTCP:{port} -sTCP:LISTEN`, `curl -sS http://127.0.0.1:{port}/healthz | head -c 300`); point the URL at the real Gateway',
  },
  'port-held-by-other-instance': {
    title: 'Port held by another OpenClaw',
    severity: 'error',
    see: "(host agent) the Gateway's port is owned by another OpenClaw instance's process (another systemd unit)",
    suspect:
      'a second (test) instance on the same host holds the port, or the two instances swapped ports: clawops reaches the other Gateway, whose token differs',
    do: 'give each instance its own port (`OPENCLAW_GATEWAY_PORT` in each unit), `systemctl daemon-reload && systemctl restart` both, and point each gateway in clawops.yaml at its own port',
  },
};
