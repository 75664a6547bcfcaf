/**
 * `/gateway check` end to end: real Bolt (Socket Mode) against the Slack emulator, real BullMQ on
 * real Redis, the real probe ladder against fault-injecting Gateways on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { GATEWAY_TOKEN, INCIDENTS, ONCALL, RANDOM, STRANGER, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import type { ApiCall } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');

const finalUpdate = (ts: string) => (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');

describe('/gateway check through the queue', () => {
  let healthy: FakeGateway;
  let wrongToken: FakeGateway;
  let edge: FakeGateway;
  let harness: BotHarness;

  beforeAll(async () => {
    healthy = await startFakeGateway({ token: GATEWAY_TOKEN });
    wrongToken = await startFakeGateway({ token: 'a-different-token' });
    // Only the coalescing test checks `edge`: no earlier result can be shared with it.
    edge = await startFakeGateway({ token: GATEWAY_TOKEN });
    harness = await startBotHarness({
      redisUrl,
      gateways: { prod: { url: healthy.url }, staging: { url: wrongToken.url }, edge: { url: edge.url } },
      queue: { coalesceWindowMs: 2_000 },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await healthy?.close();
    await wrongToken?.close();
    await edge?.close();
  });

  it('acks at once, posts "checking…" and updates it in place with the verdict', async () => {
    const since = harness.emu.mark();
    const ack = await harness.gateway('check prod');
    expect(ack.latencyMs).toBeLessThan(3_000);
    const placeholder = await harness.emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳'), { since });
    expect(placeholder.params.channel).toBe(INCIDENTS.id);
    const ts = (placeholder.response as { ts: string }).ts;
    const update = await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 10_000 });
    expect(String(update.params.text)).toMatch(/^✅ prod healthy · 2026\.9\.6/);
    const blocks = JSON.stringify(update.params.blocks);
    expect(blocks).toContain('handshake');
    expect(blocks).toContain('gateway_rerun');
    // One message in the channel: the placeholder, now the verdict.
    const posted = harness.emu.callsTo('chat.postMessage').filter((call) => call.at >= placeholder.at && call.params.channel === INCIDENTS.id);
    expect(posted).toHaveLength(1);
    expect(harness.emu.message(INCIDENTS.id, ts)?.text).toMatch(/^✅ prod healthy/);
  });

  it('posts the verdict of an unhealthy gateway', async () => {
    const since = harness.emu.mark();
    await harness.gateway('check staging');
    const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
    const ts = (placeholder.response as { ts: string }).ts;
    const update = await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 10_000 });
    expect(String(update.params.text)).toContain('staging UNHEALTHY: auth-rejected');
    expect(JSON.stringify(update.params.blocks)).toContain('What to do');
    // The token is never in what reaches Slack.
    expect(JSON.stringify(harness.emu.calls)).not.toContain(GATEWAY_TOKEN);
  });

  it('answers an unknown name with a suggestion, ephemerally', async () => {
    const since = harness.emu.responses.length;
    await harness.gateway('check prdo');
    const reply = await harness.emu.waitForResponse((post) => String((post.body as { text?: string }).text).includes('prdo'), { since });
    expect((reply.body as { text: string }).text).toContain('No gateway named `prdo`. Did you mean `prod`?');
    expect((reply.body as { response_type?: string }).response_type).toBe('ephemeral');
  });

  it('answers malformed text with usage', async () => {
    const since = harness.emu.responses.length;
    await harness.gateway('chekc');
    const reply = await harness.emu.waitForResponse((post) => String((post.body as { text?: string }).text).includes('chekc'), { since });
    expect((reply.body as { text: string }).text).toMatch(/Unknown subcommand `chekc`\. Did you mean `check`\?[\s\S]*Usage/);
  });

  it('coalesces five concurrent requests into one probe and answers all five', async () => {
    const since = harness.emu.mark();
    await Promise.all(Array.from({ length: 5 }, () => harness.gateway('check edge')));
    const finals = () => harness.emu.calls.slice(since).filter((call) => call.method === 'chat.update' && !String(call.params.text).startsWith('⏳'));
    await harness.emu.waitForCall('chat.update', () => finals().length >= 5, { since, timeoutMs: 10_000 });
    const placeholders = harness.emu.calls.slice(since).filter((call) => call.method === 'chat.postMessage');
    expect(placeholders).toHaveLength(5);
    const placeholderTs = placeholders.map((call) => (call.response as { ts: string }).ts).sort();
    expect(
      finals()
        .map((call) => String(call.params.ts))
        .sort(),
    ).toEqual(placeholderTs);
    for (const update of finals()) expect(String(update.params.text)).toMatch(/^✅ edge healthy/);
    expect(edge.connects.length).toBe(1);
  });

  it('the Re-run button runs the check again for the person who clicked', async () => {
    const since = harness.emu.mark();
    await harness.gateway('check prod');
    const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
    const ts = (placeholder.response as { ts: string }).ts;
    await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 10_000 });
    const clickSince = harness.emu.mark();
    await harness.emu.clickButton({ channel: INCIDENTS.id, ts, actionId: 'gateway_rerun', userId: ONCALL.id });
    const again = await harness.emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳'), { since: clickSince });
    const againTs = (again.response as { ts: string }).ts;
    const update = await harness.emu.waitForCall('chat.update', finalUpdate(againTs), { since: clickSince, timeoutMs: 10_000 });
    expect(String(update.params.text)).toMatch(/^✅ prod healthy/);
  });

  it('writes every command to the audit stream', async () => {
    const redis = new Redis(redisUrl);
    try {
      const rows = await redis.xrevrange(`${harness.prefix}:audit`, '+', '-', 'COUNT', 50);
      const outcomes = rows.map(([, fields]) => fields[fields.indexOf('outcome') + 1]);
      expect(outcomes).toContain('accepted');
      expect(outcomes).toContain('usage');
      expect(JSON.stringify(rows)).not.toContain(GATEWAY_TOKEN);
    } finally {
      redis.disconnect();
    }
  });

  it('never logs the gateway token or the Slack tokens', () => {
    const all = harness.logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    expect(all).not.toContain(GATEWAY_TOKEN);
    expect(all).not.toContain(harness.emu.identity.botToken);
    expect(all).not.toContain(harness.emu.identity.appToken);
  });
});

describe('authorization', () => {
  let gateway: FakeGateway;
  let harness: BotHarness;

  beforeAll(async () => {
    gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    harness = await startBotHarness({
      redisUrl,
      // One fake Gateway under two names: marked as aliases, as config validation requires.
      gateways: { prod: { url: gateway.url }, lab: { url: gateway.url, aliasOf: 'prod' } },
      access: { allowDirectMessages: false, rules: [{ gateways: ['prod'], channels: ['#incidents'], userGroups: ['@oncall'] }] },
      emulator: { userGroups: [{ id: 'S0ONCALL', handle: 'oncall', users: [ONCALL.id] }] },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await gateway?.close();
  });
  afterEach(() => undefined);

  it.each([
    ['a user outside @oncall', STRANGER.id, INCIDENTS, /prod` may only be checked from #incidents by @oncall/],
    ['the wrong channel', ONCALL.id, RANDOM, /prod` may only be checked from #incidents by @oncall/],
    ['a direct message', ONCALL.id, { id: 'D0ONCALL', name: 'directmessage' }, /not allowed in direct messages/],
  ])('refuses %s, ephemerally, and nothing is probed', async (_label, user, channel, reason) => {
    const connects = gateway.connects.length;
    const since = harness.emu.responses.length;
    const posts = harness.emu.callsTo('chat.postMessage').length;
    await harness.gateway('check prod', { user, channel });
    const reply = await harness.emu.waitForResponse(() => true, { since });
    expect((reply.body as { text: string }).text).toMatch(reason);
    expect((reply.body as { response_type?: string }).response_type).toBe('ephemeral');
    expect(harness.emu.callsTo('chat.postMessage').length).toBe(posts);
    expect(gateway.connects.length).toBe(connects);
  });

  it('allows the on-call user in #incidents, and anyone for an unruled gateway', async () => {
    for (const [user, text] of [
      [ONCALL.id, 'check prod'],
      [STRANGER.id, 'check lab'],
    ] as const) {
      const since = harness.emu.mark();
      await harness.gateway(text, { user });
      const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
      const ts = (placeholder.response as { ts: string }).ts;
      const update = await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 10_000 });
      expect(String(update.params.text)).toContain('healthy');
    }
  });

  it('a Re-run click goes through the same authorization', async () => {
    const since = harness.emu.mark();
    await harness.gateway('check prod', { user: ONCALL.id });
    const placeholder = await harness.emu.waitForCall('chat.postMessage', () => true, { since });
    const ts = (placeholder.response as { ts: string }).ts;
    await harness.emu.waitForCall('chat.update', finalUpdate(ts), { since, timeoutMs: 10_000 });
    const responses = harness.emu.responses.length;
    const connects = gateway.connects.length;
    await harness.emu.clickButton({ channel: INCIDENTS.id, ts, actionId: 'gateway_rerun', userId: STRANGER.id });
    const reply = await harness.emu.waitForResponse(() => true, { since: responses });
    expect((reply.body as { text: string }).text).toMatch(/Not allowed/);
    expect(gateway.connects.length).toBe(connects);
  });
});
