import * as z from 'zod';
import type { types, webApi } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

type WebClient = webApi.WebClient;
import type { Redis } from 'ioredis';
import type { SlackMessage } from '../render/blocks.js';
import type { SlackTarget } from '../queue/payloads.js';
import { classifySlackError, SlackCallError, SlackRefusedError } from './slack-error.js';

/**
 * Posting to Slack, idempotently: a retried job updates the message it already posted instead of
 * posting a second one (the posted ts is remembered under the job's idempotency key).
 * Errors that no retry can fix become UnrecoverableError (SlackRefusedError), so BullMQ stops.
 *
 * The Web API client must run without retries of its own (`posterClientOptions`): a
 * `chat.postMessage` whose answer is lost (5xx, reset) may still have posted, and a blind retry
 * posts it again. Here a post carries a key in its message metadata, and before posting again
 * we look for our own message with that key (`conversations.history`): found, it is the answer.
 * Rate limits (429: nothing was posted) are waited out for their Retry-After.
 */
export interface SlackPoster {
  postOrUpdate(
    target: SlackTarget,
    message: SlackMessage,
    idempotencyKey: string,
    options?: { state?: MessageState; reconcileSinceMs?: number },
  ): Promise<{ channel: string; ts: string }>;
  /** One post; with `key`, tagged so it can be found again, and looked for first when `reconcileSinceMs` is set. */
  post(
    target: SlackTarget,
    message: SlackMessage,
    options?: { key?: string; state?: MessageState; reconcileSinceMs?: number },
  ): Promise<{ channel: string; ts: string }>;
  /**
   * Posts exactly once within `deadlineMs`: retries rate limits after their Retry-After and
   * ambiguous failures only after looking for the message first. Throws the last failure.
   */
  postOnce(
    target: SlackTarget,
    message: SlackMessage,
    options: { key: string; state?: MessageState; deadlineMs: number },
  ): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage, options?: { key?: string; state?: MessageState }): Promise<void>;
  ephemeral(channel: string, user: string, message: SlackMessage): Promise<void>;
  /** Our message with this key in the channel (or thread) since `sinceMs`, if Slack shows one. */
  findByKey(target: SlackTarget, key: string, sinceMs: number): Promise<{ channel: string; ts: string; state?: string } | undefined>;
  /** What a message we posted says about itself now: its metadata state, or gone. */
  messageState(channel: string, ts: string): Promise<'gone' | { state?: string }>;
}

export type MessageState = 'pending' | 'answered';

/** The metadata every keyed clawops message carries (Slack's message metadata). */
export const MESSAGE_EVENT_TYPE = 'clawops_message';
export function messageMetadata(key: string, state?: MessageState) {
  return { event_type: MESSAGE_EVENT_TYPE, event_payload: { key, ...(state ? { state } : {}) } };
}

/** The Web API client for posting: no retries, rate limits rejected (we wait them out), a deadline per call. */
export function posterClientOptions() {
  return { retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: 10_000 };
}

/** Our builders keep to Block Kit's shapes and limits; the Web API types them more narrowly. */
function slackBlocks(message: SlackMessage): KnownBlock[] {
  return message.blocks as unknown as KnownBlock[];
}

/** Where a message was posted, as the idempotency markers of the alert and digest jobs keep it. */
export const PostedMessageSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

export function slackErrorCode(error: unknown): string | undefined {
  if (error instanceof SlackRefusedError) return error.code;
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

const HistoryMessageSchema = z.object({
  ts: z.string(),
  bot_id: z.string().optional(),
  metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() }).optional(),
});
const HistorySchema = z.object({ messages: z.array(HistoryMessageSchema).default([]) });

/** How long a single call may keep retrying in-process (rate limits, and idempotent calls). */
const CALL_DEADLINE_MS = 10_000;
/** How far back a lookup reaches before the first attempt (clocks differ; Slack's ts is Slack's). */
const LOOKUP_SLACK_MS = 60_000;

export interface SlackPosterDeps {
  client: WebClient;
  redis: Redis;
  prefix: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function createSlackPoster(deps: SlackPosterDeps): SlackPoster {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const markerKey = (key: string) => `${deps.prefix}:posted:${key}`;

  /** One Web API call, retried in-process only where that cannot duplicate anything. */
  async function call<T>(method: string, run: () => Promise<T>, options: { idempotent: boolean; deadlineMs?: number }): Promise<T> {
    const deadline = now() + (options.deadlineMs ?? CALL_DEADLINE_MS);
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await run();
      } catch (error) {
        const failure = classifySlackError(method, error);
        if (failure instanceof SlackRefusedError) throw failure;
        const wait = failure.retryAfterMs ?? Math.min(4_000, 250 * 2 ** attempt);
        const mayRetry = failure.kind === 'rate-limited' || options.idempotent;
        if (!mayRetry || now() + wait > deadline) throw failure;
        await sleep(wait);
      }
    }
  }

  const rawPost = (target: SlackTarget, message: SlackMessage, key?: string, state?: MessageState) =>
    deps.client.chat.postMessage({
      channel: target.channel,
      text: message.text,
      blocks: slackBlocks(message),
      ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
      ...(key ? { metadata: messageMetadata(key, state) } : {}),
      unfurl_links: false,
    });

  const findByKey: SlackPoster['findByKey'] = async (target, key, sinceMs) => {
    const oldest = ((sinceMs - LOOKUP_SLACK_MS) / 1_000).toFixed(6);
    const result = await call(
      target.threadTs ? 'conversations.replies' : 'conversations.history',
      () =>
        target.threadTs
          ? deps.client.conversations.replies({ channel: target.channel, ts: target.threadTs, oldest, limit: 200, include_all_metadata: true })
          : deps.client.conversations.history({ channel: target.channel, oldest, limit: 200, include_all_metadata: true }),
      { idempotent: true },
    );
    const parsed = HistorySchema.safeParse(result);
    if (!parsed.success) return undefined;
    const found = parsed.data.messages.find((entry) => entry.metadata?.event_type === MESSAGE_EVENT_TYPE && entry.metadata.event_payload?.key === key);
    if (!found) return undefined;
    const state = found.metadata?.event_payload?.state;
    return { channel: target.channel, ts: found.ts, ...(typeof state === 'string' ? { state } : {}) };
  };

  const post: SlackPoster['post'] = async (target, message, options = {}) => {
    if (options.key && options.reconcileSinceMs !== undefined) {
      // A lookup Slack refuses (the app lacks a *:history scope) must not cost the answer itself:
      // then a rare second copy is the lesser harm, and the post goes ahead.
      const existing = await findByKey(target, options.key, options.reconcileSinceMs).catch((error: unknown) => {
        if (error instanceof SlackRefusedError) return undefined;
        throw error;
      });
      if (existing) return { channel: existing.channel, ts: existing.ts };
    }
    const result = await call('chat.postMessage', () => rawPost(target, message, options.key, options.state), { idempotent: false });
    return { channel: String(result.channel ?? target.channel), ts: String(result.ts) };
  };

  const postOnce: SlackPoster['postOnce'] = async (target, message, options) => {
    const started = now();
    const deadline = started + options.deadlineMs;
    let unsure: SlackCallError | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (unsure) {
          // The last attempt may have posted: look before posting again.
          const existing = await findByKey(target, options.key, started);
          if (existing) return { channel: existing.channel, ts: existing.ts };
          unsure = undefined;
        }
        const result = await rawPost(target, message, options.key, options.state);
        return { channel: String(result.channel ?? target.channel), ts: String(result.ts) };
      } catch (error) {
        const failure = classifySlackError(unsure ? 'conversations.history' : 'chat.postMessage', error);
        if (failure instanceof SlackRefusedError) {
          // A lookup we may not make (missing scope) must not turn into a blind second post: the
          // post stays "may have happened", which the caller treats as Slack trouble, not a refusal.
          if (unsure)
            throw new SlackCallError(
              'chat.postMessage',
              unsure.kind,
              `${unsure.description}, and I could not look for the message (${failure.code})`,
              unsure.details,
            );
          throw failure;
        }
        if (!unsure && failure.ambiguous) unsure = failure;
        const wait = failure.retryAfterMs ?? Math.min(4_000, 250 * 2 ** attempt);
        if (now() + wait > deadline) throw failure;
        await sleep(wait);
      }
    }
  };

  const update: SlackPoster['update'] = async (channel, ts, message, options = {}) => {
    await call(
      'chat.update',
      () =>
        deps.client.chat.update({
          channel,
          ts,
          text: message.text,
          blocks: slackBlocks(message),
          ...(options.key ? { metadata: messageMetadata(options.key, options.state) } : {}),
        }),
      { idempotent: true },
    );
  };

  return {
    post,
    postOnce,
    update,
    findByKey,
    async messageState(channel, ts) {
      let result: unknown;
      try {
        result = await call(
          'conversations.history',
          () => deps.client.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1, include_all_metadata: true }),
          { idempotent: true },
        );
      } catch (error) {
        if (error instanceof SlackRefusedError && (error.code === 'message_not_found' || error.code === 'channel_not_found')) return 'gone';
        throw error;
      }
      const parsed = HistorySchema.safeParse(result);
      const found = parsed.success ? parsed.data.messages.find((entry) => entry.ts === ts) : undefined;
      if (!found) return 'gone';
      const state = found.metadata?.event_type === MESSAGE_EVENT_TYPE ? found.metadata.event_payload?.state : undefined;
      return typeof state === 'string' ? { state } : {};
    },
    async postOrUpdate(target, message, idempotencyKey, options = {}) {
      const remembered = await deps.redis.get(markerKey(idempotencyKey)).catch(() => null);
      const ts = target.ts ?? remembered ?? undefined;
      const tag = { key: idempotencyKey, ...(options.state ? { state: options.state } : {}) };
      if (ts) {
        try {
          await update(target.channel, ts, message, tag);
          return { channel: target.channel, ts };
        } catch (error) {
          // The placeholder was deleted: post anew (once, remembered below).
          if (!(error instanceof SlackRefusedError) || !/message_not_found|cant_update_message/.test(error.code)) throw error;
          if (remembered && remembered !== target.ts) throw error;
        }
      }
      const thread = { channel: target.channel, ...(target.threadTs ? { threadTs: target.threadTs } : {}) };
      const posted = await post(thread, message, { ...tag, ...(options.reconcileSinceMs !== undefined ? { reconcileSinceMs: options.reconcileSinceMs } : {}) });
      await deps.redis.set(markerKey(idempotencyKey), posted.ts, 'EX', 7 * 24 * 3600).catch(() => undefined);
      return posted;
    },
    async ephemeral(channel, user, message) {
      await call('chat.postEphemeral', () => deps.client.chat.postEphemeral({ channel, user, text: message.text, blocks: slackBlocks(message) }), {
        idempotent: false,
      });
    },
  };
}

export { SlackCallError, SlackRefusedError };
