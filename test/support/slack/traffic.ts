/**
 * Everything the app sent to the emulated Slack: Web API calls and response_url POSTs, each
 * waitable without polling. A wait that times out lists what did arrive, so a red test says
 * "chat.postMessage error=invalid_blocks" rather than just "timed out".
 */
import type { Fault } from './faults.js';
import { Journal, type WaitOptions } from './journal.js';

export interface ApiCall {
  method: string;
  /** Arguments as sent, token removed, JSON-string fields decoded. */
  params: Record<string, unknown>;
  /** Token kind only, e.g. `xoxb-***`; empty when none was sent. */
  token: string;
  at: number;
  status: number;
  /** The JSON answered (or the text of an injected HTTP error). */
  response: unknown;
  fault?: Fault;
}

export interface ResponseUrlPost {
  id: string;
  url: string;
  body: Record<string, unknown>;
  at: number;
  status: number;
}

export class Traffic {
  readonly calls = new Journal<ApiCall>();
  readonly responses = new Journal<ResponseUrlPost>();

  waitForCall(method: string, predicate: (call: ApiCall) => boolean, options: WaitOptions): Promise<ApiCall> {
    return this.calls.waitFor(
      (c) => c.method === method && predicate(c),
      options,
      (ms) => `no matching ${method} call within ${ms} ms; calls seen: ${describeCalls(this.calls.entries)}`,
    );
  }

  waitForResponse(predicate: (post: ResponseUrlPost) => boolean, options: WaitOptions): Promise<ResponseUrlPost> {
    return this.responses.waitFor(predicate, options, (ms) => {
      const seen = this.responses.entries.map((r) => `${r.id} HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 120)}`);
      return `no matching response_url POST within ${ms} ms; posts seen: ${seen.join('; ') || 'none'}`;
    });
  }

  close(): void {
    this.calls.close('slack emulator closed');
    this.responses.close('slack emulator closed');
  }
}

function describeCalls(calls: readonly ApiCall[]): string {
  if (calls.length === 0) return 'none';
  return calls
    .map((c) => {
      const response = c.response as { ok?: boolean; error?: string } | undefined;
      const outcome = c.status !== 200 ? `HTTP ${c.status}` : response?.ok === true ? 'ok' : `error=${response?.error ?? '?'}`;
      return `${c.method} ${outcome}`;
    })
    .join(', ');
}
