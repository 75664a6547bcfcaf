/**
 * A Slack-fault proxy: sits between clawops (SLACK_API_URL) and the emulator and breaks the Web API
 * the ways real Slack breaks, in time windows or for a number of calls:
 *  - `outage`: the method answers an HTTP status (503…) without reaching Slack, for a duration;
 *  - `lostAnswer`: the call reaches Slack and succeeds there, then its answer is lost — a 5xx in
 *    its place, or the connection reset — the case where a blind retry posts twice;
 *  - `rateLimit`: HTTP 429 with Retry-After, nothing reaches Slack.
 * Socket Mode is not proxied (the emulator hands out its own ws:// URL), so commands still arrive.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

type Rule =
  | { kind: 'outage'; method: string; status: number; until: number }
  | { kind: 'lost-answer'; method: string; how: 'status' | 'reset'; status: number; left: number }
  | { kind: 'rate-limit'; method: string; retryAfterSeconds: number; left: number };

export interface ProxiedCall {
  method: string;
  at: number;
  outcome: 'forwarded' | 'outage' | 'lost-answer' | 'rate-limited';
}

export class SlackFaultProxy {
  readonly calls: ProxiedCall[] = [];
  private readonly rules: Rule[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  constructor(private readonly target: string) {
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** SLACK_API_URL for clawops. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** `method` answers `status` for `durationMs` from now; resolves with when the outage ends. */
  outage(method: string, status: number, durationMs: number): number {
    const until = Date.now() + durationMs;
    this.rules.push({ kind: 'outage', method, status, until });
    return until;
  }

  /** The next `times` successful calls to `method` reach Slack, and their answers are lost. */
  lostAnswer(method: string, how: 'status' | 'reset', times: number, status = 503): void {
    this.rules.push({ kind: 'lost-answer', method, how, status, left: times });
  }

  rateLimit(method: string, retryAfterSeconds: number, times: number): void {
    this.rules.push({ kind: 'rate-limit', method, retryAfterSeconds, left: times });
  }

  callsTo(method: string, outcome?: ProxiedCall['outcome']): ProxiedCall[] {
    return this.calls.filter((call) => call.method === method && (outcome === undefined || call.outcome === outcome));
  }

  private take(method: string): Rule | undefined {
    const now = Date.now();
    for (const rule of this.rules) {
      if (rule.method !== method) continue;
      if (rule.kind === 'outage' && now < rule.until) return rule;
      if (rule.kind !== 'outage' && rule.left > 0) {
        rule.left -= 1;
        return rule;
      }
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    const method = path.startsWith('/api/') ? decodeURIComponent(path.slice('/api/'.length).split('?')[0]!) : '';
    const rule = method ? this.take(method) : undefined;
    const at = Date.now();
    if (rule?.kind === 'outage') {
      this.calls.push({ method, at, outcome: 'outage' });
      res.writeHead(rule.status, { 'content-type': 'text/html' }).end('<html><body>upstream unavailable</body></html>');
      return;
    }
    if (rule?.kind === 'rate-limit') {
      this.calls.push({ method, at, outcome: 'rate-limited' });
      res
        .writeHead(429, { 'content-type': 'application/json; charset=utf-8', 'retry-after': String(rule.retryAfterSeconds) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const upstream = await this.forward(req, path, body);
    if (rule?.kind === 'lost-answer') {
      this.calls.push({ method, at, outcome: 'lost-answer' });
      if (rule.how === 'reset') {
        req.socket.destroy();
        return;
      }
      res.writeHead(rule.status, { 'content-type': 'text/html' }).end('<html><body>gateway timeout</body></html>');
      return;
    }
    this.calls.push({ method, at, outcome: 'forwarded' });
    res.writeHead(upstream.status, upstream.headers).end(upstream.body);
  }

  private forward(req: IncomingMessage, path: string, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const url = new URL(path, this.target);
    const headers = { ...req.headers, host: url.host, 'content-length': String(body.length) };
    return new Promise((resolve, reject) => {
      const out = request(url, { method: req.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          const kept: Record<string, string> = {};
          for (const [name, value] of Object.entries(answer.headers))
            if (typeof value === 'string' && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') kept[name] = value;
          resolve({ status: answer.statusCode ?? 502, headers: kept, body: Buffer.concat(parts) });
        });
        answer.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

export async function startSlackFaultProxy(target: string): Promise<SlackFaultProxy> {
  const proxy = new SlackFaultProxy(target);
  await proxy.listen();
  return proxy;
}
