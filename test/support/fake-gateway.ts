import { createHash, randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as connectNet, createServer as createNetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { buildDeviceSignaturePayload, deviceIdFromPublicKey, verifyDeviceSignature } from '../../src/openclaw/device-identity.js';
import { ConnectParamsSchema, summariseIssues, type ConnectParams } from '../../src/openclaw/frames.js';
import {
  challengePayload,
  channelsStatusPayload,
  configGetPayload,
  eventLoopPayload,
  healthPayload,
  helloOkPayload,
  statusPayload,
  type FixtureChannel,
  type FixtureGatewayConfig,
} from './gateway-fixture-payloads.js';

/**
 * A fault-injecting OpenClaw Gateway for tests: a real HTTP + WebSocket server on 127.0.0.1 that
 * speaks protocol 4 the way the real Gateway 2026.9.6 does (same frames, error shapes, detail
 * codes and close codes, checked against it), and misbehaves on request. Its payloads (hello-ok,
 * health, status, channels.status, config.get) are built from ones recorded on the real Gateway
 * (gateway-fixture-payloads.ts; the conformance suite fails when their shapes drift apart). Modes
 * are switchable at runtime and apply to new connections.
 */

export type FakeGatewayMode =
  | 'healthy'
  | 'device-required'
  | 'pairing-required'
  | 'scope-limited'
  | 'silent'
  | 'no-challenge'
  | 'starting'
  | 'shutdown'
  | 'token-rotated'
  | 'html-everywhere'
  | 'upgrade-400'
  | 'upgrade-426'
  | 'oversized-frame'
  | 'garbage'
  | 'slow-rpc'
  | 'degraded'
  /** Answers `connect` with a plain close 1000 at once (no error frame): the session shape refused. */
  | 'close-after-connect'
  /** `/readyz`, `/startupz` and the upgrade answer 403 `proxy_attribution_required`, as behind an untrusted proxy. */
  | 'proxy-untrusted'
  // Forged upgrades: a 101 that is not a WebSocket accept (each one thing wrong), or a valid one then garbage.
  | 'forged-accept'
  | 'forged-no-upgrade'
  | 'forged-no-connection'
  | 'forged-extension'
  | 'forged-garbage'
  // JSON bombs: nested `bombDepth` deep (`[[[…]]]`), where a Gateway would send JSON.
  | 'bomb-challenge'
  | 'bomb-rpc'
  | 'bomb-healthz';

/** One channel account; its DM/group policy is served through `config.get`, as on the real Gateway. */
export type FakeChannel = FixtureChannel;

/** Channel states worth testing: fine, configured-but-not-running, an allowlist that drops every DM. */
export const SAMPLE_CHANNELS: FakeChannel[] = [
  { channel: 'telegram', configured: true, running: true, connected: true, dmPolicy: 'pairing', allowFrom: [] },
  { channel: 'discord', configured: true, running: false, connected: false, lastError: 'gateway intent missing' },
  { channel: 'whatsapp', configured: true, running: true, connected: true, linked: true, dmPolicy: 'allowlist', allowFrom: [] },
];

export interface FakeGatewayOptions {
  /** The shared Gateway token. */
  token: string;
  mode?: FakeGatewayMode;
  /** `server.version` (default 2026.9.6). */
  version?: string;
  /**
   * Whether a token-only client keeps its requested scopes when it claims the loopback CLI
   * shapes (`cli/cli`, `gateway-client/backend`), as the real Gateway does over loopback.
   * `false` behaves like a remote connection: scopes cleared. Other id/mode pairs are always cleared.
   */
  grantScopes?: boolean;
  /** Pre-auth handshake timer: close 1000 "" when no connect completed (default 300 ms). */
  handshakeTimeoutMs?: number;
  /** `slow-rpc`: delay before every RPC answer (default 1000 ms). */
  rpcDelayMs?: number;
  channels?: FakeChannel[];
  /** `shutdown`: when to announce it (default after hello-ok) and what to say. */
  shutdown?: { phase?: 'connect' | 'hello'; reason?: string; restartExpectedMs?: number };
  /** `token-rotated`: close 4001 this long after hello-ok (default: on the next RPC). */
  rotateAfterMs?: number;
  /** `oversized-frame`: size of the frame sent instead of the challenge (default 17 MiB). */
  oversizedBytes?: number;
  /** Serve HTTPS/WSS with this certificate. */
  tls?: { key: string; cert: string };
  /** Send `tick` events at this interval after hello-ok (default: none). */
  tickIntervalMs?: number;
  /** `health.plugins.errors`. */
  pluginErrors?: string[];
  /** `gateway.*` as `config.get` reports them (auth mode, trusted proxies…). */
  gatewayConfig?: FixtureGatewayConfig;
  /** `snapshot.uptimeMs` / `/readyz` uptime at start (default 0: counts from the fake's start). */
  uptimeOffsetMs?: number;
  /**
   * Hostile text: appended to every string the Gateway sends (server.version, error messages,
   * close reasons, /readyz failing[], channel names and issues, health fields, the upgrade's
   * error bodies), as a gateway (or a proxy in front of it) that wants to page a channel would.
   */
  hostile?: string;
  /** The bomb modes: how deep (default 400,000: ≈800 KB, inside the frame limit). */
  bombDepth?: number;
}

/** Slack markup that must never reach a channel live: broadcasts, a user, a channel, `&`, a link. */
export const HOSTILE_TEXT = '<!channel> <!here> <@U0VICTIM> <#C0VICTIM> & <http://evil.example|click> <!subteam^S0VICTIM>';

/** `[[[…]]]`: valid JSON, `depth` levels deep. */
export function jsonBomb(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** What a client sent in `connect`, without secrets (no token values, no signature). */
export interface RecordedConnect {
  valid: boolean;
  invalidReason?: string;
  minProtocol?: number;
  maxProtocol?: number;
  client?: { id: string; mode: string; version: string; platform: string; deviceFamily?: string };
  role?: string;
  scopes?: string[];
  hasToken: boolean;
  hasDeviceToken: boolean;
  device?: { id: string; publicKey: string; signedAt: number; nonce: string; nonceMatches: boolean; signatureValid: boolean };
}

export interface FakeGateway {
  url: string;
  httpUrl: string;
  port: number;
  readonly mode: FakeGatewayMode;
  setMode(mode: FakeGatewayMode): void;
  /** An upgrade: new connections see this version (hello-ok, /healthz, status) and method/event sets. */
  upgrade(next: { version?: string; methods?: string[]; events?: string[] }): void;
  /** WebSocket connections accepted so far. */
  readonly connections: number;
  /** Every `connect` received, in order. */
  readonly connects: readonly RecordedConnect[];
  /** Request ids of pairing requests raised (`pairing-required`). */
  readonly pairingRequests: readonly string[];
  /** Resolves once `count` connect requests have been received (bounded by the test's timeout). */
  waitForConnects(count: number): Promise<void>;
  /** Approves a pairing request: that device then connects normally. */
  approvePairing(requestId: string): void;
  close(): Promise<void>;
}

const PROTOCOL = 4;
const MIN_PROBE_PROTOCOL = 3;
const PREAUTH_MAX_BYTES = 64 * 1024;
const MAX_PAYLOAD = 25 * 1024 * 1024;
const SIGNATURE_SKEW_MS = 120_000;
const READ_SCOPE = 'operator.read';
/** Methods that need `operator.read`; `health` needs no scope. */
const READ_METHODS = new Set(['status', 'channels.status', 'config.get', 'system-presence', 'system.info', 'logs.tail']);
const PROXY_ATTRIBUTION_REQUIRED = {
  error: {
    message:
      'Proxy client attribution is required. Configure gateway.trustedProxies narrowly and make the proxy overwrite or safely rebuild forwarded client headers.',
    type: 'proxy_attribution_required',
  },
};

export const CONTROL_UI_HTML =
  '<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="UTF-8" />\n    <title>OpenClaw Control</title>\n  </head>\n  <body><openclaw-app></openclaw-app></body>\n</html>\n';

/** A self-signed certificate for localhost / 127.0.0.1 / ::1, valid 2000–2099. Test-only, not a secret. */
export const TEST_TLS = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBnzCCAUagAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjA5OTEyMzEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABHEejXTEOtHQ5/Ad
LHYTVwGvGxcec12pAewrDzzrVtghNLpyxydBrf3HwxA8n+z7c+9jgkhEyil8kVqt
/5wMHDCjgYYwgYMwLAYDVR0RBCUwI4IJbG9jYWxob3N0hwR/AAABhxAAAAAAAAAA
AAAAAAAAAAABMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgKEMBMGA1Ud
JQQMMAoGCCsGAQUFBwMBMB0GA1UdDgQWBBQ/2Cq4FfkbqeX8Y7zdhPFM5TXeBjAK
BggqhkjOPQQDAgNHADBEAiAmvomEkE3y+/ME7P/EP8oEaN7pMulTZO97h2L7YlCp
FgIgYUKpPmEvRf7tdWs1DFuhxc8WolxfCSqoBOh9PjbMpJo=
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtv/mTRJXy+cOu9MV
5MSwYT9apwtWcBm4wA3Rzb+3tiWhRANCAARxHo10xDrR0OfwHSx2E1cBrxsXHnNd
qQHsKw8861bYITS6cscnQa39x8MQPJ/s+3PvY4JIRMopfJFarf+cDBww
-----END PRIVATE KEY-----
`,
};

interface ErrorShape {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  retryable?: boolean;
  retryAfterMs?: number;
}

function isLoopbackCliShape(client: { id: string; mode: string }): boolean {
  return (client.id === 'cli' && client.mode === 'cli') || (client.id === 'gateway-client' && client.mode === 'backend');
}

function truncateReason(reason: string): string {
  // A close reason is at most 123 bytes.
  return Buffer.byteLength(reason) <= 123 ? reason : Buffer.from(reason).subarray(0, 120).toString('utf8');
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export async function startFakeGateway(options: FakeGatewayOptions): Promise<FakeGateway> {
  const hostile = options.hostile;
  /** Every string the Gateway sends goes through here: unchanged, or with the hostile text. */
  const taint = (text: string): string => (hostile ? `${text} ${hostile}` : text);
  let version = taint(options.version ?? '2026.9.6');
  let features: { methods?: string[]; events?: string[] } | undefined;
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 300;
  const startedAt = Date.now();
  const bootId = randomUUID();
  let mode: FakeGatewayMode = options.mode ?? 'healthy';
  let connections = 0;
  const connects: RecordedConnect[] = [];
  const connectWaiters: Array<{ count: number; resolve: () => void }> = [];
  const recordConnect = (entry: RecordedConnect): void => {
    connects.push(entry);
    for (const waiter of connectWaiters.filter((w) => connects.length >= w.count)) {
      connectWaiters.splice(connectWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  const pairingRequests: string[] = [];
  const pendingByDevice = new Map<string, string>();
  const approvedDevices = new Set<string>();
  const deviceTokens = new Map<string, string>(); // deviceId → issued token
  const rawSockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const cancel = (timer: NodeJS.Timeout | undefined): void => {
    if (!timer) return;
    clearTimeout(timer);
    timers.delete(timer);
  };

  const channels = (options.channels ?? []).map((c) =>
    hostile ? { ...c, channel: taint(c.channel), ...(c.accountId ? { accountId: taint(c.accountId) } : {}), lastError: taint(c.lastError ?? 'error') } : c,
  );
  const uptimeMs = (): number => Date.now() - startedAt + (options.uptimeOffsetMs ?? 0);
  const degradedLoop = () => ({ degraded: mode === 'degraded' });

  // --- HTTP --------------------------------------------------------------------------------
  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const sendHtml = (res: ServerResponse): void => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(CONTROL_UI_HTML) });
    res.end(CONTROL_UI_HTML);
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 401, { error: { message: 'Unauthorized', type: 'unauthorized' } });
      return;
    }
    if (mode === 'html-everywhere') {
      sendHtml(res);
      return;
    }
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const starting = mode === 'starting';
    switch (path) {
      case '/health':
      case '/healthz':
        if (mode === 'bomb-healthz') {
          const text = `{"ok":true,"status":"live","x":${jsonBomb(options.bombDepth ?? 8_000)}}`;
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
          res.end(text);
          return;
        }
        sendJson(res, 200, { ok: true, status: taint('live') });
        return;
      case '/ready':
      case '/readyz':
        if (mode === 'proxy-untrusted') sendJson(res, 403, PROXY_ATTRIBUTION_REQUIRED);
        else if (starting) sendJson(res, 503, { ready: false, failing: [taint('startup-sidecars'), ...(hostile ? [hostile] : [])], uptimeMs: uptimeMs() });
        else sendJson(res, 200, { ready: true, failing: [], uptimeMs: uptimeMs(), eventLoop: eventLoopPayload(degradedLoop()) });
        return;
      case '/startup':
      case '/startupz':
        if (mode === 'proxy-untrusted') sendJson(res, 403, PROXY_ATTRIBUTION_REQUIRED);
        else if (starting) sendJson(res, 503, { ok: false, status: 'starting', version, uptimeMs: uptimeMs() });
        else sendJson(res, 200, { ok: true, status: 'started', version, uptimeMs: uptimeMs() });
        return;
      default:
        sendHtml(res);
    }
  };

  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest) : createHttpServer(onRequest);
  server.on('connection', (socket: Socket) => {
    rawSockets.add(socket);
    socket.once('close', () => rawSockets.delete(socket));
  });
  // TLS handshakes a test provokes to fail must not crash the server. Non-HTTP bytes on the plain
  // server (a TLS ClientHello) get Node's default `400 Bad Request`, like the real Gateway.
  server.on('tlsClientError', () => undefined);

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD, perMessageDeflate: false });

  const rawHttpAnswer = (socket: Duplex, status: string, contentType: string, body: string): void => {
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
  /** A 101 with exactly one thing wrong (or, `forged-garbage`, a valid one followed by bytes that are no WebSocket frame). */
  const forgeUpgrade = (req: IncomingMessage, socket: Duplex, forged: FakeGatewayMode): void => {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const accept = createHash('sha1')
      .update(key + WS_GUID)
      .digest('base64');
    const lines = [
      'HTTP/1.1 101 Switching Protocols',
      ...(forged === 'forged-no-upgrade' ? [] : ['Upgrade: websocket']),
      ...(forged === 'forged-no-connection' ? [] : ['Connection: Upgrade']),
      `Sec-WebSocket-Accept: ${forged === 'forged-accept' ? createHash('sha1').update(`${key}not-the-guid`).digest('base64') : accept}`,
      ...(forged === 'forged-extension' ? ['Sec-WebSocket-Extensions: permessage-deflate'] : []),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    // FIN with all three RSV bits set: no extension was negotiated, so no valid frame starts so.
    if (forged === 'forged-garbage') socket.write(Buffer.concat([Buffer.from([0xff, 0x20]), Buffer.from(`garbage ${hostile ?? ''} `.padEnd(32, '.'))]));
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    switch (mode) {
      case 'html-everywhere':
        rawHttpAnswer(socket, '200 OK', 'text/html; charset=utf-8', CONTROL_UI_HTML);
        return;
      case 'upgrade-400':
        rawHttpAnswer(socket, '400 Bad Request', 'text/plain; charset=utf-8', taint('Bad Request'));
        return;
      case 'upgrade-426':
        rawHttpAnswer(socket, '426 Upgrade Required', 'text/plain; charset=utf-8', taint('Upgrade Required'));
        return;
      case 'forged-accept':
      case 'forged-no-upgrade':
      case 'forged-no-connection':
      case 'forged-extension':
      case 'forged-garbage':
        forgeUpgrade(req, socket, mode);
        return;
      case 'proxy-untrusted':
        rawHttpAnswer(socket, '403 Forbidden', 'application/json; charset=utf-8', JSON.stringify(PROXY_ATTRIBUTION_REQUIRED));
        return;
      default:
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
    }
  });

  // --- WebSocket ---------------------------------------------------------------------------
  const send = (ws: WebSocket, frame: unknown): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const closeWs = (ws: WebSocket, code: number, reason = ''): void => {
    // The hostile text goes first: a close reason is at most 123 bytes.
    const said = hostile ? `${hostile} ${reason}` : reason;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, truncateReason(said));
  };

  function onConnection(ws: WebSocket): void {
    connections += 1;
    const connMode = mode;
    const connId = randomUUID();
    const nonce = randomUUID();
    const connTimers = new Set<NodeJS.Timeout>();
    const connLater = (ms: number, fn: () => void): void => {
      const timer = later(ms, () => {
        connTimers.delete(timer);
        fn();
      });
      connTimers.add(timer);
    };
    let authed = false;
    let grantedScopes: string[] = [];
    let connectDone = false;
    let rotated = false;
    ws.on('error', () => undefined);
    ws.on('close', () => {
      for (const timer of connTimers) cancel(timer);
      connTimers.clear();
    });

    const handshakeTimer = later(handshakeTimeoutMs, () => {
      // The real Gateway's pre-auth timer: a plain 1000 with an empty reason.
      if (!authed) closeWs(ws, 1000, '');
    });
    connTimers.add(handshakeTimer);

    if (connMode === 'no-challenge') return; // upgraded, then mute: the handshake timer closes it
    if (connMode === 'garbage') {
      ws.send('<html><body>this is not a gateway</body></html>');
      return;
    }
    if (connMode === 'bomb-challenge') {
      ws.send(`{"type":"event","event":"connect.challenge","payload":{"nonce":"${nonce}","ts":${Date.now()},"x":${jsonBomb(options.bombDepth ?? 400_000)}}}`);
      return;
    }
    if (connMode === 'oversized-frame') {
      const size = options.oversizedBytes ?? 17 * 1024 * 1024;
      const prefix = `{"type":"event","event":"connect.challenge","payload":{"nonce":"${nonce}","ts":${Date.now()},"pad":"`;
      ws.send(`${prefix}${'x'.repeat(Math.max(0, size - prefix.length - 4))}"}}`);
      return;
    }
    send(ws, { type: 'event', event: 'connect.challenge', payload: challengePayload(nonce) });

    const reject = (id: string, error: ErrorShape, code: number, reason = error.message): void => {
      cancel(handshakeTimer);
      send(ws, { type: 'res', id, ok: false, error: { ...error, message: taint(error.message) } });
      closeWs(ws, code, reason);
    };

    const onConnect = (id: string, rawParams: unknown): void => {
      const parsed = ConnectParamsSchema.safeParse(rawParams);
      if (!parsed.success) {
        recordConnect({ valid: false, invalidReason: summariseIssues(parsed.error), hasToken: false, hasDeviceToken: false });
        reject(id, { code: 'INVALID_REQUEST', message: `invalid connect params: ${summariseIssues(parsed.error)}` }, 1008);
        return;
      }
      const params: ConnectParams = parsed.data;
      const token = params.auth?.token;
      const deviceToken = params.auth?.deviceToken;
      const role = params.role ?? 'operator';
      const scopes = params.scopes ?? [];
      const signatureToken = token ?? deviceToken ?? null;
      const device = params.device;
      const signatureValid =
        device !== undefined &&
        verifyDeviceSignature(
          device.publicKey,
          buildDeviceSignaturePayload({
            deviceId: device.id,
            clientId: params.client.id,
            clientMode: params.client.mode,
            role,
            scopes,
            signedAtMs: device.signedAt,
            token: signatureToken,
            nonce: device.nonce,
            platform: params.client.platform,
            deviceFamily: params.client.deviceFamily ?? null,
          }),
          device.signature,
        );
      recordConnect({
        valid: true,
        minProtocol: params.minProtocol,
        maxProtocol: params.maxProtocol,
        client: { ...params.client },
        role,
        scopes: [...scopes],
        hasToken: Boolean(token),
        hasDeviceToken: Boolean(deviceToken),
        ...(device
          ? {
              device: {
                id: device.id,
                publicKey: device.publicKey,
                signedAt: device.signedAt,
                nonce: device.nonce,
                nonceMatches: device.nonce === nonce,
                signatureValid,
              },
            }
          : {}),
      });

      if (connMode === 'silent') return; // the handshake timer closes it
      if (connMode === 'close-after-connect') {
        cancel(handshakeTimer);
        closeWs(ws, 1000, '');
        return;
      }

      const { minProtocol, maxProtocol } = params;
      const supportsCurrent = minProtocol <= PROTOCOL && maxProtocol >= PROTOCOL;
      // The real Gateway lets probe-mode clients offering 3 in (restart-window compatibility).
      const probeCompat = params.client.mode === 'probe' && maxProtocol >= MIN_PROBE_PROTOCOL && minProtocol <= PROTOCOL;
      if (!supportsCurrent && !probeCompat) {
        reject(
          id,
          {
            code: 'INVALID_REQUEST',
            message: 'protocol mismatch',
            details: {
              code: 'PROTOCOL_MISMATCH',
              clientMinProtocol: minProtocol,
              clientMaxProtocol: maxProtocol,
              expectedProtocol: PROTOCOL,
              minimumProbeProtocol: MIN_PROBE_PROTOCOL,
            },
          },
          1002,
        );
        return;
      }
      if (connMode === 'starting') {
        reject(
          id,
          { code: 'UNAVAILABLE', message: 'gateway starting; retry shortly', retryable: true, retryAfterMs: 500, details: { reason: 'startup-sidecars' } },
          1013,
          'gateway starting',
        );
        return;
      }
      if (connMode === 'shutdown' && options.shutdown?.phase === 'connect') {
        cancel(handshakeTimer);
        sendShutdown();
        return;
      }
      const deviceTokenMatches = device !== undefined && deviceToken !== undefined && deviceTokens.get(device.id) === deviceToken;
      // Like the real Gateway: a valid device token carries the connect even when the shared
      // token is wrong (auth method `device-token`), so a stale token hides behind a paired device.
      if (token !== undefined && token !== options.token && !deviceTokenMatches) {
        const message = "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)";
        reject(
          id,
          {
            code: 'INVALID_REQUEST',
            message,
            details: {
              code: 'AUTH_TOKEN_MISMATCH',
              authReason: 'token_mismatch',
              canRetryWithDeviceToken: false,
              recommendedNextStep: 'update_auth_credentials',
            },
          },
          1008,
        );
        return;
      }
      if (device) {
        const reasonOf = (): [string, string] | undefined => {
          if (deviceIdFromPublicKey(device.publicKey) !== device.id) return ['DEVICE_AUTH_DEVICE_ID_MISMATCH', 'device identity mismatch'];
          if (Math.abs(Date.now() - device.signedAt) > SIGNATURE_SKEW_MS) return ['DEVICE_AUTH_SIGNATURE_EXPIRED', 'device signature expired'];
          if (device.nonce !== nonce) return ['DEVICE_AUTH_NONCE_MISMATCH', 'device nonce mismatch'];
          if (!signatureValid) return ['DEVICE_AUTH_SIGNATURE_INVALID', 'device signature invalid'];
          return undefined;
        };
        const bad = reasonOf();
        if (bad) {
          reject(id, { code: 'INVALID_REQUEST', message: bad[1], details: { code: bad[0] } }, 1008);
          return;
        }
      }
      const tokenOk = token !== undefined && token === options.token;
      const deviceTokenOk = deviceTokenMatches;
      if (!tokenOk && deviceToken !== undefined && !deviceTokenOk) {
        reject(
          id,
          {
            code: 'INVALID_REQUEST',
            message: 'unauthorized: device token mismatch (rotate/reissue device token)',
            details: { code: 'AUTH_DEVICE_TOKEN_MISMATCH' },
          },
          1008,
        );
        return;
      }
      if ((!device && connMode === 'device-required') || (!tokenOk && !deviceTokenOk && !device)) {
        reject(id, { code: 'NOT_PAIRED', message: 'device identity required', details: { code: 'DEVICE_IDENTITY_REQUIRED' } }, 1008);
        return;
      }
      if (device && !tokenOk && !deviceTokenOk) {
        // A signature alone is no credential.
        reject(
          id,
          {
            code: 'INVALID_REQUEST',
            message: "unauthorized: gateway token missing (use this gateway's gateway.auth.token or pair the device)",
            details: { code: 'AUTH_TOKEN_MISSING' },
          },
          1008,
        );
        return;
      }
      if (device && connMode === 'pairing-required' && !approvedDevices.has(device.id)) {
        let requestId = pendingByDevice.get(device.id);
        if (!requestId) {
          requestId = randomUUID();
          pendingByDevice.set(device.id, requestId);
          pairingRequests.push(requestId);
        }
        const message = 'pairing required: device is not approved yet';
        reject(
          id,
          {
            code: 'NOT_PAIRED',
            message,
            details: {
              code: 'PAIRING_REQUIRED',
              reason: 'not-paired',
              requestId,
              remediationHint: 'Approve this device from the pending pairing requests.',
              deviceId: device.id,
              requestedRole: role,
              requestedScopes: scopes,
            },
          },
          1008,
          `${message} (requestId: ${requestId})`,
        );
        return;
      }

      // Accepted.
      authed = true;
      connectDone = true;
      cancel(handshakeTimer);
      if (connMode === 'scope-limited') grantedScopes = [];
      else if (device) grantedScopes = [...scopes];
      else grantedScopes = (options.grantScopes ?? true) && isLoopbackCliShape(params.client) ? [...scopes] : [];
      let issued: string | undefined;
      if (device) {
        issued = deviceTokens.get(device.id) ?? `devtok-${randomUUID()}`;
        deviceTokens.set(device.id, issued);
      }
      send(ws, {
        type: 'res',
        id,
        ok: true,
        payload: helloOkPayload({
          version,
          connId,
          bootId,
          auth: { method: tokenOk ? 'token' : 'device-token', role, scopes: grantedScopes, ...(issued ? { deviceToken: issued } : {}) },
          health: healthPayload(channels, { degraded: connMode === 'degraded', pluginErrors: (options.pluginErrors ?? []).map(taint), snapshot: true }),
          uptimeMs: uptimeMs(),
          tickIntervalMs: options.tickIntervalMs ?? 30_000,
          ...(features ? { features } : {}),
        }),
      });
      if (options.tickIntervalMs) {
        const tick = (): void => {
          send(ws, { type: 'event', event: 'tick', payload: { ts: Date.now() } });
          connLater(options.tickIntervalMs ?? 30_000, tick);
        };
        connLater(options.tickIntervalMs, tick);
      }
      if (connMode === 'shutdown') sendShutdown();
      if (connMode === 'token-rotated' && options.rotateAfterMs !== undefined) connLater(options.rotateAfterMs, rotate);
    };

    const sendShutdown = (): void => {
      const reason = taint(options.shutdown?.reason ?? 'gateway stopping');
      const restartExpectedMs = options.shutdown?.restartExpectedMs;
      send(ws, { type: 'event', event: 'shutdown', payload: { reason, ...(restartExpectedMs !== undefined ? { restartExpectedMs } : {}) } });
      closeWs(ws, 1012, 'service restart');
    };
    const rotate = (): void => {
      if (rotated) return;
      rotated = true;
      closeWs(ws, 4001, 'gateway auth changed');
    };

    const onRpc = (id: string, method: string, params: unknown): void => {
      if (connMode === 'token-rotated' && options.rotateAfterMs === undefined) {
        rotate();
        return;
      }
      const answer = (): void => {
        if (connMode === 'bomb-rpc') {
          if (ws.readyState === ws.OPEN) ws.send(`{"type":"res","id":${JSON.stringify(id)},"ok":true,"payload":${jsonBomb(options.bombDepth ?? 400_000)}}`);
          return;
        }
        if (READ_METHODS.has(method) && !grantedScopes.includes(READ_SCOPE)) {
          send(ws, {
            type: 'res',
            id,
            ok: false,
            error: {
              code: 'FORBIDDEN',
              message: taint(`missing scope: ${READ_SCOPE}`),
              details: { code: 'MISSING_SCOPE', missingScope: READ_SCOPE, requiredScopes: [READ_SCOPE] },
            },
          });
          return;
        }
        const degraded = connMode === 'degraded';
        let payload: unknown;
        switch (method) {
          case 'health':
            payload = healthPayload(channels, { degraded, pluginErrors: (options.pluginErrors ?? []).map(taint) });
            break;
          case 'status':
            payload = statusPayload(channels, { version, degraded, taint });
            break;
          case 'channels.status':
            payload = channelsStatusPayload(channels, { degraded });
            break;
          case 'config.get':
            payload = configGetPayload(channels, options.gatewayConfig ?? {});
            break;
          case 'system-presence':
            payload = [];
            break;
          default:
            send(ws, { type: 'res', id, ok: false, error: { code: 'INVALID_REQUEST', message: taint(`unknown method: ${method}`) } });
            return;
        }
        void params;
        send(ws, { type: 'res', id, ok: true, payload });
      };
      if (connMode === 'slow-rpc') connLater(options.rpcDelayMs ?? 1000, answer);
      else answer();
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
      if (!connectDone && buffer.length > PREAUTH_MAX_BYTES) {
        cancel(handshakeTimer);
        closeWs(ws, 1009, '');
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(buffer.toString('utf8'));
      } catch {
        // The real Gateway answers a non-JSON frame with a plain close.
        if (!connectDone) {
          cancel(handshakeTimer);
          closeWs(ws, 1000, '');
        }
        return;
      }
      void isBinary;
      const f = frame as { type?: unknown; id?: unknown; method?: unknown; params?: unknown };
      const isReq = f !== null && typeof f === 'object' && f.type === 'req' && typeof f.id === 'string' && f.id.length > 0 && typeof f.method === 'string';
      if (!connectDone) {
        if (!isReq) {
          cancel(handshakeTimer);
          closeWs(ws, 1008, 'invalid request frame');
          return;
        }
        if (f.method !== 'connect') {
          reject(f.id as string, { code: 'INVALID_REQUEST', message: 'invalid handshake: first request must be connect' }, 1008);
          return;
        }
        onConnect(f.id as string, f.params);
        return;
      }
      if (isReq) onRpc(f.id as string, f.method as string, f.params);
    });
  }

  // --- lifecycle ---------------------------------------------------------------------------
  let innerPort = 0;
  if (options.tls) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const inner = server.address();
    innerPort = inner !== null && typeof inner !== 'string' ? inner.port : 0;
  }
  // With TLS, a front socket server sniffs the first byte the way Go's crypto/tls (Tailscale
  // Serve, Caddy) does: a TLS handshake (0x16) goes to the HTTPS server, plain HTTP gets
  // `400 Client sent an HTTP request to an HTTPS server.`
  const front = options.tls
    ? createNetServer((socket) => {
        socket.on('error', () => undefined);
        rawSockets.add(socket);
        socket.once('close', () => rawSockets.delete(socket));
        socket.once('data', (chunk: Buffer) => {
          if (chunk[0] === 0x16) {
            // Relayed to the HTTPS server on its own port (a TLS server cannot adopt a socket
            // whose first bytes were already read).
            socket.pause();
            const inner = connectNet(innerPort, '127.0.0.1', () => {
              inner.write(chunk);
              socket.pipe(inner).pipe(socket);
              socket.resume();
            });
            inner.on('error', () => socket.destroy());
            socket.once('close', () => inner.destroy());
            rawSockets.add(inner);
            inner.once('close', () => rawSockets.delete(inner));
          } else {
            socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
          }
        });
      })
    : server;
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(0, '127.0.0.1', () => {
      front.off('error', reject);
      resolve();
    });
  });
  const address = front.address();
  if (address === null || typeof address === 'string') throw new Error('fake gateway: no TCP address');
  const port = address.port;
  const secure = Boolean(options.tls);

  let closing: Promise<void> | undefined;
  return {
    url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    httpUrl: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    setMode(next: FakeGatewayMode) {
      mode = next;
    },
    upgrade(next) {
      if (next.version !== undefined) version = taint(next.version);
      if (next.methods !== undefined || next.events !== undefined)
        features = { ...features, ...(next.methods ? { methods: next.methods } : {}), ...(next.events ? { events: next.events } : {}) };
    },
    get connections() {
      return connections;
    },
    connects,
    pairingRequests,
    waitForConnects(count: number) {
      if (connects.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => connectWaiters.push({ count, resolve }));
    },
    approvePairing(requestId: string) {
      for (const [deviceId, pending] of pendingByDevice) if (pending === requestId) approvedDevices.add(deviceId);
    },
    close() {
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const client of wss.clients) client.terminate();
        for (const socket of rawSockets) socket.destroy();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        if (front !== server) await new Promise<void>((resolve) => front.close(() => resolve()));
        if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

export interface BlackholeServer {
  port: number;
  url: string;
  /** TCP connections accepted (and never answered). */
  readonly connections: number;
  close(): Promise<void>;
}

/** Accepts TCP and never says a word: a hung process, or a firewall that completes the handshake. */
export async function startBlackholeServer(): Promise<BlackholeServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('blackhole: no TCP address');
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `ws://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function reservedClosedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address !== 'string' ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
