/**
 * Proves the Slack emulator against REAL, unmodified Bolt (Socket Mode and HTTP mode) and
 * web-api: if these pass, a test that drives clawops through the emulator exercises the same
 * wire Slack would. Everything waits on events with bounded timeouts; nothing sleeps.
 */
import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  signedRequest,
  slackSignature,
  slashCommandBody,
  eventBody,
  interactionBody,
  startSlackEmulator,
  type SlackEmulator,
} from '../support/slack-emulator.js';

const ONCALL = { id: 'U_ONCALL', name: 'oncall', email: 'oncall@example.test' };
const DEPARTED = { id: 'U_DEPARTED', name: 'departed', email: 'departed@example.test' };
const APPROVER = { id: 'U_APPROVER', name: 'approver', email: 'approver@example.test' };
const OPS = { id: 'C_OPS', name: 'ops' };

/** A promise plus its resolver, so a listener can hand its arguments to the test. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Bound a wait on something the app does, so a broken listener fails fast with a reason. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sectionBlock = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('Web API (web-api WebClient against the emulator)', () => {
  let emu: SlackEmulator;
  let client: webApi.WebClient;

  beforeEach(async () => {
    emu = await startSlackEmulator({ users: [ONCALL, DEPARTED], channels: [OPS], userGroups: [{ id: 'S_OPS', handle: 'ops-team', users: ['U_ONCALL'] }] });
    client = new webApi.WebClient(emu.identity.botToken, { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
  });
  afterEach(async () => {
    await emu.close();
  });

  it('answers auth.test for the bot token and invalid_auth for any other', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: emu.identity.botUserId, bot_id: emu.identity.botId, team_id: emu.identity.teamId });

    const stranger = new webApi.WebClient('xoxb-not-ours', { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
    await expect(stranger.auth.test()).rejects.toMatchObject({ code: webApi.ErrorCode.PlatformError, data: { error: 'invalid_auth' } });
    // The app-level token only opens sockets; Slack refuses it on bot methods.
    const appTokenClient = new webApi.WebClient(emu.identity.appToken, {
      slackApiUrl: emu.apiUrl,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    await expect(appTokenClient.chat.postMessage({ channel: 'C_OPS', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    expect(emu.callsTo('auth.test').map((c) => c.token)).toEqual(['xoxb-***', 'xoxb-***']);
  });

  it('posts, threads, updates in place with history, and deletes', async () => {
    const posted = await client.chat.postMessage({ channel: 'C_OPS', text: 'checking prod', blocks: [sectionBlock('*prod*: checking')] });
    expect(posted).toMatchObject({ ok: true, channel: 'C_OPS', message: { text: 'checking prod', bot_id: emu.identity.botId } });
    const ts = posted.ts!;
    expect(ts).toMatch(/^\d{10}\.\d{6}$/);

    const reply = await client.chat.postMessage({ channel: 'C_OPS', thread_ts: ts, text: 'details' });
    expect(reply.ts! > ts).toBe(true);
    expect(emu.thread('C_OPS', ts).map((m) => m.text)).toEqual(['details']);

    await client.chat.update({ channel: 'C_OPS', ts, text: 'prod is healthy', blocks: [sectionBlock('*prod*: healthy')] });
    const stored = emu.message('C_OPS', ts)!;
    expect(stored.text).toBe('prod is healthy');
    expect(stored.blocks).toEqual([{ ...sectionBlock('*prod*: healthy'), block_id: 'b0' }]);
    expect(stored.edits.map((e) => e.text)).toEqual(['checking prod']);

    await expect(client.chat.update({ channel: 'C_OPS', ts: '1.000000', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await client.chat.delete({ channel: 'C_OPS', ts });
    expect(emu.message('C_OPS', ts)?.deleted).toBe(true);

    // Blocks arrive as a JSON string in the form body; the log holds them decoded.
    expect(emu.callsTo('chat.postMessage')[0]?.params.blocks).toEqual([sectionBlock('*prod*: checking')]);
  });

  it('keeps message metadata and reads history as Slack does: newest first, ts windows, metadata only when asked', async () => {
    const before = (Date.now() / 1_000 - 1).toFixed(6);
    const first = await client.chat.postMessage({
      channel: 'C_OPS',
      text: 'first',
      metadata: { event_type: 'clawops_message', event_payload: { key: 'k1', state: 'pending' } },
    });
    const second = await client.chat.postMessage({ channel: 'C_OPS', text: 'second' });
    await client.chat.postMessage({ channel: 'C_OPS', thread_ts: first.ts!, text: 'a reply' });
    // ts are wall-clock seconds, so a client's `oldest` computed from its own clock finds them.
    expect(Number(first.ts)).toBeGreaterThan(Number(before));

    const plain = await client.conversations.history({ channel: 'C_OPS', oldest: before });
    expect(plain.messages!.map((m) => m.text)).toEqual(['second', 'first']);
    expect(plain.messages![1]).not.toHaveProperty('metadata');
    const tagged = await client.conversations.history({ channel: 'C_OPS', oldest: before, include_all_metadata: true });
    expect(tagged.messages![1]).toMatchObject({ ts: first.ts, metadata: { event_type: 'clawops_message', event_payload: { key: 'k1', state: 'pending' } } });
    // One message by its ts: oldest = latest = ts, inclusive.
    const one = await client.conversations.history({ channel: 'C_OPS', oldest: second.ts!, latest: second.ts!, inclusive: true, limit: 1 });
    expect(one.messages!.map((m) => m.ts)).toEqual([second.ts]);
    expect((await client.conversations.history({ channel: 'C_OPS', oldest: second.ts! })).messages).toEqual([]);

    // chat.update replaces the metadata; replies list the parent, then the thread.
    await client.chat.update({
      channel: 'C_OPS',
      ts: first.ts!,
      text: 'first, answered',
      metadata: { event_type: 'clawops_message', event_payload: { key: 'k1', state: 'answered' } },
    });
    expect(emu.message('C_OPS', first.ts!)?.metadata?.event_payload).toEqual({ key: 'k1', state: 'answered' });
    const thread = await client.conversations.replies({ channel: 'C_OPS', ts: first.ts!, include_all_metadata: true });
    expect(thread.messages!.map((m) => m.text)).toEqual(['first, answered', 'a reply']);
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x', metadata: { event_type: 'bad type!', event_payload: {} } })).rejects.toMatchObject({
      data: { error: 'invalid_metadata_format' },
    });
    await expect(client.conversations.history({ channel: 'C_NOWHERE' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
  });

  it('refuses what Slack refuses: no channel, no text, and Block Kit limits', async () => {
    await expect(client.apiCall('chat.postMessage', { text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(client.apiCall('chat.postMessage', { channel: 'C_OPS' })).rejects.toMatchObject({ data: { error: 'no_text' } });

    const tooMany = Array.from({ length: 51 }, (_, i) => sectionBlock(`row ${i}`));
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x', blocks: tooMany })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', errors: ['no more than 50 items allowed [json-pointer:/blocks]'] },
    });
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x', blocks: [sectionBlock('a'.repeat(3001))] })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] },
    });
    const longHeader = { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } };
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x', blocks: [longHeader] })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', errors: ['must be less than 151 characters [json-pointer:/blocks/0/text/text]'] },
    });
    // At the limits exactly, Slack accepts.
    const atLimit = [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } }, sectionBlock('a'.repeat(3000))];
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x', blocks: atLimit })).resolves.toMatchObject({ ok: true });
  });

  it('serves the seeded directory and opens DMs', async () => {
    await expect(client.users.info({ user: 'U_DEPARTED' })).resolves.toMatchObject({
      user: { id: 'U_DEPARTED', name: 'departed', deleted: false, is_bot: false, profile: { email: 'departed@example.test' } },
    });
    emu.updateUser('U_DEPARTED', { deleted: true });
    await expect(client.users.info({ user: 'U_DEPARTED' })).resolves.toMatchObject({ user: { deleted: true } });
    await expect(client.users.info({ user: 'U_NOBODY' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    await expect(client.users.lookupByEmail({ email: 'ONCALL@example.test' })).resolves.toMatchObject({ user: { id: 'U_ONCALL' } });
    await expect(client.users.lookupByEmail({ email: 'nobody@example.test' })).rejects.toMatchObject({ data: { error: 'users_not_found' } });
    await expect(client.usergroups.users.list({ usergroup: 'S_OPS' })).resolves.toMatchObject({ users: ['U_ONCALL'] });
    await expect(client.usergroups.list({ include_users: true })).resolves.toMatchObject({
      usergroups: [{ id: 'S_OPS', handle: 'ops-team', users: ['U_ONCALL'] }],
    });
    await expect(client.conversations.info({ channel: 'C_OPS' })).resolves.toMatchObject({ channel: { id: 'C_OPS', name: 'ops' } });

    const dm = await client.conversations.open({ users: 'U_ONCALL' });
    expect(dm.channel?.id).toBe(emu.dmChannelId('U_ONCALL'));
    // Posting to a user id lands in their DM, as on Slack.
    const posted = await client.chat.postMessage({ channel: 'U_ONCALL', text: 'hello' });
    expect(posted.channel).toBe(dm.channel?.id);
    await client.chat.postEphemeral({ channel: 'C_OPS', user: 'U_ONCALL', text: 'only you' });
    expect(emu.ephemerals).toMatchObject([{ channel: 'C_OPS', user: 'U_ONCALL', text: 'only you' }]);
  });

  it('records unknown methods and injected faults', async () => {
    await expect(client.apiCall('clawops.nonsense', {})).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    expect(emu.callsTo('clawops.nonsense')).toHaveLength(1);

    emu.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    emu.failNext('chat.postMessage', { status: 500, times: 2 });
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x' })).rejects.toMatchObject({ code: webApi.ErrorCode.HTTPError, statusCode: 500 });
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x' })).rejects.toMatchObject({ statusCode: 500 });
    await expect(client.chat.postMessage({ channel: 'C_OPS', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(emu.callsTo('chat.postMessage').map((c) => c.status)).toEqual([200, 500, 500, 200]);
  });

  it('a wait that times out names the calls it did see', async () => {
    await client.auth.test();
    await expect(emu.waitForCall('chat.update', undefined, { timeoutMs: 50 })).rejects.toThrow(
      /no matching chat.update call within 50 ms; calls seen: auth.test ok/,
    );
  });
});

describe('Socket Mode (real Bolt App)', () => {
  let emu: SlackEmulator;
  let app: App | undefined;

  beforeEach(async () => {
    emu = await startSlackEmulator({ users: [ONCALL, DEPARTED, APPROVER], channels: [OPS] });
  });
  afterEach(async () => {
    if (app !== undefined) {
      await app.stop();
      app = undefined;
      await emu.waitForSocketsClosed();
    }
    await emu.close();
  });

  /** start() resolves on the server's hello; bound it so a missing hello fails in seconds, not at the test timeout. */
  const startApp = (started: App) => within(started.start(), 5000, 'app.start() (waiting for hello)');

  /**
   * The app as clawops builds it: Socket Mode, API base pointed at the emulator. Resolves once
   * the auth.test Bolt fires from its constructor has reached the emulator: Bolt never awaits
   * that promise itself, so closing the emulator under it would be an unhandled rejection.
   */
  async function socketApp(retryConfig: webApi.RetryOptions = { retries: 0 }): Promise<App> {
    const since = emu.mark();
    app = new App({
      token: emu.identity.botToken,
      appToken: emu.identity.appToken,
      socketMode: true,
      // A fresh object each time: Bolt and the socket client write into it.
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig },
      logLevel: LogLevel.ERROR,
    });
    await emu.waitForCall('auth.test', undefined, { since });
    return app;
  }

  it('start() verifies the bot token, opens a socket with the app token and resolves on hello', async () => {
    // Bolt calls auth.test from the constructor, before start().
    const started = await socketApp();
    const authTest = emu.callsTo('auth.test')[0]!;
    expect(authTest.token).toBe('xoxb-***');

    const connection = (await startApp(started)) as unknown as { ok: boolean; url: string };
    expect(connection.ok).toBe(true);
    expect(connection.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
    const open = emu.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe('xapp-***');
    expect(emu.calls.indexOf(authTest)).toBeLessThan(emu.calls.indexOf(open[0]!));
    expect(emu.hub.openSockets).toBe(1);
  });

  it('a slash command is acked over the socket; the handler posts blocks and responds via response_url', async () => {
    const seen = deferred<Record<string, string>>();
    (await socketApp()).command('/gateway', async ({ ack, command, client, respond }) => {
      await ack({ response_type: 'ephemeral', text: `checking ${command.text}` });
      seen.resolve({ ...command });
      await client.chat.postMessage({
        channel: command.channel_id,
        text: 'prod: healthy',
        blocks: [{ type: 'header', text: { type: 'plain_text', text: 'prod' } }, sectionBlock('healthy')],
      });
      await respond({ response_type: 'ephemeral', text: 'posted the report' });
    });
    await startApp(app!);

    const result = await emu.sendSlashCommand({ command: '/gateway', text: 'check prod', user_id: 'U_ONCALL', channel_id: 'C_OPS' });
    expect(result.ack).toEqual({ response_type: 'ephemeral', text: 'checking check prod' });
    expect(result.latencyMs).toBeGreaterThan(0);
    expect(result.latencyMs).toBeLessThan(3000);

    const command = await within(seen.promise, 2000, 'the /gateway listener');
    expect(command).toMatchObject({
      command: '/gateway',
      text: 'check prod',
      user_id: 'U_ONCALL',
      user_name: 'oncall',
      channel_id: 'C_OPS',
      channel_name: 'ops',
    });

    const post = await emu.waitForCall('chat.postMessage');
    expect(post.token).toBe('xoxb-***');
    // Bolt's per-team client adds team_id to every call it makes for a listener.
    expect(post.params).toMatchObject({ channel: 'C_OPS', text: 'prod: healthy', team_id: emu.identity.teamId });
    expect(post.params.blocks).toEqual([{ type: 'header', text: { type: 'plain_text', text: 'prod' } }, sectionBlock('healthy')]);
    const ts = (post.response as { ts: string }).ts;
    expect(emu.message('C_OPS', ts)?.text).toBe('prod: healthy');

    const response = await emu.waitForResponse();
    expect(response.url).toBe(result.payload.response_url);
    expect(response.body).toEqual({ response_type: 'ephemeral', text: 'posted the report' });
  });

  it('a 429 with Retry-After is waited out and retried by web-api', async () => {
    const done = deferred<void>();
    // One retry, no extra backoff of its own: the only wait is the one Retry-After asks for.
    (await socketApp({ retries: 1, minTimeout: 0, maxTimeout: 0 })).command('/gateway', async ({ ack, client, command }) => {
      await ack();
      await client.chat.postMessage({ channel: command.channel_id, text: 'after the rate limit' });
      done.resolve();
    });
    await startApp(app!);
    emu.failNext('chat.postMessage', { status: 429, retryAfterSeconds: 1 });

    const { ack } = await emu.sendSlashCommand({ command: '/gateway', text: 'check prod', user_id: 'U_ONCALL', channel_id: 'C_OPS' });
    expect(ack).toEqual({});
    await within(done.promise, 5000, 'the retried chat.postMessage');

    const attempts = emu.callsTo('chat.postMessage');
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(emu.messages.get('C_OPS')?.map((m) => m.text)).toEqual(['after the rate limit']);
  });

  it('reconnects after a Slack "disconnect" and keeps serving commands', async () => {
    (await socketApp()).command('/gateway', async ({ ack, command }) => {
      await ack({ text: `ok ${command.text}` });
    });
    await startApp(app!);
    expect(emu.callsTo('apps.connections.open')).toHaveLength(1);

    const since = emu.mark();
    await emu.disconnect();
    // socket-mode waits clientPingTimeout (5 s) × attempt before reconnecting.
    await emu.waitForSocket({ timeoutMs: 12_000 });
    await emu.waitForCall('apps.connections.open', undefined, { since });
    expect(emu.callsTo('apps.connections.open')).toHaveLength(2);

    const { ack } = await emu.sendSlashCommand({ command: '/gateway', text: 'again', user_id: 'U_ONCALL', channel_id: 'C_OPS' });
    expect(ack).toEqual({ text: 'ok again' });
  }, 20_000);

  it('an events_api user_change reaches app.event with the retry number', async () => {
    const seen = deferred<{ event: Record<string, unknown>; eventId: unknown; retryNum: unknown }>();
    (await socketApp()).event('user_change', async ({ event, body, context }) => {
      seen.resolve({ event: event as unknown as Record<string, unknown>, eventId: body.event_id, retryNum: context.retryNum });
    });
    await startApp(app!);

    const departed = emu.updateUser('U_DEPARTED', { deleted: true });
    const { ack } = await emu.sendEvent(
      { type: 'user_change', user: departed, cache_ts: 1_700_000_000 },
      { eventId: 'Ev0DEPARTED', retryNum: 1, retryReason: 'timeout' },
    );
    // Bolt acks events itself, before the listener runs, with an empty payload.
    expect(ack).toEqual({});
    const got = await within(seen.promise, 2000, 'the user_change listener');
    expect(got.eventId).toBe('Ev0DEPARTED');
    expect(got.retryNum).toBe(1);
    expect(got.event).toMatchObject({ type: 'user_change', user: { id: 'U_DEPARTED', deleted: true, profile: { email: 'departed@example.test' } } });
  });

  it('a click on a posted button reaches app.action with the rendered block_id and value', async () => {
    const clicked = deferred<{ action: Record<string, unknown>; body: Record<string, unknown> }>();
    const started = await socketApp();
    started.action('approve', async ({ ack, action, body, respond }) => {
      await ack();
      clicked.resolve({ action: action as unknown as Record<string, unknown>, body: body as unknown as Record<string, unknown> });
      await respond({ replace_original: true, text: 'approved' });
    });
    await startApp(started);
    const posted = await started.client.chat.postMessage({
      channel: 'C_OPS',
      text: 'Remove departed from the tailnet?',
      blocks: [
        sectionBlock('Remove *departed*?'),
        {
          type: 'actions',
          block_id: 'offboard',
          elements: [{ type: 'button', action_id: 'approve', value: 'U_DEPARTED', text: { type: 'plain_text', text: 'Approve' } }],
        },
      ],
    });

    const { ack } = await emu.clickButton({ channel: 'C_OPS', ts: posted.ts!, actionId: 'approve', userId: 'U_APPROVER' });
    expect(ack).toEqual({});
    const got = await within(clicked.promise, 2000, 'the approve action listener');
    expect(got.action).toMatchObject({ action_id: 'approve', block_id: 'offboard', value: 'U_DEPARTED', type: 'button' });
    expect(got.body).toMatchObject({
      type: 'block_actions',
      user: { id: 'U_APPROVER', name: 'approver' },
      container: { channel_id: 'C_OPS', message_ts: posted.ts },
      message: { ts: posted.ts },
    });
    const response = await emu.waitForResponse();
    expect(response.body).toEqual({ replace_original: true, text: 'approved' });
  });

  it('keeps the connection through the client heartbeat (ws answers its pings)', async () => {
    // The client pings every clientPingTimeout/3 and drops a socket after 4 unanswered pings;
    // a short timeout (real Bolt option) makes that decision come in about a second.
    const receiver = new SocketModeReceiver({
      appToken: emu.identity.appToken,
      clientPingTimeout: 600,
      installerOptions: { clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } } },
      logLevel: LogLevel.ERROR,
    });
    const since = emu.mark();
    app = new App({
      token: emu.identity.botToken,
      receiver,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    await emu.waitForCall('auth.test', undefined, { since });
    await startApp(app);

    const pings = () => emu.hub.events.entries.filter((e) => e.kind === 'ping').length;
    await emu.hub.events.waitFor(
      () => pings() >= 6,
      { timeoutMs: 5000 },
      () => `only ${pings()} pings arrived`,
    );
    expect(emu.hub.events.entries.filter((e) => e.kind === 'closed')).toEqual([]);
    expect(emu.hub.openSockets).toBe(1);
    expect(emu.callsTo('apps.connections.open')).toHaveLength(1);
  });

  it('stop() closes the socket with a clean close handshake', async () => {
    await startApp(await socketApp());
    await app!.stop();
    app = undefined;
    const closed = await emu.waitForSocketsClosed();
    expect(closed?.code).toBe(1000);
  });
});

describe('HTTP mode (real Bolt App with its HTTPReceiver)', () => {
  const signingSecret = 'signing-secret-for-tests';
  let emu: SlackEmulator;
  let app: App;
  let url: string;
  let handled: number;

  beforeEach(async () => {
    emu = await startSlackEmulator({ users: [ONCALL, APPROVER], channels: [OPS] });
    handled = 0;
    app = new App({
      token: emu.identity.botToken,
      signingSecret,
      clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } },
      logLevel: LogLevel.ERROR,
    });
    // Bolt's constructor fires auth.test and never awaits it; let it land before any teardown.
    await emu.waitForCall('auth.test');
    app.command('/gateway', async ({ ack, command }) => {
      handled += 1;
      await ack({ response_type: 'ephemeral', text: `checking ${command.text}` });
    });
    // HTTPReceiver.start takes listen options and resolves with the bound server.
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterEach(async () => {
    await app.stop();
    await emu.close();
  });

  const command = () => slashCommandBody(emu.slashCommandPayload({ command: '/gateway', text: 'check prod', user_id: 'U_ONCALL', channel_id: 'C_OPS' }));

  it('acks a correctly signed slash command with the ack body as JSON', async () => {
    const res = await signedRequest({ url, body: command(), signingSecret });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ response_type: 'ephemeral', text: 'checking check prod' });
    expect(handled).toBe(1);
  });

  it('refuses a bad signature with 401 and an empty body', async () => {
    const res = await signedRequest({ url, body: command(), signingSecret, badSignature: true });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('');
    expect(handled).toBe(0);
  });

  it('refuses a correctly signed request older than 5 minutes with 401', async () => {
    const res = await signedRequest({ url, body: command(), signingSecret, timestamp: Math.floor(Date.now() / 1000) - 5 * 60 - 10 });
    expect(res.status).toBe(401);
    expect(handled).toBe(0);
  });

  it('parses a form body only under exactly application/x-www-form-urlencoded (400 otherwise)', async () => {
    const body = command();
    const res = await signedRequest({ url, body: { ...body, contentType: `${body.contentType}; charset=utf-8` }, signingSecret });
    expect(res.status).toBe(400);
    expect(handled).toBe(0);
  });

  it('delivers signed events and interactions', async () => {
    const event = deferred<string>();
    const action = deferred<string>();
    app.event('user_change', async ({ event: e }) => event.resolve((e.user as { id: string }).id));
    app.action('approve', async ({ ack, body }) => {
      await ack();
      action.resolve(body.user.id);
    });
    const eventRes = await signedRequest({
      url,
      body: eventBody(emu.eventCallbackPayload({ type: 'user_change', user: emu.slackUser('U_ONCALL') })),
      signingSecret,
    });
    expect(eventRes.status).toBe(200);
    expect(await within(event.promise, 2000, 'the user_change listener')).toBe('U_ONCALL');

    const click = emu.blockActionsPayload({ user_id: 'U_APPROVER', channel_id: 'C_OPS', action: { action_id: 'approve', value: 'yes' } });
    const actionRes = await signedRequest({ url, body: interactionBody(click), signingSecret });
    expect(actionRes.status).toBe(200);
    expect(await within(action.promise, 2000, 'the approve listener')).toBe('U_APPROVER');
  });

  it('signs the way Slack documents it', () => {
    // Slack's published example: secret 8f742231b10e8888abcd99yyyzzz85a5, timestamp 1531420618.
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, body)).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });
});
