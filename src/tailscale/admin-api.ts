import type { z } from 'zod';
import { describeRefusal, jsonRefusal, parseBoundedJson, type JsonLimits } from '../bounded-json.js';
import { readBoundedText } from './bounded-body.js';
import {
  ApiMessageSchema,
  DeviceListSchema,
  DeviceSchema,
  DnsPreferencesSchema,
  UserListSchema,
  type Device,
  type DnsPreferences,
  type PolicyTestFailure,
  type User,
} from './admin-api-schemas.js';
import { createBearerSource, type AdminApiAuth } from './admin-api-auth.js';
import { TailscaleApiError, codeForStatus, createRedactor, safeCause } from './admin-api-error.js';

export type { AdminApiAuth } from './admin-api-auth.js';
export type { Device, DnsPreferences, PolicyTestFailure, User } from './admin-api-schemas.js';
export { TailscaleApiError, type TailscaleApiErrorCode } from './admin-api-error.js';

/**
 * Client for the Tailscale admin API v2 (devices, users, the policy file). Unlike the probes this
 * is an ordinary API client: failures throw a TailscaleApiError with a stable `code`. Two answers
 * are values on purpose: `validatePolicy` (the API answers 200 with failures in the body) and the
 * policy's ETag (the caller must hand it back on `setPolicy` to avoid overwriting a concurrent edit).
 */

export interface PolicyFile {
  /** The policy exactly as stored: HuJSON with its comments and trailing commas. */
  hujson: string;
  /** Opaque; pass it back to `setPolicy`. */
  etag: string;
}

export type PolicyValidation = { ok: true } | { ok: false; message: string; failures: PolicyTestFailure[] };

export interface CallOptions {
  signal?: AbortSignal;
}

export interface AdminApiClient {
  getPolicy(options?: CallOptions): Promise<PolicyFile>;
  /** Replaces the policy only if it still has `etag`; otherwise throws code `conflict`. */
  setPolicy(hujson: string, etag: string, options?: CallOptions): Promise<PolicyFile>;
  validatePolicy(hujson: string, options?: CallOptions): Promise<PolicyValidation>;
  listDevices(options?: CallOptions): Promise<Device[]>;
  getDevice(id: string, options?: CallOptions): Promise<Device>;
  deleteDevice(id: string, options?: CallOptions): Promise<void>;
  expireDevice(id: string, options?: CallOptions): Promise<void>;
  listUsers(options?: CallOptions): Promise<User[]>;
  /** Whether MagicDNS is on for the tailnet (`dns/preferences`). */
  getDnsPreferences(options?: CallOptions): Promise<DnsPreferences>;
}

export interface AdminApiClientOptions {
  baseUrl?: string;
  /** `-` is the credential's default tailnet. */
  tailnet?: string;
  auth: AdminApiAuth;
  fetch?: typeof fetch;
  timeoutMs: number;
  /** Clock for OAuth token expiry. */
  now?: () => number;
}

export const DEFAULT_ADMIN_API_BASE_URL = 'https://api.tailscale.com/api/v2/';
/**
 * What one answer may cost: a device list of a few thousand devices, or a policy file, is a few
 * MB; JSON (and the HuJSON policy) nests under 10 deep. Beyond that the answer is refused unread.
 */
export const ADMIN_API_LIMITS: JsonLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 64 };

interface Request {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

function quoteEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith('W/') ? etag : `"${etag}"`;
}

export function createAdminApiClient(options: AdminApiClientOptions): AdminApiClient {
  const baseUrl = (options.baseUrl ?? DEFAULT_ADMIN_API_BASE_URL).replace(/\/*$/, '/');
  const tailnetPath = `tailnet/${encodeURIComponent(options.tailnet ?? '-')}`;
  const doFetch = options.fetch ?? globalThis.fetch;
  let bearerSecrets: () => string[] = () => [];
  const redact = createRedactor(() => bearerSecrets());
  const bearer = createBearerSource({
    auth: options.auth,
    baseUrl,
    fetch: doFetch,
    now: options.now ?? Date.now,
    redact,
  });
  bearerSecrets = () => bearer.secrets();

  async function send(req: Request, signal: AbortSignal): Promise<Answer> {
    const token = await bearer.bearer(signal);
    let res: Response;
    try {
      res = await doFetch(new URL(req.path, baseUrl), {
        method: req.method,
        headers: { Authorization: `Bearer ${token}`, ...req.headers },
        body: req.body,
        signal,
      });
      const body = await readBoundedText(res, ADMIN_API_LIMITS.maxBytes);
      if (!body.ok)
        throw new TailscaleApiError(
          'bad-response',
          `${req.method} ${req.path}: ${describeRefusal('an answer', { reason: 'too-large', bytes: Math.max(body.bytesRead, ADMIN_API_LIMITS.maxBytes + 1), limits: ADMIN_API_LIMITS })}`,
          { status: res.status },
        );
      return { status: res.status, text: body.text, headers: res.headers };
    } catch (err) {
      if (err instanceof TailscaleApiError) throw err;
      const code = req.signal?.aborted ? 'aborted' : signal.aborted ? 'timeout' : 'network';
      const what = code === 'timeout' ? `no answer within ${options.timeoutMs} ms` : 'request failed';
      throw new TailscaleApiError(code, `${req.method} ${req.path}: ${what}`, { cause: safeCause(err, redact) });
    }
  }

  /** One call under the client's deadline; a 401 with OAuth retries once with a fresh token. */
  async function call(req: Request, okStatuses: number[] = []): Promise<Answer> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    let answer = await send(req, signal);
    if (answer.status === 401 && bearer.refreshable) {
      bearer.invalidate();
      answer = await send(req, signal);
    }
    if ((answer.status >= 200 && answer.status <= 299) || okStatuses.includes(answer.status)) return answer;
    throw httpError(req, answer);
  }

  function httpError(req: Request, answer: Answer): TailscaleApiError {
    const body = readMessage(answer.text);
    const detail = body.message ? `: ${redact(body.message).slice(0, 300)}` : '';
    return new TailscaleApiError(codeForStatus(answer.status), `${req.method} ${req.path} answered ${answer.status}${detail}`, {
      status: answer.status,
      failures: body.data?.length ? body.data : undefined,
    });
  }

  function readJson<S extends z.ZodType>(req: Request, answer: Answer, schema: S): z.infer<S> {
    const json = parseBoundedJson(answer.text, ADMIN_API_LIMITS);
    if (!json.ok) {
      const why = 'refused' in json ? describeRefusal('an answer', json.refused) : 'answer is not JSON';
      throw new TailscaleApiError('bad-response', `${req.method} ${req.path}: ${why}`, { status: answer.status });
    }
    const parsed = schema.safeParse(json.value);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected shape';
      throw new TailscaleApiError('bad-response', `${req.method} ${req.path}: ${where}`, { status: answer.status });
    }
    return parsed.data;
  }

  function policyFrom(req: Request, answer: Answer): PolicyFile {
    const etag = answer.headers.get('etag');
    if (!etag) throw new TailscaleApiError('bad-response', `${req.method} ${req.path}: no ETag on the policy`, { status: answer.status });
    const refused = jsonRefusal(answer.text, ADMIN_API_LIMITS, { comments: true });
    if (refused)
      throw new TailscaleApiError('bad-response', `${req.method} ${req.path}: ${describeRefusal('a policy file', refused)}`, { status: answer.status });
    return { hujson: answer.text, etag };
  }

  return {
    async getPolicy(opts) {
      const req: Request = { method: 'GET', path: `${tailnetPath}/acl`, headers: { Accept: 'application/hujson' }, signal: opts?.signal };
      return policyFrom(req, await call(req));
    },

    async setPolicy(hujson, etag, opts) {
      const req: Request = {
        method: 'POST',
        path: `${tailnetPath}/acl`,
        headers: { Accept: 'application/hujson', 'Content-Type': 'application/hujson', 'If-Match': quoteEtag(etag) },
        body: hujson,
        signal: opts?.signal,
      };
      return policyFrom(req, await call(req));
    },

    async validatePolicy(hujson, opts) {
      const req: Request = {
        method: 'POST',
        path: `${tailnetPath}/acl/validate`,
        headers: { Accept: 'application/json', 'Content-Type': 'application/hujson' },
        body: hujson,
        signal: opts?.signal,
      };
      // 400 is the answer for a policy that does not even parse: a validation result, not an outage.
      const answer = await call(req, [400]);
      const body = answer.text.trim() ? readJson(req, answer, ApiMessageSchema) : {};
      const failures = body.data ?? [];
      if (!body.message && failures.length === 0 && answer.status !== 400) return { ok: true };
      return { ok: false, message: redact(body.message ?? `validate answered ${answer.status}`), failures };
    },

    async listDevices(opts) {
      const req: Request = { method: 'GET', path: `${tailnetPath}/devices?fields=all`, signal: opts?.signal };
      return readJson(req, await call(req), DeviceListSchema).devices;
    },

    async getDevice(id, opts) {
      const req: Request = { method: 'GET', path: `device/${encodeURIComponent(id)}?fields=all`, signal: opts?.signal };
      return readJson(req, await call(req), DeviceSchema);
    },

    async deleteDevice(id, opts) {
      await call({ method: 'DELETE', path: `device/${encodeURIComponent(id)}`, signal: opts?.signal });
    },

    async expireDevice(id, opts) {
      await call({ method: 'POST', path: `device/${encodeURIComponent(id)}/expire`, signal: opts?.signal });
    },

    async listUsers(opts) {
      const req: Request = { method: 'GET', path: `${tailnetPath}/users`, signal: opts?.signal };
      return readJson(req, await call(req), UserListSchema).users;
    },

    async getDnsPreferences(opts) {
      const req: Request = { method: 'GET', path: `${tailnetPath}/dns/preferences`, signal: opts?.signal };
      return readJson(req, await call(req), DnsPreferencesSchema);
    },
  };
}

function readMessage(text: string): z.infer<typeof ApiMessageSchema> {
  const json = parseBoundedJson(text, ADMIN_API_LIMITS);
  if (!json.ok) return {};
  const parsed = ApiMessageSchema.safeParse(json.value);
  return parsed.success ? parsed.data : {};
}
