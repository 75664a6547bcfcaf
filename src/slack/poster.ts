import { z } from 'zod';
import type { types, webApi } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

type WebClient = webApi.WebClient;
import type { Redis } from 'ioredis';
import { UnrecoverableError } from 'bullmq';
import type { SlackMessage } from '../render/blocks.js';
import type { SlackTarget } from '../queue/payloads.js';

/**
 * Posting to Slack, idempotently: a retried job updates the message it already posted instead of
 * posting a second one (the posted ts is remembered under the job's idempotency key).
 * Errors that no retry can fix become UnrecoverableError, so BullMQ stops retrying them.
 */
export interface SlackPoster {
  postOrUpdate(target: SlackTarget, message: SlackMessage, idempotencyKey: string): Promise<{ channel: string; ts: string }>;
  post(target: SlackTarget, message: SlackMessage): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  ephemeral(channel: string, user: string, message: SlackMessage): Promise<void>;
}

const PERMANENT = new Set([
  'message_not_found',
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'cant_update_message',
  'edit_window_closed',
]);

/** Our builders keep to Block Kit's shapes and limits; the Web API types them more narrowly. */
function slackBlocks(message: SlackMessage): KnownBlock[] {
  return message.blocks as unknown as KnownBlock[];
}

/** Where a message was posted, as the idempotency markers of the alert and digest jobs keep it. */
export const PostedMessageSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

function classify(error: unknown, what: string): Error {
  const code = slackErrorCode(error);
  if (code && PERMANENT.has(code)) return new UnrecoverableError(`${what}: Slack answered ${code}`);
  return error instanceof Error ? error : new Error(`${what}: ${String(error)}`);
}

export function createSlackPoster(deps: { client: WebClient; redis: Redis; prefix: string }): SlackPoster {
  const markerKey = (key: string) => `${deps.prefix}:posted:${key}`;

  const post: SlackPoster['post'] = async (target, message) => {
    try {
      const result = await deps.client.chat.postMessage({ channel: target.channel, text: message.text, blocks: slackBlocks(message), ...(target.threadTs ? { thread_ts: target.threadTs } : {}), unfurl_links: false });
      return { channel: String(result.channel ?? target.channel), ts: String(result.ts) };
    } catch (error) {
      throw classify(error, 'chat.postMessage');
    }
  };

  const update: SlackPoster['update'] = async (channel, ts, message) => {
    try {
      await deps.client.chat.update({ channel, ts, text: message.text, blocks: slackBlocks(message) });
    } catch (error) {
      throw classify(error, 'chat.update');
    }
  };

  return {
    post,
    update,
    async postOrUpdate(target, message, idempotencyKey) {
      const remembered = await deps.redis.get(markerKey(idempotencyKey));
      const ts = target.ts ?? remembered ?? undefined;
      if (ts) {
        try {
          await update(target.channel, ts, message);
          return { channel: target.channel, ts };
        } catch (error) {
          // The placeholder was deleted: post anew (once, remembered below).
          if (!(error instanceof UnrecoverableError) || !/message_not_found|cant_update_message/.test(error.message)) throw error;
          if (remembered && remembered !== target.ts) throw error;
        }
      }
      const posted = await post({ channel: target.channel, ...(target.threadTs ? { threadTs: target.threadTs } : {}) }, message);
      await deps.redis.set(markerKey(idempotencyKey), posted.ts, 'EX', 7 * 24 * 3600);
      return posted;
    },
    async ephemeral(channel, user, message) {
      try {
        await deps.client.chat.postEphemeral({ channel, user, text: message.text, blocks: slackBlocks(message) });
      } catch (error) {
        throw classify(error, 'chat.postEphemeral');
      }
    },
  };
}
