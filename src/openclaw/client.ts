import { performance } from 'node:perf_hooks';
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { z } from 'zod';
import { formatBytes } from '../bounded-json.js';
import { netErrorOf } from '../report/net-error.js';
import { CLAWOPS_VERSION } from '../version.js';
import type { CloseEvidence, HandshakeEvidence, UpgradeEvidence } from '../report/report.js';
import { buildDeviceSignaturePayload } from './device-identity.js';
import {
  ConnectChallengePayloadSchema,
  FRAME_LIMITS,
  HelloOkPayloadSchema,
  HttpErrorBodySchema,
  PROTOCOL_VERSION,
  ShutdownPayloadSchema,
  errorEvidenceOf,
  parseFrame,
  readErrorDetails,
  summariseIssues,
  type ConnectParams,
  type GatewayFrame,
  type ShutdownPayload,
} from './frames.js';
import type { ConnectOptions, ConnectResult, ConnectTiming, GatewaySession, HelloOk, RpcOutcome } from './types.js';
import { boundedFeatures, MAX_FEATURE_NAME_CHARS } from './advertised-features.js';

/**
 * The OpenClaw Gateway client: TCP → HTTP upgrade → `connect.challenge` → `connect` → hello-ok,
 * then RPC by id. Built for diagnosis, not for staying connected: every step is timed, every
 * failure is a typed value (never a throw), and nothing secret reaches the evidence.
 */

type Upgrade = z.infer<typeof UpgradeEvidence>;
type Handshake = z.infer<typeof HandshakeEvidence>;
type Close = z.infer<typeof CloseEvidence>;

/** ws's own default is 100 MiB; a hostile Gateway must not make us buffer that much (frames.ts says why 1 MiB). */
export const DEFAULT_MAX_PAYLOAD_BYTES = FRAME_LIMITS.maxBytes;
/** How much of a non-101 answer's body we keep (enough to see `<!doctype html>` or a proxy's error). */
const BODY_START_CHARS = 120;
/** How much of a non-101 answer's body we read: the Gateway's JSON refusals (403 proxy attribution) fit. */
const BODY_READ_CHARS = 4_096;
/** After an error frame the Gateway closes at once; wait this long for the close code. */
const REJECT_CLOSE_GRACE_MS = 1_000;
/** session.close(): how long to wait for the Gateway's close echo before dropping the socket. */
const SESSION_CLOSE_GRACE_MS = 2_000;
const REDACTED = '[redacted]';
/** Bodies of a TLS server's answer to plain HTTP (Go's crypto/tls, nginx). */
const PLAIN_HTTP_TO_TLS_PORT = [/HTTP request to an HTTPS server/i, /plain HTTP request was sent to HTTPS port/i];

/** The key an identity stores this Gateway's device token under: `ws://host:port` (scheme folded). */
export function gatewayKeyOf(url: string): string {
  try {
    const parsed = new URL(url);
    const secure = parsed.protocol === 'wss:' || parsed.protocol === 'https:';
    return `${secure ? 'wss' : 'ws'}://${parsed.host}`;
  } catch {
    return url;
  }
}

/** The URL as evidence: no userinfo, no query values (a token must never ride in a URL we report). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, REDACTED);
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return '(invalid url)';
  }
}

/** Our package version, for `client.version`. */
export function clientVersion(): string {
  return CLAWOPS_VERSION;
}

function makeRedactor(secrets: Set<string>): (text: string) => string {
  return (text) => {
    let out = text;
    // `includes` first: most texts (hundreds of advertised names per hello-ok) hold no secret, and split/join allocates for each.
    for (const secret of secrets) if (secret.length > 0 && out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
}

function rawToText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** ws reports receiver violations (oversized, bad UTF-8, bad opcode) as `WS_ERR_*`. */
function isWsProtocolError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('WS_ERR_');
}

function describeWsProtocolError(error: Error & { code: string }, maxPayload: number): string {
  if (isOversized(error)) return `a frame larger than ${formatBytes(maxPayload)}: refused unread`;
  return `invalid WebSocket frame (${error.code})`;
}

/** ws refuses a frame beyond maxPayload before buffering it: a refusal, said as one. */
function isOversized(error: Error & { code: string }): boolean {
  return error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
}

function violationText(reason: string, text: string, redact: (text: string) => string): string {
  const snippet = redact(text.slice(0, BODY_START_CHARS));
  return `${reason}: ${JSON.stringify(snippet)}${text.length > BODY_START_CHARS ? '…' : ''}`;
}

/**
 * Connects, authenticates and returns a session, or the stage and evidence of the failure.
 * Never rejects. The caller owns a returned session and must `close()` it.
 */
export function connectToGateway(options: ConnectOptions): Promise<ConnectResult> {
  return new Promise<ConnectResult>((resolve) => {
    const start = performance.now();
    const elapsed = (): number => Math.round(performance.now() - start);

    const gatewayKey = options.gatewayKey ?? gatewayKeyOf(options.url);
    const storedDeviceToken = options.useDeviceToken === false ? undefined : options.identity?.deviceTokenFor(gatewayKey);
    const secrets = new Set<string>([options.token, storedDeviceToken].filter((s): s is string => typeof s === 'string' && s.length > 0));
    const redact = makeRedactor(secrets);

    const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    const offered = { min: options.protocol?.min ?? PROTOCOL_VERSION, max: options.protocol?.max ?? PROTOCOL_VERSION };
    const role = options.role ?? 'operator';
    const requestedScopes = options.scopes ?? ['operator.read'];

    const upgrade: Upgrade = { url: redactUrl(options.url) };
    const timing: ConnectTiming = { upgradeMs: 0 };
    const handshake: Handshake = {
      challenge: false,
      offeredProtocol: offered,
      scopes: [],
      requestedScopes: [...requestedScopes],
      ...(options.identity ? { deviceId: options.identity.deviceId } : {}),
    };

    let phase: 'upgrading' | 'handshaking' | 'done' = 'upgrading';
    let tlsEstablished = false;
    let upgradedAt = 0;
    let responseSeen = false;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void): NodeJS.Timeout => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        fn();
      }, ms);
      timers.add(timer);
      return timer;
    };
    const clearTimers = (): void => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    };

    let ws: WebSocket | undefined;
    const onAbort = (): void => {
      if (phase === 'upgrading') {
        upgrade.error = 'aborted';
        failUpgrade();
      } else if (phase === 'handshaking') {
        failHandshake('aborted');
      }
    };

    const finish = (result: ConnectResult): void => {
      if (phase === 'done') return;
      phase = 'done';
      clearTimers();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const drop = (): void => {
      try {
        ws?.terminate();
      } catch {
        // terminate() on a socket that never opened can throw in old ws versions; nothing to free.
      }
    };
    // finish() before drop(): terminating may emit events, which must find the attempt settled.
    const failUpgrade = (): void => {
      timing.upgradeMs = elapsed();
      finish({ ok: false, stage: 'upgrade', upgrade, timing });
      drop();
    };
    const failHandshake = (failure: NonNullable<Handshake['failure']>): void => {
      if (phase !== 'handshaking') return;
      handshake.failure = failure;
      timing.handshakeMs = elapsed();
      finish({ ok: false, stage: 'handshake', upgrade, handshake, timing });
      drop();
    };

    // --- preconditions -------------------------------------------------------------------
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      upgrade.error = 'other';
      upgrade.errno = 'ERR_INVALID_URL';
      finish({ ok: false, stage: 'upgrade', upgrade, timing: { upgradeMs: elapsed() } });
      return;
    }
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
      upgrade.error = 'other';
      upgrade.errno = 'ERR_INVALID_URL_SCHEME';
      finish({ ok: false, stage: 'upgrade', upgrade, timing: { upgradeMs: elapsed() } });
      return;
    }
    if (options.signal?.aborted) {
      upgrade.error = 'aborted';
      finish({ ok: false, stage: 'upgrade', upgrade, timing: { upgradeMs: elapsed() } });
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // --- upgrade ---------------------------------------------------------------------------
    try {
      ws = new WebSocket(url, {
        perMessageDeflate: false,
        maxPayload,
        followRedirects: false,
        headers: { 'User-Agent': `clawops/${clientVersion()}` },
        ...(options.tls?.ca !== undefined ? { ca: options.tls.ca } : {}),
        ...(options.tls?.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.tls.rejectUnauthorized } : {}),
        ...(options.lookup ? { lookup: options.lookup } : {}),
        // The only public hook on the request: it gives us the socket for the TCP connect time.
        finishRequest: (request: ClientRequest) => {
          request.once('socket', (socket) => {
            const markTcp = (): void => {
              timing.tcpMs ??= elapsed();
            };
            if (socket.connecting) socket.once('connect', markTcp);
            else markTcp();
            socket.once('secureConnect', () => {
              tlsEstablished = true;
            });
          });
          request.end();
        },
      });
    } catch (error) {
      const { kind, errno } = netErrorOf(error);
      upgrade.error = kind;
      if (errno) upgrade.errno = errno;
      finish({ ok: false, stage: 'upgrade', upgrade, timing: { upgradeMs: elapsed() } });
      return;
    }
    const socket = ws;

    later(options.upgradeTimeoutMs, () => {
      if (phase !== 'upgrading') return;
      // An HTTP answer already arrived and its body is still trickling in: the status is the
      // finding, not a timeout.
      if (!responseSeen) upgrade.error = 'timeout';
      failUpgrade();
    });

    socket.on('upgrade', (response: IncomingMessage) => {
      upgrade.httpStatus = response.statusCode;
      // ws checks Upgrade, the accept key, subprotocols and extensions; RFC 6455 §4.1 also
      // requires `Connection: Upgrade`. A 101 without it is not a WebSocket accept.
      const connection = String(response.headers.connection ?? '')
        .toLowerCase()
        .split(/\s*,\s*/);
      if (!connection.includes('upgrade')) {
        upgrade.notWebSocket = 'Missing Connection: Upgrade header';
        socket.terminate();
      }
    });

    socket.on('unexpected-response', (_request: ClientRequest, response: IncomingMessage) => {
      responseSeen = true;
      upgrade.httpStatus = response.statusCode;
      // Node hands ws a 101 that lacks `Upgrade` or `Connection: Upgrade` as a plain response.
      if (response.statusCode === 101) return failForged101(response);
      const contentType = response.headers['content-type'];
      if (contentType) upgrade.contentType = redact(contentType);
      let body = '';
      response.setEncoding('utf8');
      const done = (): void => {
        if (phase !== 'upgrading') return;
        if (body.length > 0) upgrade.bodyStart = redact(body.slice(0, BODY_START_CHARS));
        // Plain HTTP spoken to a TLS port: Go (Tailscale Serve, Caddy) and nginx say so in a 400.
        if (PLAIN_HTTP_TO_TLS_PORT.some((pattern) => pattern.test(body))) upgrade.error = 'tls';
        const refusal = httpErrorType(body);
        if (refusal) upgrade.errorType = redact(refusal);
        failUpgrade();
      };
      response.on('data', (chunk: string) => {
        body += chunk;
        if (body.length >= BODY_READ_CHARS) done();
      });
      response.once('end', done);
      response.once('close', done);
      response.once('error', done);
    });

    const failForged101 = (response: IncomingMessage): void => {
      const missing = [
        response.headers.upgrade === undefined ? 'Upgrade' : undefined,
        /\bupgrade\b/i.test(String(response.headers.connection ?? '')) ? undefined : 'Connection: Upgrade',
      ].filter(Boolean);
      upgrade.notWebSocket = `Missing ${missing.join(' and ') || 'Upgrade'} header`;
      upgrade.error = 'other';
      failUpgrade();
    };

    socket.on('open', () => {
      if (phase !== 'upgrading') return;
      phase = 'handshaking';
      upgradedAt = elapsed();
      timing.upgradeMs = upgradedAt;
      upgrade.httpStatus ??= 101;
      later(options.handshakeTimeoutMs, () => failHandshake(handshake.error ? 'rejected' : handshake.challenge ? 'timeout' : 'no-challenge'));
    });

    socket.on('error', (error: Error) => {
      if (phase === 'upgrading') {
        if (responseSeen) return; // the body reader settles
        if (upgrade.httpStatus === 101) {
          // A 101 the ws library refused (accept key, Upgrade header, an extension we never
          // offered): something answered that is not a WebSocket server — a forged upgrade.
          upgrade.notWebSocket ??= redact(error.message).slice(0, BODY_START_CHARS);
          upgrade.error = 'other';
          failUpgrade();
          return;
        }
        const { kind, errno } = netErrorOf(error);
        // wss:// whose TCP connected but whose TLS never completed: whatever the errno (a reset,
        // a hang-up), the TLS handshake is what failed (TLS to a plain port, a TLS-cutting proxy).
        const secure = url.protocol === 'wss:' || url.protocol === 'https:';
        upgrade.error = secure && timing.tcpMs !== undefined && !tlsEstablished && (kind === 'reset' || kind === 'closed' || kind === 'other') ? 'tls' : kind;
        if (errno) upgrade.errno = errno;
        failUpgrade();
      } else if (phase === 'handshaking') {
        if (isWsProtocolError(error)) {
          handshake.protocolViolation = describeWsProtocolError(error, maxPayload);
          if (isOversized(error)) handshake.refused = handshake.protocolViolation;
          failHandshake('protocol-violation');
        }
        // Socket errors (reset) are followed by 'close' (1006), which settles.
      }
    });

    socket.on('close', (code: number, reason: Buffer) => {
      if (phase === 'upgrading') {
        if (responseSeen) return;
        upgrade.error ??= 'closed';
        failUpgrade();
        return;
      }
      if (phase !== 'handshaking') return;
      handshake.close = { code, reason: redact(reason.toString('utf8')) };
      handshake.closedAfterMs = elapsed() - upgradedAt;
      failHandshake(handshake.error ? 'rejected' : 'closed');
    });

    // --- handshake -------------------------------------------------------------------------
    const connectId = `connect-${Math.random().toString(36).slice(2, 10)}`;

    const sendConnect = (nonce: string, signedAtMs: number): void => {
      const client = {
        id: options.client?.id ?? 'cli',
        mode: options.client?.mode ?? 'cli',
        version: options.client?.version ?? clientVersion(),
        platform: options.client?.platform ?? process.platform,
        ...(options.client?.deviceFamily ? { deviceFamily: options.client.deviceFamily } : {}),
      };
      const auth: NonNullable<ConnectParams['auth']> = {};
      if (options.token) auth.token = options.token;
      if (storedDeviceToken) auth.deviceToken = storedDeviceToken;
      const params: ConnectParams = {
        minProtocol: offered.min,
        maxProtocol: offered.max,
        client,
        role,
        scopes: [...requestedScopes],
        ...(Object.keys(auth).length > 0 ? { auth } : {}),
      };
      if (options.identity) {
        const payload = buildDeviceSignaturePayload({
          deviceId: options.identity.deviceId,
          clientId: client.id,
          clientMode: client.mode,
          role,
          scopes: requestedScopes,
          signedAtMs,
          // The Gateway signs over auth.token, else auth.deviceToken (resolveSignatureToken).
          token: auth.token ?? auth.deviceToken ?? null,
          nonce,
          platform: client.platform,
          deviceFamily: client.deviceFamily ?? null,
        });
        params.device = {
          id: options.identity.deviceId,
          publicKey: options.identity.publicKey,
          signature: options.identity.sign(payload),
          signedAt: signedAtMs,
          nonce,
        };
      }
      socket.send(JSON.stringify({ type: 'req', id: connectId, method: 'connect', params }), () => {
        // A failed send surfaces as 'close'; nothing to do here.
      });
    };

    const onHelloOk = (payload: unknown): void => {
      const parsed = HelloOkPayloadSchema.safeParse(payload);
      if (!parsed.success) {
        handshake.protocolViolation = `hello-ok payload invalid: ${summariseIssues(parsed.error)}`;
        failHandshake('protocol-violation');
        return;
      }
      const p = parsed.data;
      const issuedToken = p.auth.deviceToken;
      if (issuedToken) secrets.add(issuedToken);
      const hello: HelloOk = {
        protocol: p.protocol,
        server: {
          version: p.server.version,
          ...(p.server.connId !== undefined ? { connId: p.server.connId } : {}),
          ...(p.server.buildId !== undefined ? { buildId: p.server.buildId } : {}),
        },
        methods: p.features?.methods ?? [],
        auth: {
          ...(p.auth.method !== undefined ? { method: p.auth.method } : {}),
          ...(p.auth.role !== undefined ? { role: p.auth.role } : {}),
          scopes: p.auth.scopes,
          ...(issuedToken !== undefined ? { deviceToken: issuedToken } : {}),
        },
        ...(p.policy?.tickIntervalMs !== undefined ? { tickIntervalMs: p.policy.tickIntervalMs } : {}),
        ...(p.policy?.maxPayload !== undefined ? { maxPayload: p.policy.maxPayload } : {}),
        ...(p.snapshot?.uptimeMs !== undefined ? { uptimeMs: p.snapshot.uptimeMs } : {}),
      };
      handshake.protocol = p.protocol;
      handshake.serverVersion = redact(p.server.version);
      if (p.server.buildId !== undefined) handshake.buildId = redact(p.server.buildId.slice(0, MAX_FEATURE_NAME_CHARS));
      handshake.features = boundedFeatures(p.features?.methods ?? [], p.features?.events ?? [], redact);
      if (p.server.connId !== undefined) handshake.connId = p.server.connId;
      if (p.auth.method !== undefined) handshake.authMethod = p.auth.method;
      if (p.auth.role !== undefined) handshake.role = p.auth.role;
      handshake.scopes = [...p.auth.scopes];
      if (p.policy?.tickIntervalMs !== undefined) handshake.tickIntervalMs = p.policy.tickIntervalMs;
      if (p.snapshot?.uptimeMs !== undefined) handshake.uptimeMs = p.snapshot.uptimeMs;
      if (options.identity) {
        handshake.deviceTokenIssued = issuedToken !== undefined;
        handshake.pairing = { status: 'approved' };
      } else {
        handshake.pairing = { status: 'not-used' };
      }
      timing.handshakeMs = elapsed();

      // Hand the socket over synchronously so no frame falls between the two owners.
      phase = 'done';
      clearTimers();
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('message');
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      socket.removeAllListeners('upgrade');
      socket.removeAllListeners('unexpected-response');
      socket.removeAllListeners('open');
      const session = new Session(socket, hello, redact, maxPayload);

      const done = (): void => resolve({ ok: true, session, upgrade, handshake, timing });
      if (issuedToken && options.identity) {
        // A token we fail to keep costs a re-pairing later, not this check: never fail on it.
        options.identity.saveDeviceToken(gatewayKey, issuedToken).then(done, done);
      } else {
        done();
      }
    };

    const onFrame = (frame: GatewayFrame): void => {
      if (frame.type === 'event') {
        if (frame.event === 'connect.challenge') {
          if (handshake.challenge) return;
          const challenge = ConnectChallengePayloadSchema.safeParse(frame.payload);
          if (!challenge.success) {
            handshake.protocolViolation = `connect.challenge payload invalid: ${summariseIssues(challenge.error)}`;
            failHandshake('protocol-violation');
            return;
          }
          handshake.challenge = true;
          handshake.challengeMs = elapsed();
          sendConnect(challenge.data.nonce, challenge.data.ts);
        } else if (frame.event === 'shutdown') {
          handshake.shutdown = shutdownEvidence(frame.payload);
        }
        return;
      }
      if (frame.type !== 'res' || frame.id !== connectId) return;
      if (frame.ok) {
        onHelloOk(frame.payload);
        return;
      }
      if (!frame.error) {
        handshake.protocolViolation = 'connect answered ok:false without an error';
        failHandshake('protocol-violation');
        return;
      }
      handshake.error = errorEvidenceOf(frame.error, redact);
      const details = readErrorDetails(frame.error.details);
      if (options.identity && (details.code === 'PAIRING_REQUIRED' || frame.error.code === 'NOT_PAIRED') && details.code !== 'DEVICE_IDENTITY_REQUIRED') {
        handshake.pairing = { status: 'pending', ...(handshake.error.requestId ? { requestId: handshake.error.requestId } : {}) };
      }
      // The Gateway closes right after the error frame; the close code is half the diagnosis.
      later(REJECT_CLOSE_GRACE_MS, () => failHandshake('rejected'));
    };

    socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      if (phase !== 'handshaking') return;
      const text = rawToText(data);
      if (isBinary) {
        handshake.protocolViolation = violationText('binary frame', text, redact);
        failHandshake('protocol-violation');
        return;
      }
      const parsed = parseFrame(text, { ...FRAME_LIMITS, maxBytes: maxPayload });
      if (!parsed.ok) {
        if (parsed.refused) handshake.refused = parsed.reason;
        handshake.protocolViolation = parsed.refused ? parsed.reason : violationText(parsed.reason, text, redact);
        failHandshake('protocol-violation');
        return;
      }
      onFrame(parsed.frame);
    });
  });
}

/** `error.type` of a JSON refusal body (`proxy_attribution_required`), when it is one. */
function httpErrorType(body: string): string | undefined {
  if (!body.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = HttpErrorBodySchema.safeParse(JSON.parse(body));
    const type = parsed.success ? parsed.data.error.type : undefined;
    return type && /^[A-Za-z0-9_.:-]{1,64}$/.test(type) ? type : undefined;
  } catch {
    return undefined; // cut at BODY_READ_CHARS, or not JSON after all
  }
}

function shutdownEvidence(payload: unknown): { reason?: string; restartExpectedMs?: number } {
  const parsed = ShutdownPayloadSchema.safeParse(payload);
  const data: ShutdownPayload = parsed.success ? parsed.data : {};
  return {
    ...(data.reason !== undefined ? { reason: data.reason } : {}),
    ...(data.restartExpectedMs !== undefined ? { restartExpectedMs: data.restartExpectedMs } : {}),
  };
}

interface PendingCall {
  settle(outcome: RpcOutcome): void;
}

/**
 * An authenticated connection. Calls are matched to answers by id, so several may be in flight;
 * each has its own deadline. Every call resolves: with the answer, the Gateway's error, the
 * close that ended the socket, our timeout, or the caller's abort.
 */
class Session implements GatewaySession {
  readonly hello: HelloOk;
  readonly #ws: WebSocket;
  #corked = false;
  readonly #redact: (text: string) => string;
  readonly #maxPayload: number;
  readonly #pending = new Map<string, PendingCall>();
  #seq = 0;
  #close: Close | undefined;
  #shutdown: { reason?: string; restartExpectedMs?: number } | undefined;
  #violation: string | undefined;
  #refused: string | undefined;
  #closing: Promise<void> | undefined;
  #onClosed: Array<() => void> = [];

  constructor(ws: WebSocket, hello: HelloOk, redact: (text: string) => string, maxPayload: number) {
    this.hello = hello;
    this.#ws = ws;
    this.#redact = redact;
    this.#maxPayload = maxPayload;
    ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.#onMessage(rawToText(data), isBinary));
    ws.on('error', (error: Error) => {
      if (isWsProtocolError(error)) this.#protocolViolation(describeWsProtocolError(error, this.#maxPayload), isOversized(error));
      // Socket errors are followed by 'close'.
    });
    ws.on('close', (code: number, reason: Buffer) => this.#onClose(code, reason.toString('utf8')));
    // A socket that died between hello-ok and now (already CLOSED) will not emit again.
    if (ws.readyState === WebSocket.CLOSED) this.#onClose(1006, '');
  }

  get closeEvidence(): Close | undefined {
    return this.#close;
  }

  get shutdown(): { reason?: string; restartExpectedMs?: number } | undefined {
    return this.#shutdown;
  }

  call(method: string, params: Record<string, unknown>, options: { timeoutMs: number; signal?: AbortSignal }): Promise<RpcOutcome> {
    const started = performance.now();
    const durationMs = (): number => Math.round(performance.now() - started);
    if (this.#close) return Promise.resolve(this.#failure(0));
    if (options.signal?.aborted) return Promise.resolve({ ok: false, durationMs: 0, aborted: true });

    return new Promise<RpcOutcome>((resolve) => {
      this.#seq += 1;
      const id = `rpc-${this.#seq}`;
      let settled = false;
      const onAbort = (): void => settle({ ok: false, durationMs: durationMs(), aborted: true });
      const timer = setTimeout(() => settle({ ok: false, durationMs: durationMs(), timedOut: true }), options.timeoutMs);
      const settle = (outcome: RpcOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
        resolve(outcome);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        settle: (outcome) => settle({ ...outcome, durationMs: durationMs() }),
      });
      this.#corkUntilNextTick();
      this.#ws.send(JSON.stringify({ type: 'req', id, method, params }), () => {
        // Send failures mean the socket is going away; its 'close' settles this call.
      });
    });
  }

  /**
   * Calls made in one tick (the ladder's health, status, channels.status and config.get) leave in
   * one TCP write: one segment on the tailnet instead of four, and one syscall (measured on a
   * worker with 500 gateways: the four writes were ~5 % of its CPU). `ws` keeps its socket on
   * `_socket`; without one (a test double) the frames go as before.
   */
  #corkUntilNextTick(): void {
    const socket = (this.#ws as unknown as { _socket?: { cork(): void; uncork(): void } | null })._socket;
    if (this.#corked || !socket) return;
    this.#corked = true;
    socket.cork();
    process.nextTick(() => {
      this.#corked = false;
      socket.uncork();
    });
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = new Promise<void>((resolve) => {
      if (this.#close) {
        resolve();
        return;
      }
      const timer = setTimeout(() => this.#ws.terminate(), SESSION_CLOSE_GRACE_MS);
      this.#onClosed.push(() => {
        clearTimeout(timer);
        resolve();
      });
      try {
        this.#ws.close(1000);
      } catch {
        this.#ws.terminate();
      }
    });
    return this.#closing;
  }

  /** Safe to log: no socket, no device token. */
  toJSON(): unknown {
    const { deviceToken, ...auth } = this.hello.auth;
    return {
      hello: { ...this.hello, auth: { ...auth, ...(deviceToken !== undefined ? { deviceToken: REDACTED } : {}) }, methods: this.hello.methods.length },
      closeEvidence: this.#close,
      shutdown: this.#shutdown,
    };
  }

  #failure(durationMs: number): RpcOutcome {
    return {
      ok: false,
      durationMs,
      ...(this.#close ? { close: this.#close } : {}),
      ...(this.#violation ? { protocolViolation: this.#violation } : {}),
      ...(this.#refused ? { refused: this.#refused } : {}),
    };
  }

  #onMessage(text: string, isBinary: boolean): void {
    if (isBinary) {
      this.#protocolViolation(violationText('binary frame', text, this.#redact));
      return;
    }
    const parsed = parseFrame(text, { ...FRAME_LIMITS, maxBytes: this.#maxPayload });
    if (!parsed.ok) {
      this.#protocolViolation(parsed.refused ? parsed.reason : violationText(parsed.reason, text, this.#redact), parsed.refused !== undefined);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'event') {
      if (frame.event === 'shutdown') this.#shutdown = shutdownEvidence(frame.payload);
      return;
    }
    if (frame.type !== 'res') return;
    const pending = this.#pending.get(frame.id);
    if (!pending) return;
    if (frame.ok) pending.settle({ ok: true, payload: frame.payload, durationMs: 0 });
    else if (frame.error) pending.settle({ ok: false, durationMs: 0, error: errorEvidenceOf(frame.error, this.#redact) });
    else pending.settle({ ok: false, durationMs: 0, protocolViolation: 'answered ok:false without an error' });
  }

  /** A Gateway that breaks framing (or sends what we refuse to read) cannot be trusted for the rest of the stream: drop it. */
  #protocolViolation(description: string, refused = false): void {
    this.#violation ??= description;
    if (refused) this.#refused ??= description;
    this.#ws.terminate();
  }

  #onClose(code: number, reason: string): void {
    if (this.#close) return;
    this.#close = { code, reason: this.#redact(reason) };
    for (const pending of [...this.#pending.values()]) pending.settle(this.#failure(0));
    this.#pending.clear();
    for (const callback of this.#onClosed.splice(0)) callback();
  }
}
