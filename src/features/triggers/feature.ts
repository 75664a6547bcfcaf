import type { App } from '@slack/bolt';
import type { Redis } from 'ioredis';
import * as z from 'zod';
import type { Config } from '../../config/schema.js';
import { gatewayNames, gatewayPortOf } from '../../config/targets.js';
import type { Logger } from '../../log.js';
import { md, type SlackText } from '../../render/slack-text.js';
import { authorizeGateway, isDirectMessageChannel, type GroupMembership, type Requester } from '../../slack/authorize.js';
import type { SlackPoster } from '../../slack/poster.js';
import { knownGatewaysOf, matchSymptom, type KnownGateway } from './matcher.js';
import { createTriggerLimiter, type TriggerLimiter } from './rate-limit.js';
import { renderTriggerReply, TRIGGER_CHECK_ACTION_ID, TRIGGER_SELECT_ACTION_ID, type RowValues } from './reply-blocks.js';

/**
 * Incident triggers: in the channels `triggers.channels` opts in, a human message that matches a
 * runbook symptom gets one threaded reply (the row, and a Check button or a select), at most one
 * per thread and per channel within the cooldowns. Bots, the bot itself, edits, joins and every
 * other subtype are never answered. The Check runs the normal check path (the same authorization
 * as `/gateway check`, for whoever clicks) and posts the verdict in the thread.
 */
export interface RequestThreadCheck {
  (input: { requester: Requester; gateway: string; threadTs: string; reply: (text: SlackText) => Promise<void> }): Promise<void>;
}

export interface TriggersFeatureDeps {
  config: Config;
  redis: Redis;
  prefix: string;
  poster: SlackPoster;
  groups: GroupMembership;
  requestCheck: RequestThreadCheck;
  logger: Logger;
  /** Test seam: the limiter (default: Redis, with the configured cooldowns). */
  limiter?: TriggerLimiter;
}

export interface TriggersFeature {
  registerSlack(app: App): void;
}

/** The fields of a `message` event we read; everything else is ignored. Text is bounded before matching. */
const MessageEventSchema = z.looseObject({
  type: z.literal('message'),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
  user: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,30}$/)
    .optional(),
  channel: z.string().regex(/^[CGD][A-Z0-9]{2,30}$/),
  channel_type: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().regex(/^\d{1,12}\.\d{1,9}$/),
  thread_ts: z
    .string()
    .regex(/^\d{1,12}\.\d{1,9}$/)
    .optional(),
});
type MessageEvent = z.infer<typeof MessageEventSchema>;

const ButtonValueSchema = z.object({ gateway: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/) }).strict();
const CHECK_ACTION = new RegExp(`^${TRIGGER_CHECK_ACTION_ID}(?::[a-z0-9_-]{1,63})?$`);
const CHANNEL_NAME_TTL_MS = 10 * 60_000;

export function createTriggersFeature(deps: TriggersFeatureDeps): TriggersFeature | undefined {
  const settings = deps.config.triggers;
  if (!settings) return undefined;
  const ids = new Set(settings.channels.filter((channel) => !channel.startsWith('#')));
  const names = new Set(settings.channels.filter((channel) => channel.startsWith('#')).map((channel) => channel.slice(1)));
  const limiter =
    deps.limiter ??
    createTriggerLimiter({
      redis: deps.redis,
      prefix: deps.prefix,
      threadCooldownMs: settings.threadCooldownSeconds * 1_000,
      channelCooldownMs: settings.channelCooldownSeconds * 1_000,
    });
  const known: KnownGateway[] = knownGatewaysOf(deps.config.gateways, gatewayPortOf);
  const channelNames = new Map<string, { name: string | undefined; at: number }>();

  const channelName = async (app: App, channel: string): Promise<string | undefined> => {
    const cached = channelNames.get(channel);
    if (cached && Date.now() - cached.at < CHANNEL_NAME_TTL_MS) return cached.name;
    const info = await app.client.conversations.info({ channel }).catch(() => undefined);
    const name = typeof info?.channel?.name === 'string' ? info.channel.name : undefined;
    channelNames.set(channel, { name, at: Date.now() });
    return name;
  };

  const optedIn = async (app: App, channel: string): Promise<{ ok: boolean; name?: string }> => {
    if (ids.has(channel)) return { ok: true };
    if (names.size === 0) return { ok: false };
    const name = await channelName(app, channel);
    return name !== undefined && names.has(name) ? { ok: true, name } : { ok: false };
  };

  const rowValues = (gateway: string | undefined): RowValues => {
    const configured = gateway ? deps.config.gateways[gateway] : undefined;
    if (!configured) return { port: '18789', gatewayPort: '18789', host: '<host>', tokenEnv: deps.config.defaults.tokenEnv };
    const url = new URL(configured.url);
    return {
      port: url.port || (url.protocol === 'wss:' ? '443' : '80'),
      gatewayPort: String(gatewayPortOf(configured)),
      host: url.hostname,
      tokenEnv: configured.tokenEnv ?? deps.config.defaults.tokenEnv,
    };
  };

  const onMessage = async (app: App, event: MessageEvent, botUserId: string | undefined) => {
    // Only people: no bot (ours or another), no edit, join, broadcast of an old message, or file share.
    if (event.bot_id || event.subtype !== undefined || !event.user || event.user === botUserId) {
      deps.logger.debug(
        { channel: event.channel, ts: event.ts, reason: event.user === botUserId || event.bot_id ? 'bot' : `subtype ${event.subtype ?? 'none'}` },
        'trigger: message ignored',
      );
      return;
    }
    if (event.channel_type !== 'channel' && event.channel_type !== 'group') return;
    const match = matchSymptom(event.text ?? '', known);
    if (!match) return;
    const channel = await optedIn(app, event.channel);
    if (!channel.ok) {
      deps.logger.debug({ channel: event.channel, ts: event.ts }, 'trigger: channel not opted in');
      return;
    }
    const threadTs = event.thread_ts ?? event.ts;
    const decision = await limiter.take(event.channel, threadTs).catch((error: unknown) => {
      // A trigger is a convenience: without the limiter, stay silent rather than risk a flood.
      deps.logger.warn({ err: error }, 'trigger limiter unavailable: not replying');
      return 'unavailable' as const;
    });
    if (decision !== 'allowed') {
      deps.logger.debug({ channel: event.channel, ts: event.ts, threadTs, decision, symptom: match.symptom }, 'trigger matched, not replying');
      return;
    }
    const requester: Requester = {
      userId: event.user,
      channelId: event.channel,
      ...(channel.name ? { channelName: channel.name } : {}),
      isDirectMessage: false,
    };
    let selectable: string[] = [];
    if (match.gateways.length === 0) {
      const allowed = await Promise.all(
        gatewayNames(deps.config).map(async (gateway) =>
          (await authorizeGateway(deps.config.access, requester, gateway, deps.groups).catch(() => ({ allowed: false }))).allowed ? gateway : undefined,
        ),
      );
      selectable = allowed.filter((gateway): gateway is string => gateway !== undefined);
    }
    const reply = renderTriggerReply({
      symptom: match.symptom,
      phrase: match.phrase,
      author: event.user,
      named: match.gateways,
      selectable,
      values: rowValues(match.gateways[0]),
    });
    await deps.poster.post({ channel: event.channel, threadTs }, reply);
    deps.logger.info({ channel: event.channel, threadTs, symptom: match.symptom, gateways: match.gateways }, 'trigger answered');
  };

  const onCheck = async (body: Record<string, unknown>, gateway: string | undefined, reply: (text: SlackText) => Promise<void>) => {
    const user = (body.user as { id?: string } | undefined)?.id;
    const channel = body.channel as { id?: string; name?: string } | undefined;
    const posted = body.message as { ts?: string; thread_ts?: string } | undefined;
    const threadTs = posted?.thread_ts ?? posted?.ts;
    if (!user || !channel?.id || !threadTs || !gateway) {
      await reply(md`⚠️ This button is out of date: type \`/gateway check <name>\` instead.`);
      return;
    }
    // Re-checked against today's config, as a typed command would be.
    if (!deps.config.gateways[gateway]) {
      await reply(md`No gateway named \`${gateway}\` any more: \`/gateway list\` shows them.`);
      return;
    }
    const requester: Requester = {
      userId: user,
      channelId: channel.id,
      ...(channel.name ? { channelName: channel.name } : {}),
      isDirectMessage: isDirectMessageChannel(channel.id, channel.name),
    };
    await deps.requestCheck({ requester, gateway, threadTs, reply });
  };

  return {
    registerSlack(app) {
      app.event('message', async ({ event, context }) => {
        const parsed = MessageEventSchema.safeParse(event);
        if (!parsed.success) return;
        try {
          await onMessage(app, parsed.data, context.botUserId);
        } catch (error) {
          deps.logger.warn({ err: error, channel: parsed.data.channel }, 'trigger reply failed');
        }
      });
      const respondWith = (respond: (body: Record<string, unknown>) => Promise<unknown>) => async (text: SlackText) => {
        await respond({ response_type: 'ephemeral', replace_original: false, text: text.mrkdwn });
      };
      app.action(CHECK_ACTION, async ({ ack, body, action, respond }) => {
        await ack();
        const value = ButtonValueSchema.safeParse(
          (() => {
            try {
              return JSON.parse('value' in action && typeof action.value === 'string' ? action.value : '') as unknown;
            } catch {
              return undefined;
            }
          })(),
        );
        await onCheck(body as unknown as Record<string, unknown>, value.success ? value.data.gateway : undefined, respondWith(respond)).catch(
          (error: unknown) => deps.logger.error({ err: error }, 'trigger check failed'),
        );
      });
      app.action(TRIGGER_SELECT_ACTION_ID, async ({ ack, body, action, respond }) => {
        await ack();
        const selected = 'selected_option' in action ? (action.selected_option as { value?: unknown } | null)?.value : undefined;
        const gateway = typeof selected === 'string' && /^[a-z0-9][a-z0-9_-]{0,62}$/.test(selected) ? selected : undefined;
        await onCheck(body as unknown as Record<string, unknown>, gateway, respondWith(respond)).catch((error: unknown) =>
          deps.logger.error({ err: error }, 'trigger check failed'),
        );
      });
    },
  };
}
