import type { PolicyTestFailure } from './admin-api-schemas.js';
import { AppError } from '../errors.js';

/**
 * The admin API's error taxonomy: a stable `code` to branch on, the HTTP status when there was one,
 * and a `cause`. Messages and causes pass through `redact` first, so a key, client secret or
 * access token can never ride along into a log line or a Slack message.
 */
export type TailscaleApiErrorCode =
  | 'unauthorized' // 401: wrong or expired credential
  | 'forbidden' // 403: the credential lacks the scope
  | 'not-found' // 404
  | 'conflict' // 412: the policy changed since it was read (If-Match)
  | 'invalid' // 400: the API refused the request (a policy that does not parse or whose tests fail)
  | 'rate-limited' // 429
  | 'server' // 5xx
  | 'http' // any other non-2xx
  | 'timeout'
  | 'aborted'
  | 'network'
  | 'bad-response'; // 2xx with a body we cannot read

export class TailscaleApiError extends AppError {
  override readonly name = 'TailscaleApiError';
  declare readonly code: TailscaleApiErrorCode;
  readonly status?: number;
  /** Policy test failures the API returned with a 400 on `setPolicy`. */
  readonly failures?: PolicyTestFailure[];

  constructor(code: TailscaleApiErrorCode, message: string, options: { status?: number; cause?: unknown; failures?: PolicyTestFailure[] } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
    this.failures = options.failures;
  }
}

export function codeForStatus(status: number): TailscaleApiErrorCode {
  if (status === 400) return 'invalid';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 412) return 'conflict';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  return 'http';
}

/** Replaces every occurrence of the given secrets (and anything that looks like a bearer token). */
export function createRedactor(secrets: () => Array<string | undefined>): (text: string) => string {
  return (text) => {
    let out = text.replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
    for (const secret of secrets()) {
      if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
    }
    return out;
  };
}

/**
 * A transport failure's cause, rebuilt as a plain Error with a redacted message: the original
 * object may reference the request (and so its Authorization header).
 */
export function safeCause(err: unknown, redact: (text: string) => string): Error {
  const original = err instanceof Error ? err : new Error(String(err));
  const copy = new Error(redact(original.message));
  copy.name = original.name;
  const code = (original as { code?: unknown }).code ?? (original.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') (copy as Error & { code?: string }).code = code;
  return copy;
}
