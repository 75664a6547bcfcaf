/**
 * The payloads Slack delivers to an app, field for field, shared by both transports: Socket Mode
 * wraps them in envelopes, HTTP mode signs and POSTs them. Slash-command fields are all strings
 * (they are a form on the wire, even inside a Socket Mode envelope).
 */
import { randomBytes } from 'node:crypto';
import type { Directory, WorkspaceIdentity } from './workspace.js';

/** The deprecated verification token Slack still puts in payloads; Bolt ignores it. */
const VERIFICATION_TOKEN = 'verification-token-unused';

export interface PayloadContext {
  identity: WorkspaceIdentity;
  directory: Directory;
  /** A fresh response_url on the emulator, so respond() stays on loopback. */
  newResponseUrl: () => string;
}

export interface SlashCommandInput {
  command: string;
  text?: string;
  user_id?: string;
  user_name?: string;
  channel_id?: string;
  channel_name?: string;
  team_id?: string;
  team_domain?: string;
  response_url?: string;
  trigger_id?: string;
}

export type SlashCommandPayload = Record<string, string>;

export interface EventOptions {
  eventId?: string;
  eventTime?: number;
}

export interface ActionInput {
  action_id: string;
  value?: string;
  block_id?: string;
  text?: string;
  type?: string;
}

export interface BlockActionsInput {
  user_id: string;
  channel_id: string;
  action: ActionInput;
  /** The message the button sits on, as Slack includes it (ts, text, blocks). */
  message?: Record<string, unknown> & { ts: string };
  response_url?: string;
  trigger_id?: string;
}

export const DEFAULT_USER_ID = 'U0TEST0001';
export const DEFAULT_CHANNEL_ID = 'C0TEST0001';

/** Looks like Slack's: `<digits>.<digits>.<hex>`. */
export function newTriggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
}

export function newEventId(): string {
  return `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
}

export function slashCommandPayload(ctx: PayloadContext, input: SlashCommandInput): SlashCommandPayload {
  const userId = input.user_id ?? DEFAULT_USER_ID;
  const channelId = input.channel_id ?? DEFAULT_CHANNEL_ID;
  // Slack's field order, so a form body reads like a captured one.
  return {
    token: VERIFICATION_TOKEN,
    team_id: input.team_id ?? ctx.identity.teamId,
    team_domain: input.team_domain ?? ctx.identity.teamDomain,
    channel_id: channelId,
    channel_name: input.channel_name ?? ctx.directory.channel(channelId)?.name ?? 'privategroup',
    user_id: userId,
    user_name: input.user_name ?? ctx.directory.userName(userId) ?? 'unknown',
    command: input.command,
    text: input.text ?? '',
    api_app_id: ctx.identity.appId,
    is_enterprise_install: 'false',
    response_url: input.response_url ?? ctx.newResponseUrl(),
    trigger_id: input.trigger_id ?? newTriggerId(),
  };
}

export function eventCallbackPayload(ctx: PayloadContext, event: Record<string, unknown>, options: EventOptions = {}): Record<string, unknown> {
  const eventTime = options.eventTime ?? Math.floor(Date.now() / 1000);
  return {
    token: VERIFICATION_TOKEN,
    team_id: ctx.identity.teamId,
    context_team_id: ctx.identity.teamId,
    api_app_id: ctx.identity.appId,
    event: { event_ts: `${eventTime}.000000`, ...event },
    type: 'event_callback',
    event_id: options.eventId ?? newEventId(),
    event_time: eventTime,
    authorizations: [
      {
        enterprise_id: null,
        team_id: ctx.identity.teamId,
        user_id: ctx.identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${randomBytes(12).toString('base64url')}`,
  };
}

export function blockActionsPayload(ctx: PayloadContext, input: BlockActionsInput): Record<string, unknown> {
  const { identity, directory } = ctx;
  const name = directory.userName(input.user_id) ?? 'unknown';
  const actionTs = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: { id: input.user_id, username: name, name, team_id: identity.teamId },
    api_app_id: identity.appId,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      ...(input.message !== undefined ? { message_ts: input.message.ts } : {}),
      channel_id: input.channel_id,
      is_ephemeral: false,
    },
    trigger_id: input.trigger_id ?? newTriggerId(),
    team: { id: identity.teamId, domain: identity.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channel_id, name: directory.channel(input.channel_id)?.name ?? 'privategroup' },
    ...(input.message !== undefined ? { message: input.message } : {}),
    state: { values: {} },
    response_url: input.response_url ?? ctx.newResponseUrl(),
    actions: [
      {
        action_id: input.action.action_id,
        block_id: input.action.block_id ?? 'b0',
        text: { type: 'plain_text', text: input.action.text ?? input.action.action_id, emoji: true },
        ...(input.action.value !== undefined ? { value: input.action.value } : {}),
        type: input.action.type ?? 'button',
        action_ts: actionTs,
      },
    ],
  };
}
