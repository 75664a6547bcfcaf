import { OAuthTokenSchema } from './admin-api-schemas.js';
import { TailscaleApiError, codeForStatus, safeCause } from './admin-api-error.js';
import { describeRefusal, parseBoundedJson } from '../bounded-json.js';
import { readBoundedText } from './bounded-body.js';

/** An OAuth token answer is a few hundred bytes. */
const TOKEN_ANSWER_MAX_BYTES = 64 * 1024;

/**
 * Where the admin API bearer comes from: a long-lived API access token, or an OAuth client that
 * trades its id and secret for 1-hour access tokens (client-credentials at `POST oauth/token`).
 * OAuth tokens are cached until shortly before they expire, and concurrent callers share one
 * in-flight exchange.
 */
export type AdminApiAuth = { apiKey: string } | { oauthClientId: string; oauthClientSecret: string; scopes?: string[] };

export interface BearerSource {
  bearer(signal: AbortSignal): Promise<string>;
  /** Drops a cached OAuth token (after a 401), so the next call exchanges a fresh one. */
  invalidate(): void;
  /** Whether `invalidate` can change anything (an API key cannot be refreshed). */
  readonly refreshable: boolean;
  /** Every secret this source knows, for redaction. */
  secrets(): string[];
}

export interface BearerSourceDeps {
  auth: AdminApiAuth;
  baseUrl: string;
  fetch: typeof fetch;
  now: () => number;
  redact: (text: string) => string;
}

/** Refresh this long before the announced expiry, so a token never dies mid-request. */
const EXPIRY_MARGIN_MS = 60_000;

export function createBearerSource(deps: BearerSourceDeps): BearerSource {
  const { auth } = deps;
  if ('apiKey' in auth) {
    return {
      bearer: async () => auth.apiKey,
      invalidate: () => undefined,
      refreshable: false,
      secrets: () => [auth.apiKey],
    };
  }

  const oauth = auth;
  let cached: { token: string; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function exchange(signal: AbortSignal): Promise<string> {
    const body = new URLSearchParams({
      client_id: oauth.oauthClientId,
      client_secret: oauth.oauthClientSecret,
      grant_type: 'client_credentials',
    });
    if (oauth.scopes?.length) body.set('scope', oauth.scopes.join(' '));
    let res: Response;
    try {
      res = await deps.fetch(new URL('oauth/token', deps.baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body,
        signal,
      });
    } catch (err) {
      const code = signal.aborted ? 'timeout' : 'network';
      throw new TailscaleApiError(code, 'OAuth token exchange failed', { cause: safeCause(err, deps.redact) });
    }
    const answer = await readBoundedText(res, TOKEN_ANSWER_MAX_BYTES).catch(() => ({ ok: false as const, bytesRead: 0 }));
    if (!answer.ok)
      throw new TailscaleApiError('bad-response', `OAuth token answer unreadable or larger than ${TOKEN_ANSWER_MAX_BYTES} bytes: refused`, {
        status: res.status,
      });
    const text = answer.text;
    if (!res.ok) {
      // The OAuth endpoint answers 401/400 for a wrong client; either way the credential is bad.
      const code = res.status === 400 ? 'unauthorized' : codeForStatus(res.status);
      throw new TailscaleApiError(code, `OAuth token exchange answered ${res.status}`, { status: res.status });
    }
    const json = parseBoundedJson(text, { maxBytes: TOKEN_ANSWER_MAX_BYTES, maxDepth: 8 });
    if (!json.ok)
      throw new TailscaleApiError(
        'bad-response',
        'refused' in json ? describeRefusal('the OAuth token answer', json.refused) : 'OAuth token answer is not JSON',
        { status: res.status },
      );
    const parsed = OAuthTokenSchema.safeParse(json.value);
    if (!parsed.success) {
      throw new TailscaleApiError('bad-response', 'OAuth token answer has no access_token/expires_in', {
        status: res.status,
      });
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 2);
    cached = { token: parsed.data.access_token, expiresAt: deps.now() + lifetimeMs - margin };
    return parsed.data.access_token;
  }

  return {
    refreshable: true,
    async bearer(signal) {
      if (cached && deps.now() < cached.expiresAt) return cached.token;
      inFlight ??= exchange(signal).finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
    secrets: () => [oauth.oauthClientSecret, cached?.token].filter((s): s is string => Boolean(s)),
  };
}
