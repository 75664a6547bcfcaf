import { UnrecoverableError } from 'bullmq';

/**
 * What went wrong talking to Slack, as something a program can act on and a person can read.
 * The Web API client runs with no retries of its own (src/slack/poster.ts): every retry is ours,
 * so that a `chat.postMessage` is never repeated blindly, and a 429's Retry-After is honoured.
 *
 *  - rate-limited: HTTP 429; nothing was done; retry after `retryAfterMs`.
 *  - unavailable: HTTP 5xx, or `ok:false` with a server-side error; it may have been done.
 *  - unreachable: no HTTP answer (reset, timeout, DNS); it may have been done.
 *  - refused (SlackRefusedError): `ok:false` that no retry fixes (not_in_channel, invalid_auth…).
 *
 * Neither message ever carries the API URL or a token: they reach people as they are.
 */
export type SlackFailureKind = 'rate-limited' | 'unavailable' | 'unreachable';

export class SlackCallError extends Error {
  override readonly name = 'SlackCallError';
  constructor(
    readonly method: string,
    readonly kind: SlackFailureKind,
    /** For people: "Slack is rate-limiting clawops (HTTP 429, retry after 30 s)". */
    readonly description: string,
    readonly details: { retryAfterMs?: number; status?: number; code?: string } = {},
  ) {
    super(`${method}: ${description}`);
  }

  /** Slack may have done it anyway (a post may exist): look before posting again. */
  get ambiguous(): boolean {
    return this.kind !== 'rate-limited';
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** A refusal no retry can fix; an UnrecoverableError, so BullMQ stops retrying it. */
export class SlackRefusedError extends UnrecoverableError {
  constructor(
    readonly method: string,
    readonly code: string,
  ) {
    super(`${method}: Slack answered ${code}`);
  }

  get description(): string {
    return `Slack refused it (${this.code})${refusalHint(this.code)}`;
  }
}

/** `ok:false` codes that mean "this will not work however often you ask". */
const PERMANENT = new Set([
  'message_not_found',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'msg_too_long',
  'no_text',
  'cant_update_message',
  'edit_window_closed',
  'restricted_action',
  'ekm_access_denied',
]);

/** `ok:false` codes Slack uses for trouble on its side: the call may have partly happened. */
const SERVER_SIDE = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

function refusalHint(code: string): string {
  if (code === 'not_in_channel' || code === 'channel_not_found') return ': invite me to the channel (`/invite @clawops`)';
  if (code === 'invalid_auth' || code === 'not_authed' || code === 'token_revoked' || code === 'token_expired' || code === 'account_inactive')
    return ': the bot token is not valid (SLACK_BOT_TOKEN)';
  if (code === 'missing_scope') return ': the Slack app lacks a scope (reinstall it from deploy/slack-app-manifest.yml)';
  return '';
}

interface WebApiErrorShape {
  code?: unknown;
  data?: { error?: unknown };
  retryAfter?: unknown;
  statusCode?: unknown;
  original?: { code?: unknown; name?: unknown; message?: unknown };
}

/** Maps an error thrown by @slack/web-api (or anything else) to one of the above. */
export function classifySlackError(method: string, error: unknown): SlackCallError | SlackRefusedError {
  if (error instanceof SlackCallError || error instanceof SlackRefusedError) return error;
  const e = (error ?? {}) as WebApiErrorShape;
  switch (e.code) {
    case 'slack_webapi_platform_error': {
      const code = typeof e.data?.error === 'string' ? e.data.error : 'unknown_error';
      if (code === 'ratelimited')
        return new SlackCallError(method, 'rate-limited', 'Slack is rate-limiting clawops (ratelimited)', { code, retryAfterMs: 1_000 });
      if (SERVER_SIDE.has(code) || !PERMANENT.has(code)) {
        // Unknown codes are treated as passing trouble: the post job's window bounds the retries.
        return new SlackCallError(
          method,
          'unavailable',
          SERVER_SIDE.has(code) ? `Slack reported ${code} (trouble on Slack's side)` : `Slack answered ${code}`,
          { code },
        );
      }
      return new SlackRefusedError(method, code);
    }
    case 'slack_webapi_rate_limited_error': {
      const seconds = typeof e.retryAfter === 'number' && Number.isFinite(e.retryAfter) ? e.retryAfter : 1;
      return new SlackCallError(method, 'rate-limited', `Slack is rate-limiting clawops (HTTP 429, retry after ${seconds} s)`, {
        status: 429,
        retryAfterMs: Math.max(0, seconds) * 1_000,
      });
    }
    case 'slack_webapi_http_error': {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      if (status === 429) return new SlackCallError(method, 'rate-limited', 'Slack is rate-limiting clawops (HTTP 429)', { status, retryAfterMs: 1_000 });
      return new SlackCallError(method, 'unavailable', `Slack answered HTTP ${status}${status >= 500 ? " (an outage on Slack's side)" : ''}`, { status });
    }
    case 'slack_webapi_request_error':
      return new SlackCallError(method, 'unreachable', `Slack could not be reached (${networkReason(e.original)})`);
    default: {
      // A rate limit without a usable Retry-After, or anything unexpected: passing, and ambiguous.
      const message = error instanceof Error ? error.message : String(error);
      if (/rate limit/i.test(message))
        return new SlackCallError(method, 'rate-limited', 'Slack is rate-limiting clawops (HTTP 429)', { status: 429, retryAfterMs: 1_000 });
      return new SlackCallError(method, 'unreachable', `Slack could not be reached (${networkReason(error as WebApiErrorShape['original'])})`);
    }
  }
}

function networkReason(original: WebApiErrorShape['original']): string {
  const code = typeof original?.code === 'string' ? original.code : undefined;
  if (code) return code;
  const name = typeof original?.name === 'string' ? original.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  const cause = (original as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return 'network error';
}

/** For a person: what Slack did, never a URL or a stack. */
export function describeSlackFailure(error: unknown): string {
  if (error instanceof SlackCallError || error instanceof SlackRefusedError) return error.description;
  return classifySlackError('slack', error).description;
}
