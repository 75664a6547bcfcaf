/**
 * A loopback Slack for real, unmodified Bolt: Web API under `/api/`, Socket Mode on `/link/`,
 * response_urls under `/respond/`, all on one 127.0.0.1 port. It records every call, lets tests
 * wait on them without sleeping, and injects Slack's failure modes.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultQueue, faultResponse, type Fault } from './faults.js';
import { FileStore, uploadedBytes, type EmulatedFile } from './files.js';
import type { WaitOptions } from './journal.js';
import { MessageStore, TsClock, type EphemeralMessage, type StoredMessage } from './message-store.js';
import * as payloads from './payloads.js';
import { findAction, listActionIds } from './buttons.js';
import { maskToken, parseApiRequest, readBody } from './request-parsing.js';
import { SocketModeHub, type EnvelopeAck, type SendOptions, type SocketEvent } from './socket-mode.js';
import { Traffic, type ApiCall, type ResponseUrlPost } from './traffic.js';
import { WebApi } from './web-api.js';
import { DEFAULT_IDENTITY, Directory, type SeedChannel, type SeedUser, type SeedUserGroup, type SlackUserObject, type WorkspaceIdentity } from './workspace.js';

export interface SlackEmulatorOptions extends Partial<WorkspaceIdentity> {
  users?: SeedUser[];
  userGroups?: SeedUserGroup[];
  channels?: SeedChannel[];
  /**
   * The app subscribes to `message.channels` / `message.groups`: every message in a channel — a
   * person's, another bot's, and the app's own posts — arrives as an event_callback `message`
   * event, as Slack delivers them (`channel_type`, `bot_id`/`subtype` for bots).
   */
  messageEvents?: boolean;
}

export interface PostUserMessageInput {
  channel: string;
  user: string;
  text: string;
  threadTs?: string;
}

export interface PostBotMessageInput {
  channel: string;
  botId: string;
  text: string;
  username?: string;
  threadTs?: string;
}

export interface ClickButtonInput {
  channel: string;
  ts: string;
  actionId: string;
  userId: string;
}

const CLOSE_GRACE_MS = 1_000;

/** Slack lets an app use a response_url this many times. */
const RESPONSE_URL_USES = 5;

export class SlackEmulator {
  readonly identity: WorkspaceIdentity;
  readonly directory: Directory;
  readonly store = new MessageStore();
  readonly fileStore = new FileStore();
  readonly hub: SocketModeHub;
  private readonly traffic = new Traffic();
  private readonly faults = new FaultQueue();
  private readonly clock = new TsClock();
  private readonly api: WebApi;
  private readonly server: Server;
  private responseUrlCount = 0;
  private readonly messageEvents: boolean;
  private port = 0;

  constructor(options: SlackEmulatorOptions = {}) {
    const { users = [], userGroups = [], channels = [], messageEvents = false, ...identity } = options;
    this.messageEvents = messageEvents;
    this.identity = { ...DEFAULT_IDENTITY, ...identity };
    this.directory = new Directory(this.identity);
    users.forEach((u) => this.directory.addUser(u));
    userGroups.forEach((g) => this.directory.addUserGroup(g));
    channels.forEach((c) => this.directory.addChannel(c));
    this.hub = new SocketModeHub(this.identity.appId, () => `ws://127.0.0.1:${this.port}`);
    this.api = new WebApi({
      identity: this.identity,
      directory: this.directory,
      store: this.store,
      clock: this.clock,
      openSocketUrl: () => this.hub.issueUrl(),
      onPosted: (stored) => {
        if (this.messageEvents) void this.deliverMessage(stored).catch(() => undefined);
      },
      files: this.fileStore,
      uploadUrl: (fileId) => `${this.baseUrl}/upload/v1/${fileId}`,
    });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`slack emulator failure: ${String(error)}`);
      });
    });
    this.server.on('upgrade', (req, socket, head) => this.hub.handleUpgrade(req, socket, head));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** For Bolt's `clientOptions.slackApiUrl` (it also routes apps.connections.open). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  // ---- recorded traffic -------------------------------------------------------------------

  get calls(): readonly ApiCall[] {
    return this.traffic.calls.entries;
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Index to pass as `since` so a wait only sees what happens after this point. */
  mark(): number {
    return this.traffic.calls.mark();
  }

  waitForCall(method: string, predicate: (call: ApiCall) => boolean = () => true, options: WaitOptions = {}): Promise<ApiCall> {
    return this.traffic.waitForCall(method, predicate, options);
  }

  get responses(): readonly ResponseUrlPost[] {
    return this.traffic.responses.entries;
  }

  waitForResponse(predicate: (post: ResponseUrlPost) => boolean = () => true, options: WaitOptions = {}): Promise<ResponseUrlPost> {
    return this.traffic.waitForResponse(predicate, options);
  }

  get messages(): ReadonlyMap<string, StoredMessage[]> {
    return this.store.byChannel;
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.store.get(channel, ts);
  }

  thread(channel: string, threadTs: string): StoredMessage[] {
    return this.store.thread(channel, threadTs);
  }

  get ephemerals(): readonly EphemeralMessage[] {
    return this.store.ephemerals;
  }

  /** Files uploaded and completed (files.uploadV2), in order, with their bytes. */
  get files(): EmulatedFile[] {
    return this.fileStore.uploaded;
  }

  // ---- faults and seeding -------------------------------------------------------------------

  /** The next call(s) to `method` (or `'response_url'`) fail this way; see Fault. */
  failNext(method: string, fault: Fault): void {
    this.faults.add(method, fault);
  }

  addUser(user: SeedUser): void {
    this.directory.addUser(user);
  }

  updateUser(id: string, patch: Partial<Omit<SeedUser, 'id'>>): SlackUserObject {
    return this.directory.updateUser(id, patch);
  }

  addUserGroup(group: SeedUserGroup): void {
    this.directory.addUserGroup(group);
  }

  addChannel(channel: SeedChannel): void {
    this.directory.addChannel(channel);
  }

  slackUser(id: string): SlackUserObject | undefined {
    return this.directory.slackUser(id);
  }

  dmChannelId(userId: string): string {
    return this.directory.dmChannelId(userId);
  }

  // ---- payloads (both transports) -----------------------------------------------------------

  newResponseUrl(): string {
    this.responseUrlCount += 1;
    return `${this.baseUrl}/respond/${this.responseUrlCount}`;
  }

  private get payloadContext(): payloads.PayloadContext {
    return { identity: this.identity, directory: this.directory, newResponseUrl: () => this.newResponseUrl() };
  }

  slashCommandPayload(input: payloads.SlashCommandInput): payloads.SlashCommandPayload {
    return payloads.slashCommandPayload(this.payloadContext, input);
  }

  eventCallbackPayload(event: Record<string, unknown>, options?: payloads.EventOptions): Record<string, unknown> {
    return payloads.eventCallbackPayload(this.payloadContext, event, options);
  }

  blockActionsPayload(input: payloads.BlockActionsInput): Record<string, unknown> {
    return payloads.blockActionsPayload(this.payloadContext, input);
  }

  /** A block_actions payload for a button on a message the app posted (found by action_id). */
  buttonClickPayload(input: ClickButtonInput): Record<string, unknown> {
    const stored = this.store.get(input.channel, input.ts);
    if (stored === undefined) throw new Error(`slack emulator: no message ${input.channel}/${input.ts}`);
    const found = findAction(stored.blocks ?? [], input.actionId);
    if (found === undefined) {
      const ids = listActionIds(stored.blocks ?? []);
      throw new Error(`slack emulator: no action_id ${input.actionId} on ${input.channel}/${input.ts} (has: ${ids.join(', ') || 'none'})`);
    }
    const message = {
      type: 'message',
      ts: stored.ts,
      ...(stored.thread_ts !== undefined ? { thread_ts: stored.thread_ts } : {}),
      text: stored.text ?? '',
      user: stored.user,
      bot_id: stored.bot_id,
      blocks: stored.blocks,
    };
    return this.blockActionsPayload({ user_id: input.userId, channel_id: input.channel, message, action: found });
  }

  // ---- Socket Mode ----------------------------------------------------------------------------

  sendSlashCommand(input: payloads.SlashCommandInput, options?: SendOptions): Promise<EnvelopeAck & { payload: payloads.SlashCommandPayload }> {
    const payload = this.slashCommandPayload(input);
    const label = `slash command ${payload.command} ${payload.text}`.trim();
    return this.hub.send('slash_commands', payload, label, options).then((ack) => ({ ...ack, payload }));
  }

  sendEvent(
    event: Record<string, unknown>,
    options: payloads.EventOptions & { retryNum?: number; retryReason?: string; ackTimeoutMs?: number } = {},
  ): Promise<EnvelopeAck & { payload: Record<string, unknown> }> {
    const payload = this.eventCallbackPayload(event, options);
    const send: SendOptions = {};
    if (options.retryNum !== undefined) send.retryAttempt = options.retryNum;
    if (options.retryReason !== undefined) send.retryReason = options.retryReason;
    if (options.ackTimeoutMs !== undefined) send.ackTimeoutMs = options.ackTimeoutMs;
    return this.hub.send('events_api', payload, `event ${String(event.type)} ${String(payload.event_id)}`, send).then((ack) => ({ ...ack, payload }));
  }

  /** `channel` for a public channel, `group` for a private one, `im` for a DM, as Slack types them. */
  channelType(channel: string): string {
    if (channel.startsWith('D')) return 'im';
    const seeded = this.directory.channel(channel);
    return seeded?.isPrivate || channel.startsWith('G') ? 'group' : 'channel';
  }

  /** The `message` event Slack delivers for a stored message (a person's, a bot's, or the app's own). */
  messageEvent(stored: StoredMessage): Record<string, unknown> {
    return {
      type: 'message',
      ...(stored.subtype !== undefined ? { subtype: stored.subtype } : {}),
      ...(stored.bot_id !== undefined ? { bot_id: stored.bot_id } : {}),
      ...(stored.bot_id !== undefined && stored.subtype === undefined ? { app_id: this.identity.appId } : {}),
      ...(stored.subtype === 'bot_message' ? {} : { user: stored.user }),
      text: stored.text ?? '',
      ...(stored.blocks !== undefined ? { blocks: stored.blocks } : {}),
      ts: stored.ts,
      ...(stored.thread_ts !== undefined ? { thread_ts: stored.thread_ts } : {}),
      team: this.identity.teamId,
      channel: stored.channel,
      event_ts: stored.ts,
      channel_type: this.channelType(stored.channel),
    };
  }

  private deliverMessage(stored: StoredMessage): Promise<EnvelopeAck & { payload: Record<string, unknown> }> {
    return this.sendEvent(this.messageEvent(stored));
  }

  /** A person posts in a channel (or a thread): stored, and delivered as a `message` event. */
  async postUserMessage(input: PostUserMessageInput): Promise<{ ts: string; ack: EnvelopeAck }> {
    const stored = this.store.post({
      channel: input.channel,
      ts: this.clock.next(),
      user: input.user,
      text: input.text,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    });
    const ack = await this.deliverMessage(stored);
    return { ts: stored.ts, ack };
  }

  /** Another integration posts (`subtype: bot_message`, its own `bot_id`). */
  async postBotMessage(input: PostBotMessageInput): Promise<{ ts: string; ack: EnvelopeAck }> {
    const stored = this.store.post({
      channel: input.channel,
      ts: this.clock.next(),
      user: input.botId,
      bot_id: input.botId,
      subtype: 'bot_message',
      text: input.text,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    });
    const ack = await this.deliverMessage(stored);
    return { ts: stored.ts, ack };
  }

  sendInteraction(payload: Record<string, unknown>, options?: SendOptions): Promise<EnvelopeAck> {
    return this.hub.send('interactive', payload, `interaction ${String(payload.type)}`, options);
  }

  clickButton(input: ClickButtonInput, options?: SendOptions): Promise<EnvelopeAck & { payload: Record<string, unknown> }> {
    const payload = this.buttonClickPayload(input);
    return this.sendInteraction(payload, options).then((ack) => ({ ...ack, payload }));
  }

  /** Slack-initiated refresh: Bolt closes, calls apps.connections.open again and reconnects. */
  disconnect(reason = 'refresh_requested'): Promise<void> {
    return this.hub.disconnect(reason);
  }

  /** A network drop (no close handshake): Bolt sees code 1006 and reconnects after its delay. */
  dropSockets(): void {
    this.hub.drop();
  }

  waitForSocket(options?: WaitOptions): Promise<void> {
    return this.hub.waitForSocket(options);
  }

  /** Resolves with the last close (its `code` tells a clean 1000 from a drop) once no socket is open. */
  waitForSocketsClosed(options?: WaitOptions): Promise<SocketEvent | undefined> {
    return this.hub.waitForAllClosed(options);
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://emulator');
    const upload = /^\/upload\/v1\/([^/]+)$/.exec(pathname);
    if (upload !== null && req.method === 'POST') return this.handleUpload(upload[1]!, req, await readBodyBytes(req), res);
    const rawBody = await readBody(req);
    if (pathname.startsWith('/api/')) return this.handleApi(decodeURIComponent(pathname.slice('/api/'.length)), req, rawBody, res);
    const respond = /^\/respond\/([^/]+)$/.exec(pathname);
    if (respond !== null && req.method === 'POST') return this.handleResponseUrl(respond[1]!, rawBody, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  private handleApi(method: string, req: IncomingMessage, rawBody: string, res: ServerResponse): void {
    const parsed = parseApiRequest(req, rawBody);
    const base = { method, params: parsed.params, token: maskToken(parsed.token), at: Date.now() };
    const fault = this.faults.take(method);
    if (fault !== undefined) {
      const answer = faultResponse(fault);
      this.traffic.calls.push({ ...base, status: answer.status, response: safeJson(answer.body), fault });
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const result = parsed.error !== undefined ? { ok: false, error: parsed.error } : this.api.call(method, parsed.params, parsed.token);
    this.traffic.calls.push({ ...base, status: 200, response: result });
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(result));
  }

  /** Step 2 of an upload: the bytes, to a URL files.getUploadURLExternal issued (recorded as a call). */
  private handleUpload(fileId: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const file = this.fileStore.get(fileId);
    const base = { method: 'upload', params: { file_id: fileId, bytes: body.length }, token: '', at: Date.now() };
    if (file === undefined || file.completed) {
      this.traffic.calls.push({ ...base, status: 404, response: 'not found' });
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    file.content = uploadedBytes(req.headers['content-type'], body);
    this.traffic.calls.push({ ...base, status: 200, response: `OK - ${file.content.length}` });
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${file.content.length}`);
  }

  private handleResponseUrl(id: string, rawBody: string, res: ServerResponse): void {
    const url = `${this.baseUrl}/respond/${id}`;
    const body = (safeJson(rawBody) ?? {}) as Record<string, unknown>;
    const fault = this.faults.take('response_url');
    const used = this.responses.filter((r) => r.id === id && r.status === 200).length;
    let status = 200;
    let answer: string = JSON.stringify({ ok: true });
    if (fault !== undefined) {
      const faulted = faultResponse(fault);
      status = faulted.status;
      answer = faulted.body;
    } else if (used >= RESPONSE_URL_USES) {
      status = 404;
      answer = JSON.stringify({ ok: false, error: 'used_url' });
    }
    this.traffic.responses.push({ id, url, body, at: Date.now(), status });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(answer);
  }

  async close(): Promise<void> {
    await this.hub.close();
    this.traffic.close();
    // Graceful for requests already in flight (a late auth.test gets its answer rather than a
    // reset that would surface as an unhandled rejection inside Bolt); forceful after a grace
    // period so a stuck client cannot keep the test process alive.
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => this.server.closeAllConnections(), CLOSE_GRACE_MS);
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}

export async function startSlackEmulator(options?: SlackEmulatorOptions): Promise<SlackEmulator> {
  const emulator = new SlackEmulator(options);
  await emulator.listen();
  return emulator;
}

async function readBodyBytes(req: IncomingMessage, limitBytes = 5_000_000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new Error(`upload over ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
