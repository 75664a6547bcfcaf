import http from 'node:http';
import { describeRefusal, parseBoundedJson, type JsonLimits } from '../bounded-json.js';
import type { z } from 'zod';
import { LocalApiErrorBodySchema, PingResultSchema, ServeConfigSchema, StatusSchema, WhoIsSchema } from './local-api-schemas.js';
import {
  toPingReply,
  toServeConfig,
  toStatus,
  toWhoIs,
  type LocalApiErrorCode,
  type LocalApiResult,
  type PingReply,
  type ServeConfig,
  type TailscaleStatus,
  type WhoIs,
} from './local-api-model.js';

export type { LocalApiErrorCode, LocalApiResult, PingReply, ServeConfig, ServeEntry, TailscaleStatus, TailscalePeer, WhoIs } from './local-api-model.js';

/**
 * Client for tailscaled's LocalAPI: HTTP/1.1 over its unix socket. tailscaled answers 403 to any
 * request with an Origin or Referer header or an unexpected Host (its defence against browsers),
 * so we send `Host: local-tailscaled.sock` and nothing else browser-like. A broken or absent
 * tailscaled is a value, never a throw: the bot-node probe layer turns it into evidence.
 */

export const DEFAULT_SOCKET_PATH = '/var/run/tailscale/tailscaled.sock';
const LOCALAPI_HOST = 'local-tailscaled.sock';
/** A large tailnet's status is a few MB; anything far beyond that is not tailscaled. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** ipnstate.Status nests about 5 deep; 64 refuses a bomb long before it costs anything. */
const JSON_LIMITS: JsonLimits = { maxBytes: MAX_BODY_BYTES, maxDepth: 64 };

export type PingType = 'disco' | 'TSMP' | 'ICMP';

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface LocalApiClient {
  status(options?: CallOptions): Promise<LocalApiResult<TailscaleStatus>>;
  /** Blocks inside tailscaled until a reply arrives, so it always runs under our own timeout. */
  ping(ip: string, type: PingType, options?: CallOptions): Promise<LocalApiResult<PingReply>>;
  whois(addr: string, options?: CallOptions): Promise<LocalApiResult<WhoIs>>;
  /** `tailscale serve status --json`: what this node serves over Serve / Funnel (ipn.ServeConfig). */
  serveConfig(options?: CallOptions): Promise<LocalApiResult<ServeConfig>>;
}

export interface LocalApiClientOptions {
  socketPath?: string;
  /** Default per-call deadline. */
  timeoutMs: number;
}

interface RawResponse {
  status: number;
  body: string;
}

type Failure = { ok: false; error: LocalApiErrorCode; message: string };

function fail(error: LocalApiErrorCode, message: string): Failure {
  return { ok: false, error, message };
}

function socketFailure(err: NodeJS.ErrnoException, socketPath: string): Failure {
  switch (err.code) {
    case 'ENOENT':
      return fail('socket-missing', `tailscaled socket ${socketPath} does not exist (is tailscaled running?)`);
    case 'ECONNREFUSED':
      return fail('socket-refused', `tailscaled is not listening on ${socketPath}`);
    case 'EACCES':
    case 'EPERM':
      return fail('permission-denied', `no permission to open ${socketPath}`);
    default:
      return fail('io', `LocalAPI socket error ${err.code ?? err.message}`);
  }
}

function request(
  socketPath: string,
  method: 'GET' | 'POST',
  path: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; value: RawResponse } | Failure> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: { ok: true; value: RawResponse } | Failure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish(fail('aborted', `LocalAPI ${path} aborted`));
    const timer = setTimeout(() => finish(fail('timeout', `LocalAPI ${path.split('?')[0]} gave no answer within ${timeoutMs} ms`)), timeoutMs);
    // agent:false: one short-lived connection per call, nothing pooled that could outlive a test.
    const req = http.request({
      socketPath,
      method,
      path,
      agent: false,
      headers: { Host: LOCALAPI_HOST, 'Content-Length': '0' },
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish(socketFailure(err, socketPath)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) finish(fail('bad-json', `LocalAPI ${path} answer exceeds ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => finish({ ok: true, value: { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') } }));
      res.on('error', (err: NodeJS.ErrnoException) => finish(socketFailure(err, socketPath)));
    });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

function httpFailure(path: string, raw: RawResponse): Failure {
  let detail = raw.body.trim();
  // tailscaled's http.Error bodies are plain text (kept as they are); its JSON errors say `error`.
  const json = parseBoundedJson(detail, { maxBytes: 64 * 1024, maxDepth: 8 });
  if (json.ok) {
    const parsed = LocalApiErrorBodySchema.safeParse(json.value);
    if (parsed.success && parsed.data.error) detail = parsed.data.error;
  }
  return fail(`http-${raw.status}`, `LocalAPI ${path.split('?')[0]} answered ${raw.status}: ${detail.slice(0, 200)}`);
}

function parseJson<S extends z.ZodType, T>(path: string, raw: RawResponse, schema: S, map: (value: z.infer<S>) => T): LocalApiResult<T> {
  if (raw.status < 200 || raw.status > 299) return httpFailure(path, raw);
  const json = parseBoundedJson(raw.body, JSON_LIMITS);
  if (!json.ok) {
    if ('refused' in json) return fail('bad-json', `LocalAPI ${path.split('?')[0]} answered ${describeRefusal('a body', json.refused)}`);
    return fail('bad-json', `LocalAPI ${path.split('?')[0]} answered ${raw.status} with a body that is not JSON`);
  }
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) return fail('bad-json', `LocalAPI ${path.split('?')[0]} answered an unexpected shape`);
  return { ok: true, value: map(parsed.data) };
}

export function createLocalApiClient(options: LocalApiClientOptions): LocalApiClient {
  const socketPath = options.socketPath ?? DEFAULT_SOCKET_PATH;

  async function call<S extends z.ZodType, T>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    map: (value: z.infer<S>) => T,
    callOptions: CallOptions | undefined,
  ): Promise<LocalApiResult<T>> {
    const timeoutMs = callOptions?.timeoutMs ?? options.timeoutMs;
    const raw = await request(socketPath, method, path, timeoutMs, callOptions?.signal);
    if (!raw.ok) return raw;
    return parseJson(path, raw.value, schema, map);
  }

  return {
    status: (callOptions) => call('GET', '/localapi/v0/status', StatusSchema, toStatus, callOptions),
    ping: (ip, type, callOptions) => {
      const query = new URLSearchParams({ ip, type });
      return call('POST', `/localapi/v0/ping?${query.toString()}`, PingResultSchema, toPingReply, callOptions);
    },
    whois: (addr, callOptions) => {
      const query = new URLSearchParams({ addr });
      return call('GET', `/localapi/v0/whois?${query.toString()}`, WhoIsSchema, toWhoIs, callOptions);
    },
    serveConfig: (callOptions) => call('GET', '/localapi/v0/serve-config', ServeConfigSchema, toServeConfig, callOptions),
  };
}
