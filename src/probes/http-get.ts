import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { z } from 'zod';
import type { HttpEndpointEvidence } from './report.js';
import { netErrorOf } from './net-error.js';

const MAX_BODY_BYTES = 16 * 1024;

export interface HttpGetOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  tls?: { ca?: string | Buffer; rejectUnauthorized?: boolean };
  /** Name resolution; absent: the system's (getaddrinfo). */
  lookup?: LookupFunction;
}

/**
 * One GET, evidence out: status, content type, the body as JSON if it is JSON, else its first bytes.
 * Reads at most 16 KiB: a hostile server cannot make a check buffer more.
 */
export function httpGet(base: URL, path: string, options: HttpGetOptions): Promise<z.infer<typeof HttpEndpointEvidence>> {
  const secure = base.protocol === 'https:' || base.protocol === 'wss:';
  const request = secure ? httpsRequest : httpRequest;
  const host = base.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (evidence: z.infer<typeof HttpEndpointEvidence>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
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
        agent: false,
        signal: options.signal,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        // SNI is for names: an IP as servername is refused by RFC 6066 (and Node warns, DEP0123).
        ...(secure ? { ca: options.tls?.ca, rejectUnauthorized: options.tls?.rejectUnauthorized ?? true, ...(isIP(host) ? {} : { servername: host }) } : {}),
      },
      (response) => readBody(response, (status, contentType, body) => finish(describe(path, status, contentType, body))),
    );
    const timer = setTimeout(() => finish({ path, error: 'timeout' }), options.timeoutMs);
    req.once('error', (error) => {
      const { kind, errno } = netErrorOf(error);
      finish({ path, error: kind, errno });
    });
    req.end();
  });
}

function readBody(response: IncomingMessage, done: (status: number, contentType: string | undefined, body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const complete = () => done(response.statusCode ?? 0, response.headers['content-type'], Buffer.concat(chunks).toString('utf8'));
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

function describe(path: string, status: number, contentType: string | undefined, body: string): z.infer<typeof HttpEndpointEvidence> {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed) as unknown;
      if (json && typeof json === 'object' && !Array.isArray(json)) return { path, status, contentType, json: json as Record<string, unknown> };
    } catch {
      // not JSON after all: fall through and show what it was
    }
  }
  return { path, status, contentType, bodyStart: trimmed.slice(0, 80).replace(/\s+/g, ' '), ...(looksLikeControlUi(trimmed) ? { controlUi: true } : {}) };
}
