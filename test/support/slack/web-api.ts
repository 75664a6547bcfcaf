/**
 * The Web API methods clawops uses, answering as Slack does: `{ok:true, …}` or HTTP 200 with
 * `{ok:false, error}`. Token rules follow Slack's: missing → `not_authed`, unknown →
 * `invalid_auth`, the wrong kind (app token on a bot method or the reverse) →
 * `not_allowed_token_type`.
 */
import { blockKitProblems } from './block-kit-limits.js';
import type { FileStore } from './files.js';
import type { MessageContent, MessageStore, StoredMessage, TsClock } from './message-store.js';
import type { Directory, WorkspaceIdentity } from './workspace.js';

export type Params = Record<string, unknown>;
export type ApiResult = Record<string, unknown> & { ok: boolean };

export interface WebApiDeps {
  identity: WorkspaceIdentity;
  directory: Directory;
  store: MessageStore;
  clock: TsClock;
  /** Issues a one-time Socket Mode URL (apps.connections.open). */
  openSocketUrl: () => string;
  /** Told of every message the app posts (the emulator delivers it as a `message` event when subscribed). */
  onPosted?: (message: StoredMessage) => void;
  files: FileStore;
  /** Where step 2 of an upload goes (files.getUploadURLExternal's `upload_url`). */
  uploadUrl: (fileId: string) => string;
}

/** Slack truncates or refuses text past this; refusing makes an overflow visible in tests. */
const MAX_MESSAGE_TEXT = 40_000;
const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

class ApiError extends Error {
  constructor(
    readonly error: string,
    readonly extra: Params = {},
  ) {
    super(error);
  }
}

const fail = (error: string, extra?: Params): never => {
  throw new ApiError(error, extra);
};

function str(params: Params, key: string): string | undefined {
  const value = params[key];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

const truthy = (value: unknown): boolean => value === true || value === 'true' || value === '1' || value === 1;

type Handler = (params: Params) => Params;

export class WebApi {
  private readonly handlers: Record<string, Handler>;

  constructor(private readonly deps: WebApiDeps) {
    this.handlers = {
      'auth.test': () => this.authTest(),
      'apps.connections.open': () => ({ url: deps.openSocketUrl() }),
      'chat.postMessage': (p) => this.postMessage(p),
      'chat.update': (p) => this.update(p),
      'chat.postEphemeral': (p) => this.postEphemeral(p),
      'chat.delete': (p) => this.deleteMessage(p),
      'conversations.open': (p) => this.openConversation(p),
      'conversations.info': (p) => this.conversationInfo(p),
      'conversations.history': (p) => this.history(p),
      'conversations.replies': (p) => this.replies(p),
      'users.info': (p) => ({ user: deps.directory.slackUser(str(p, 'user') ?? '') ?? fail('user_not_found') }),
      'users.lookupByEmail': (p) => ({
        user: deps.directory.userByEmail(str(p, 'email') ?? '') ?? fail('users_not_found'),
      }),
      'usergroups.list': (p) => this.userGroupsList(p),
      'usergroups.users.list': (p) => ({
        users: [...(deps.directory.userGroup(str(p, 'usergroup') ?? '') ?? fail('no_such_subteam')).users],
      }),
      'views.open': (p) => this.viewsOpen(p),
      'files.getUploadURLExternal': (p) => this.getUploadUrl(p),
      'files.completeUploadExternal': (p) => this.completeUpload(p),
    };
  }

  call(method: string, params: Params, token: string | undefined): ApiResult {
    const handler = this.handlers[method];
    if (handler === undefined) return { ok: false, error: 'unknown_method' };
    try {
      this.checkToken(method, token);
      return { ok: true, ...handler(params) };
    } catch (error) {
      if (error instanceof ApiError) return { ok: false, error: error.error, ...error.extra };
      throw error;
    }
  }

  private checkToken(method: string, token: string | undefined): void {
    const { botToken, appToken } = this.deps.identity;
    if (token === undefined || token === '') fail('not_authed');
    const wanted = APP_TOKEN_METHODS.has(method) ? appToken : botToken;
    if (token === wanted) return;
    if (token === botToken || token === appToken) fail('not_allowed_token_type');
    fail('invalid_auth');
  }

  private authTest(): Params {
    const { identity } = this.deps;
    return {
      url: `https://${identity.teamDomain}.slack.com/`,
      team: identity.teamDomain,
      user: identity.botName,
      team_id: identity.teamId,
      user_id: identity.botUserId,
      bot_id: identity.botId,
      is_enterprise_install: false,
    };
  }

  /** text/blocks/attachments as sent, checked against Slack's limits. */
  private content(params: Params, required: boolean): MessageContent {
    const content: MessageContent = {};
    if (typeof params.text === 'string') content.text = params.text;
    if (params.blocks !== undefined) {
      const problems = blockKitProblems(params.blocks);
      if (problems.length > 0) fail('invalid_blocks', { errors: problems });
      content.blocks = params.blocks as unknown[];
    }
    if (params.attachments !== undefined) {
      if (!Array.isArray(params.attachments)) fail('invalid_attachments');
      content.attachments = params.attachments as unknown[];
    }
    if (params.metadata !== undefined) {
      const metadata = params.metadata as { event_type?: unknown; event_payload?: unknown } | null;
      const valid =
        typeof metadata === 'object' &&
        metadata !== null &&
        typeof metadata.event_type === 'string' &&
        /^[a-z0-9_]{1,255}$/i.test(metadata.event_type) &&
        typeof metadata.event_payload === 'object' &&
        metadata.event_payload !== null &&
        !Array.isArray(metadata.event_payload);
      if (!valid) fail('invalid_metadata_format');
      content.metadata = metadata as NonNullable<MessageContent['metadata']>;
    }
    const empty = (content.text ?? '') === '' && (content.blocks?.length ?? 0) === 0 && (content.attachments?.length ?? 0) === 0;
    if (required && empty) fail('no_text');
    if ((content.text?.length ?? 0) > MAX_MESSAGE_TEXT) fail('msg_too_long');
    return content;
  }

  private messageObject(message: StoredMessage, withMetadata = false): Params {
    const { identity } = this.deps;
    return {
      type: 'message',
      ...(message.subtype !== undefined ? { subtype: message.subtype } : {}),
      user: message.user,
      ...(message.bot_id !== undefined ? { bot_id: message.bot_id, app_id: identity.appId } : {}),
      team: identity.teamId,
      ts: message.ts,
      ...(message.thread_ts !== undefined ? { thread_ts: message.thread_ts } : {}),
      ...(message.text !== undefined ? { text: message.text } : { text: '' }),
      ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
      ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
      ...(withMetadata && message.metadata !== undefined ? { metadata: message.metadata } : {}),
      ...(message.files !== undefined ? { files: message.files } : {}),
    };
  }

  /**
   * conversations.history: top-level messages, newest first, between `oldest` and `latest`
   * (exclusive unless `inclusive`), at most `limit` (default 100, max 999); metadata only with
   * `include_all_metadata`. A channel the workspace does not have is `channel_not_found`.
   */
  private history(params: Params): Params {
    const channel = str(params, 'channel') ?? fail('channel_not_found');
    if (this.deps.directory.channel(channel) === undefined && !/^[DG]/.test(channel) && !this.deps.store.byChannel.has(channel)) fail('channel_not_found');
    const window = this.window(params);
    const matching = this.deps.store.history(channel).filter(window.includes);
    return {
      messages: matching.slice(0, window.limit).map((m) => this.messageObject(m, truthy(params.include_all_metadata))),
      has_more: matching.length > window.limit,
      response_metadata: { next_cursor: '' },
    };
  }

  /** conversations.replies: the parent, then its replies oldest first, within the same window rules. */
  private replies(params: Params): Params {
    const channel = str(params, 'channel') ?? fail('channel_not_found');
    const ts = str(params, 'ts') ?? fail('thread_not_found');
    const parent = this.deps.store.get(channel, ts);
    if (parent === undefined || parent.deleted) fail('thread_not_found');
    const window = this.window(params);
    const thread = [parent!, ...this.deps.store.thread(channel, ts).filter((m) => !m.deleted)].filter(window.includes);
    return {
      messages: thread.slice(0, window.limit).map((m) => this.messageObject(m, truthy(params.include_all_metadata))),
      has_more: thread.length > window.limit,
      response_metadata: { next_cursor: '' },
    };
  }

  private window(params: Params): { includes: (m: StoredMessage) => boolean; limit: number } {
    const inclusive = truthy(params.inclusive);
    const oldest = str(params, 'oldest');
    const latest = str(params, 'latest');
    const limit = Math.min(999, Math.max(1, Number(str(params, 'limit') ?? 100) || 100));
    const includes = (m: StoredMessage) => {
      const ts = Number(m.ts);
      if (oldest !== undefined && (inclusive ? ts < Number(oldest) : ts <= Number(oldest))) return false;
      if (latest !== undefined && (inclusive ? ts > Number(latest) : ts >= Number(latest))) return false;
      return true;
    };
    return { includes, limit };
  }

  private postMessage(params: Params): Params {
    const target = str(params, 'channel') ?? fail('channel_not_found');
    const channel = this.deps.directory.resolvePostTarget(target) ?? fail('channel_not_found');
    const content = this.content(params, true);
    const threadTs = str(params, 'thread_ts');
    if (content.blocks !== undefined) content.blocks = withBlockIds(content.blocks);
    const stored = this.deps.store.post({
      channel,
      ts: this.deps.clock.next(),
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      user: this.deps.identity.botUserId,
      bot_id: this.deps.identity.botId,
      ...content,
    });
    this.deps.onPosted?.(stored);
    return { channel, ts: stored.ts, message: this.messageObject(stored) };
  }

  private update(params: Params): Params {
    const channel = str(params, 'channel') ?? fail('channel_not_found');
    const ts = str(params, 'ts') ?? fail('message_not_found');
    const content = this.content(params, true);
    if (content.blocks !== undefined) content.blocks = withBlockIds(content.blocks);
    const updated = this.deps.store.update(channel, ts, content, Date.now()) ?? fail('message_not_found');
    return { channel, ts, text: updated.text ?? '', message: this.messageObject(updated) };
  }

  private postEphemeral(params: Params): Params {
    const target = str(params, 'channel') ?? fail('channel_not_found');
    const channel = this.deps.directory.resolvePostTarget(target) ?? fail('channel_not_found');
    const user = str(params, 'user') ?? fail('user_not_found');
    const content = this.content(params, true);
    const threadTs = str(params, 'thread_ts');
    const messageTs = this.deps.clock.next();
    this.deps.store.ephemerals.push({
      channel,
      user,
      message_ts: messageTs,
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      ...content,
    });
    return { message_ts: messageTs };
  }

  private deleteMessage(params: Params): Params {
    const channel = str(params, 'channel') ?? fail('channel_not_found');
    const ts = str(params, 'ts') ?? fail('message_not_found');
    if (!this.deps.store.delete(channel, ts)) fail('message_not_found');
    return { channel, ts };
  }

  private openConversation(params: Params): Params {
    const { directory } = this.deps;
    const users = (str(params, 'users') ?? fail('users_list_not_supplied')).split(',').map((u) => u.trim());
    for (const user of users) if (directory.slackUser(user) === undefined) fail('user_not_found');
    const id = users.length === 1 ? directory.dmChannelId(users[0]!) : `G${[...users].sort().join('')}`;
    return { channel: { id } };
  }

  private conversationInfo(params: Params): Params {
    const { directory } = this.deps;
    const id = str(params, 'channel') ?? fail('channel_not_found');
    const seeded = directory.channel(id);
    if (seeded !== undefined) {
      const isPrivate = seeded.isPrivate ?? false;
      return {
        channel: { id, name: seeded.name, is_channel: !isPrivate, is_group: false, is_im: false, is_private: isPrivate, is_archived: false },
      };
    }
    // A DM id maps back to its user (see Directory.dmChannelId).
    for (const candidate of [id.replace(/^D/, 'U'), id.replace(/^D/, 'W')]) {
      if (directory.slackUser(candidate) !== undefined && directory.dmChannelId(candidate) === id) {
        return { channel: { id, is_im: true, is_channel: false, is_private: true, user: candidate } };
      }
    }
    return fail('channel_not_found');
  }

  private userGroupsList(params: Params): Params {
    const { directory, identity } = this.deps;
    const includeUsers = truthy(params.include_users);
    return {
      usergroups: directory.userGroups().map((group) => ({
        id: group.id,
        team_id: identity.teamId,
        is_usergroup: true,
        name: group.name ?? group.handle,
        handle: group.handle,
        user_count: group.users.length,
        ...(includeUsers ? { users: [...group.users] } : {}),
      })),
    };
  }

  private requireScope(scope: string): void {
    const scopes = this.deps.identity.botScopes;
    if (scopes !== undefined && !scopes.includes(scope)) fail('missing_scope', { needed: scope, provided: scopes.join(',') });
  }

  private getUploadUrl(params: Params): Params {
    this.requireScope('files:write');
    const filename = str(params, 'filename') ?? fail('invalid_arguments');
    const length = Number(str(params, 'length'));
    if (!Number.isInteger(length) || length <= 0) fail('invalid_arguments');
    const file = this.deps.files.create(filename, length);
    return { upload_url: this.deps.uploadUrl(file.id), file_id: file.id };
  }

  private completeUpload(params: Params): Params {
    this.requireScope('files:write');
    const files = params.files;
    if (!Array.isArray(files) || files.length === 0) fail('invalid_arguments');
    const channelTarget = str(params, 'channel_id');
    const threadTs = str(params, 'thread_ts');
    if (threadTs !== undefined && channelTarget === undefined) fail('invalid_arguments');
    const channel = channelTarget === undefined ? undefined : (this.deps.directory.resolvePostTarget(channelTarget) ?? fail('channel_not_found'));
    const completed = (files as Array<{ id?: unknown; title?: unknown }>).map((entry) => {
      const file = typeof entry?.id === 'string' ? this.deps.files.get(entry.id) : undefined;
      if (file === undefined || file.content === undefined || file.completed) fail('file_not_found');
      return { file: file!, title: typeof entry.title === 'string' ? entry.title : file!.filename };
    });
    let messageTs: string | undefined;
    if (channel !== undefined) {
      const comment = str(params, 'initial_comment');
      const stored = this.deps.store.post({
        channel,
        ts: this.deps.clock.next(),
        ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
        user: this.deps.identity.botUserId,
        bot_id: this.deps.identity.botId,
        text: comment ?? '',
        files: completed.map(({ file, title }) => ({ id: file.id, name: file.filename, title })),
      });
      messageTs = stored.ts;
    }
    for (const { file, title } of completed) {
      file.completed = true;
      file.title = title;
      if (channel !== undefined) file.channel = channel;
      if (threadTs !== undefined) file.threadTs = threadTs;
      if (messageTs !== undefined) file.messageTs = messageTs;
    }
    return {
      files: completed.map(({ file, title }) => ({
        id: file.id,
        name: file.filename,
        title,
        size: file.content!.length,
        ...(channel ? { channels: [channel] } : {}),
      })),
    };
  }

  private viewsOpen(params: Params): Params {
    str(params, 'trigger_id') ?? fail('invalid_trigger_id');
    const view = params.view;
    if (typeof view !== 'object' || view === null) fail('invalid_arguments');
    return { view: { id: `V${this.deps.clock.next().replace('.', '')}`, team_id: this.deps.identity.teamId, ...(view as Params) } };
  }
}

/** Slack gives every stored block a block_id; do the same (deterministically) so a click can name one. */
function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((block, index) => {
    if (typeof block !== 'object' || block === null || 'block_id' in block) return block;
    return { ...(block as Params), block_id: `b${index}` };
  });
}
