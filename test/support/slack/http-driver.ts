/**
 * Slack's side of HTTP mode: bodies encoded as Slack sends them and signed with
 * `v0=hex(HMAC_SHA256(signingSecret, "v0:" + timestamp + ":" + rawBody))`. Slash commands and
 * interactions are `application/x-www-form-urlencoded` (exactly: Bolt compares the header
 * verbatim), interactions carry their JSON in a `payload` field, events are JSON.
 */
import { createHmac } from 'node:crypto';

export interface SlackHttpBody {
  contentType: string;
  rawBody: string;
}

const FORM = 'application/x-www-form-urlencoded';

export function slashCommandBody(payload: Record<string, string>): SlackHttpBody {
  return { contentType: FORM, rawBody: new URLSearchParams(payload).toString() };
}

export function interactionBody(payload: Record<string, unknown>): SlackHttpBody {
  return { contentType: FORM, rawBody: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() };
}

export function eventBody(envelope: Record<string, unknown>): SlackHttpBody {
  return { contentType: 'application/json', rawBody: JSON.stringify(envelope) };
}

export function slackSignature(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export interface SignedRequestOptions {
  url: string;
  body: SlackHttpBody;
  signingSecret: string;
  /** Seconds since the epoch; defaults to now. Bolt refuses anything older than 5 minutes. */
  timestamp?: number;
  /** Sign with the wrong secret, as a forger would. */
  badSignature?: boolean;
  /** Slack's redelivery headers (`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`). */
  retryNum?: number;
  retryReason?: string;
  signal?: AbortSignal;
}

export function signedRequest(options: SignedRequestOptions): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = options.badSignature === true ? `${options.signingSecret}-forged` : options.signingSecret;
  const headers: Record<string, string> = {
    'content-type': options.body.contentType,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, options.body.rawBody),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
  };
  if (options.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(options.retryNum);
    headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
  }
  return fetch(options.url, {
    method: 'POST',
    headers,
    body: options.body.rawBody,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
}
