import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
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
  /** A TCP connection already open to the host (the ladder's TCP layer): sent over, and ended with the request. */
  socket?: Socket;
}

/**
 * One GET, evidence out: status, content type, the body as JSON if it is JSON, else its first bytes.
 * Reads at most 16 KiB: a hostile server cannot make a check buffer more.
 */
export function httpGet(base: URL, path: string, options: HttpGetOptions): Promise<HttpEndpointEvidence> {
  const secure = base.protocol === 'https:' || base.protocol === 'wss:';
  const request = secure ? httpsRequest : httpRequest;
  const host = base.hostname.replace(/^\[|\]$/g, '');
  // SNI is for names: an IP as servername is refused by RFC 6066 (and Node warns, DEP0123).
  const tlsOptions = { ca: options.tls?.ca, rejectUnauthorized: options.tls?.rejectUnauthorized ?? true, ...(isIP(host) ? {} : { servername: host }) };
  const given = options.socket;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (evidence: HttpEndpointEvidence) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      given?.destroy();
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
        ...(secure ? tlsOptions : {}),
        // No agent: a connection per request, ours to end. Node ignores createConnection when given an agent.
        ...(given ? { createConnection: () => (secure ? tlsConnect({ ...tlsOptions, socket: given }) : given) } : { agent: false }),
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
