import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createConnection, isIP, type LookupFunction, type NetConnectOpts, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { HttpEndpointEvidence } from '../report/report.js';
import { netErrorOf } from '../report/net-error.js';
import { describeRefusal, parseBoundedJson, type JsonLimits } from '../bounded-json.js';

const MAX_BODY_BYTES = 16 * 1024;
/** The real health bodies are flat (depth ≤ 3); 32 levels is plenty, and safe for every reader after. */
const BODY_LIMITS: JsonLimits = { maxBytes: MAX_BODY_BYTES, maxDepth: 32 };

export interface HttpGetOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Name resolution; absent: the system's (getaddrinfo). */
  lookup?: LookupFunction;
  /** Requests that share a connection (see `agentOver`); absent: a connection of its own, closed after. */
  agent?: HttpAgent;
}

/**
 * An agent for requests one after another over `socket`, a TCP connection already open to the host
 * (the ladder's TCP layer; TLS is started on it for https/wss). Kept alive between the requests; a
 * request after the server closed it gets a connection of its own. The caller destroys the agent.
 */
export function agentOver(base: URL, socket: Socket): HttpAgent {
  const secure = isSecure(base);
  const agent = secure ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 });
  let given: Socket | undefined = socket;
  // Node's agents call createConnection(options) with the request's host, port and TLS options.
  agent.createConnection = (options: object) => {
    const open = given;
    given = undefined;
    if (secure) return tlsConnect({ ...options, ...(open ? { socket: open } : {}) });
    return open ?? createConnection(options as NetConnectOpts);
  };
  return agent;
}

function isSecure(base: URL): boolean {
  return base.protocol === 'https:' || base.protocol === 'wss:';
}

/**
 * One GET, evidence out: status, content type, the body as JSON if it is JSON, else its first bytes.
 * Reads at most 16 KiB: a hostile server cannot make a check buffer more.
 */
export function httpGet(base: URL, path: string, options: HttpGetOptions): Promise<HttpEndpointEvidence> {
  const secure = isSecure(base);
  const request = secure ? httpsRequest : httpRequest;
  const host = base.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (evidence: HttpEndpointEvidence) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // After a whole response the socket is back with a keep-alive agent already: this ends only an unfinished one.
      req.destroy();
      resolve(evidence);
    };
    const req = request(
      {
        protocol: secure ? 'https:' : 'http:',
        hostname: host,
        port: base.port || (secure ? 443 : 80),
        path,
        method: 'GET',
        headers: { accept: 'application/json', 'user-agent': 'clawops-probe' },
        signal: options.signal,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        agent: options.agent ?? false,
        // SNI is for names: an IP as servername is refused by RFC 6066 (and Node warns, DEP0123).
        ...(secure ? { ca: options.tls?.ca, rejectUnauthorized: options.tls?.rejectUnauthorized ?? true, ...(isIP(host) ? {} : { servername: host }) } : {}),
      },
      (response) => readBody(response, (status, contentType, body, truncated) => finish(describe(path, status, contentType, body, truncated))),
    );
    const timer = setTimeout(() => finish({ path, error: 'timeout' }), options.timeoutMs);
    req.once('error', (error) => {
      const { kind, errno } = netErrorOf(error);
      finish({ path, error: kind, errno });
    });
    req.end();
  });
}

function readBody(response: IncomingMessage, done: (status: number, contentType: string | undefined, body: string, truncated: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const complete = () => done(response.statusCode ?? 0, response.headers['content-type'], Buffer.concat(chunks).toString('utf8'), size > MAX_BODY_BYTES);
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    else {
      response.destroy();
      complete();
    }
  });
  response.once('end', complete);
  response.once('error', complete);
}

/** The Gateway serves its Control UI on every unknown path; its HTML names itself. */
export function looksLikeControlUi(body: string): boolean {
  return /openclaw/i.test(body) && /<html/i.test(body);
}

function describe(path: string, status: number, contentType: string | undefined, body: string, truncated: boolean): HttpEndpointEvidence {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    if (truncated)
      return {
        path,
        status,
        contentType,
        refused: `a body larger than ${MAX_BODY_BYTES / 1024} KiB: refused (a health body is well under 1 KiB)`,
        bodyStart: trimmed.slice(0, 40).replace(/\s+/g, ' '),
      };
    const parsed = parseBoundedJson(trimmed, BODY_LIMITS);
    if (parsed.ok && parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value))
      return { path, status, contentType, json: parsed.value as Record<string, unknown> };
    if (!parsed.ok && 'refused' in parsed)
      return { path, status, contentType, refused: describeRefusal('a body', parsed.refused), bodyStart: trimmed.slice(0, 40).replace(/\s+/g, ' ') };
    // not JSON after all: fall through and show what it was
  }
  return { path, status, contentType, bodyStart: trimmed.slice(0, 80).replace(/\s+/g, ' '), ...(looksLikeControlUi(trimmed) ? { controlUi: true } : {}) };
}
