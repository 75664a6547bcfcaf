/**
 * Slack's side of Socket Mode over `ws`. `apps.connections.open` issues a one-time ticket URL;
 * on connect the server says `hello` (Bolt's `start()` resolves on it); envelopes go out as
 * `{envelope_id, type, payload, accepts_response_payload}` and the app acks with
 * `{envelope_id, payload}`; `{type:"disconnect"}` makes the client close and reconnect through a
 * new `apps.connections.open`. The client pings every ~1.7 s; `ws` answers pongs itself.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { Journal, type WaitOptions } from './journal.js';

export const SOCKET_PATH = '/link/';

/** Slack's own limit for acknowledging an envelope; a slower app shows the user an error. */
export const SLACK_ACK_TIMEOUT_MS = 3_000;

export type EnvelopeType = 'slash_commands' | 'events_api' | 'interactive';

export interface EnvelopeAck {
  envelopeId: string;
  /** What the app passed to `ack()` (`{}` for a bare `ack()`). */
  ack: Record<string, unknown> | undefined;
  latencyMs: number;
}

export interface SendOptions {
  /** Fail when the app has not acked within this long (Slack's limit by default). */
  ackTimeoutMs?: number;
  retryAttempt?: number;
  retryReason?: string;
}

export interface SocketEvent {
  /** `ping`: the client's heartbeat arrived (`ws` has already answered it with a pong). */
  kind: 'hello' | 'ping' | 'closed';
  socketId: number;
  at: number;
  code?: number;
}

interface LiveSocket {
  id: number;
  ws: WebSocket;
  retiring: boolean;
  closed: Promise<void>;
}

interface PendingAck {
  resolve: (ack: EnvelopeAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  sentAt: number;
  socketId: number;
  label: string;
}

export class SocketModeHub {
  readonly events = new Journal<SocketEvent>();
  /** Every frame the app sent, parsed (acks and anything unexpected). */
  readonly inbound: unknown[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets: LiveSocket[] = [];
  private readonly pending = new Map<string, PendingAck>();
  private nextSocketId = 0;

  constructor(
    private readonly appId: string,
    private readonly wsBaseUrl: () => string,
  ) {}

  /** The URL `apps.connections.open` returns; its ticket is good for one connection. */
  issueUrl(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return `${this.wsBaseUrl()}${SOCKET_PATH}?ticket=${ticket}&app_id=${this.appId}`;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== SOCKET_PATH || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private onConnection(ws: WebSocket): void {
    this.nextSocketId += 1;
    const id = this.nextSocketId;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    const live: LiveSocket = { id, ws, retiring: false, closed };
    this.sockets.push(live);
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('ping', () => this.events.push({ kind: 'ping', socketId: id, at: Date.now() }));
    ws.on('close', (code) => {
      this.sockets.splice(this.sockets.indexOf(live), 1);
      for (const [envelopeId, pending] of this.pending) {
        if (pending.socketId !== id) continue;
        this.settle(envelopeId)?.reject(new Error(`socket closed before ${pending.label} was acknowledged`));
      }
      this.events.push({ kind: 'closed', socketId: id, at: Date.now(), code });
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.filter((s) => !s.retiring).length,
        debug_info: { host: 'applink-emulator', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    this.events.push({ kind: 'hello', socketId: id, at: Date.now() });
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    if (isBinary) return void this.inbound.push({ binary: true });
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return void this.inbound.push({ unparsable: data.toString() });
    }
    this.inbound.push(frame);
    const envelopeId = (frame as { envelope_id?: unknown }).envelope_id;
    if (typeof envelopeId !== 'string') return;
    const pending = this.settle(envelopeId);
    pending?.resolve({
      envelopeId,
      ack: (frame as { payload?: Record<string, unknown> }).payload,
      latencyMs: performance.now() - pending.sentAt,
    });
  }

  private settle(envelopeId: string): PendingAck | undefined {
    const pending = this.pending.get(envelopeId);
    if (pending === undefined) return undefined;
    this.pending.delete(envelopeId);
    clearTimeout(pending.timer);
    return pending;
  }

  private current(): LiveSocket | undefined {
    return this.sockets.filter((s) => !s.retiring).at(-1);
  }

  /** Deliver an envelope on the newest connection and resolve with the app's ack. */
  send(type: EnvelopeType, payload: Record<string, unknown>, label: string, options: SendOptions = {}): Promise<EnvelopeAck> {
    const socket = this.current();
    if (socket === undefined) {
      return Promise.reject(new Error(`no Socket Mode connection to deliver ${label} on (did the app start? await waitForSocket())`));
    }
    const envelopeId = randomUUID();
    const timeoutMs = options.ackTimeoutMs ?? SLACK_ACK_TIMEOUT_MS;
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: type === 'slash_commands' || payload.type === 'view_submission',
    };
    if (type === 'events_api') {
      envelope.retry_attempt = options.retryAttempt ?? 0;
      envelope.retry_reason = options.retryReason ?? '';
    }
    return new Promise<EnvelopeAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`${label} was not acknowledged within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, { resolve, reject, timer, sentAt: performance.now(), socketId: socket.id, label });
      socket.ws.send(JSON.stringify(envelope));
    });
  }

  /** Ask the app to reconnect as Slack does when recycling a connection; resolves once the old sockets close. */
  async disconnect(reason: string, timeoutMs = 5_000): Promise<void> {
    const retiring = this.sockets.filter((s) => !s.retiring);
    for (const socket of retiring) {
      socket.retiring = true;
      socket.ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-emulator' } }));
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`app did not close its socket within ${timeoutMs} ms of "disconnect"`)), timeoutMs);
    });
    try {
      await Promise.race([Promise.all(retiring.map((s) => s.closed)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Cut every connection without a close handshake (a network drop, not a Slack-initiated refresh). */
  drop(): void {
    for (const socket of this.sockets) socket.ws.terminate();
  }

  /** Resolves once a connection is up (hello sent) and not being retired. */
  waitForSocket(options: WaitOptions = {}): Promise<void> {
    if (this.current() !== undefined) return Promise.resolve();
    const since = options.since ?? this.events.mark();
    return this.events
      .waitFor(
        (e) => e.kind === 'hello',
        { ...options, since },
        (ms) => `no Socket Mode connection within ${ms} ms; events: ${JSON.stringify(this.events.entries)}`,
      )
      .then(() => undefined);
  }

  /** Resolves with the last close once no connection is open (e.g. after `app.stop()`). */
  waitForAllClosed(options: WaitOptions = {}): Promise<SocketEvent | undefined> {
    if (this.sockets.length === 0) return Promise.resolve(this.events.entries.findLast((e) => e.kind === 'closed'));
    const since = options.since ?? this.events.mark();
    return this.events.waitFor(
      (e) => e.kind === 'closed' && this.sockets.length === 0,
      { ...options, since },
      (ms) => `${this.sockets.length} Socket Mode connection(s) still open after ${ms} ms`,
    );
  }

  get openSockets(): number {
    return this.sockets.length;
  }

  async close(): Promise<void> {
    for (const envelopeId of [...this.pending.keys()]) this.settle(envelopeId)?.reject(new Error('slack emulator closed'));
    const closing = this.sockets.map((s) => s.closed);
    for (const socket of this.sockets) socket.ws.terminate();
    await Promise.all(closing);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.events.close('slack emulator closed');
  }
}
