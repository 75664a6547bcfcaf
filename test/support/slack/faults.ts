/**
 * Injected failures, queued per Web API method (or `response_url`) and consumed in order.
 * Each maps to what Slack actually sends, so the real client code paths run:
 *  - `{ error }`: HTTP 200 `{ok:false, error}` → web-api throws `WebAPIPlatformError`, no retry.
 *  - `{ status: 429, retryAfterSeconds }`: a real 429 with `Retry-After` → web-api pauses its queue,
 *    waits, and retries within its `retryConfig` (or throws `WebAPIRateLimitedError` when
 *    `rejectRateLimitedCalls` is set). Without `retryAfterSeconds` the header is absent, which
 *    web-api treats as unrecoverable.
 *  - `{ status }` (anything else): an HTTP error → `WebAPIHTTPError`, which web-api does retry.
 */
export type Fault =
  { error: string; times?: number } | { status: 429; retryAfterSeconds: number; times?: number } | { status: number; body?: string; times?: number };

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export class FaultQueue {
  private readonly queues = new Map<string, Fault[]>();

  add(method: string, fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`slack emulator: failNext times must be ≥ 1, got ${times}`);
    const queue = this.queues.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.queues.set(method, queue);
  }

  take(method: string): Fault | undefined {
    return this.queues.get(method)?.shift();
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function faultResponse(fault: Fault): FaultResponse {
  if ('error' in fault) {
    return { status: 200, headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ ok: false, error: fault.error }) };
  }
  if ('retryAfterSeconds' in fault) {
    return {
      status: fault.status,
      headers: { 'content-type': JSON_TYPE, 'retry-after': String(fault.retryAfterSeconds) },
      body: JSON.stringify({ ok: false, error: 'ratelimited' }),
    };
  }
  return { status: fault.status, headers: { 'content-type': 'text/plain' }, body: fault.body ?? 'emulated upstream failure' };
}
