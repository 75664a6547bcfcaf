/**
 * Incident triggers end to end: real Bolt in Socket Mode against the emulator (which delivers
 * `message` events as Slack does, the bot's own posts included), real Redis for the limiter and
 * the queue, a Gateway on loopback for the Check. One reply per pasted symptom, none for a second
 * paste in the thread, none for a bot or for the bot's own reply (which quotes the symptom).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { GATEWAY_TOKEN, INCIDENTS, ONCALL, RANDOM, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import type { ApiCall } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('incident triggers', () => {
  let gateway: FakeGateway;
  let harness: BotHarness;
  const logged = (message: string, ts: string) => () => harness.logs.find((line) => line.includes(`"msg":"${message}"`) && line.includes(`"ts":"${ts}"`));
  const replies = (ts: string) =>
    harness.emu.thread(INCIDENTS.id, ts).filter((message) => message.bot_id !== undefined && (message.text ?? '').startsWith('📖'));

  beforeAll(async () => {
    gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    harness = await startBotHarness({
      redisUrl,
      gateways: { prod: { url: gateway.url }, staging: { url: 'ws://127.0.0.1:9' } },
      // By name: the bot resolves the channel's name (conversations.info) to find it opted in.
      triggers: { channels: ['#incidents'], channelCooldownSeconds: 0, threadCooldownSeconds: 600 },
      emulator: { messageEvents: true },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await gateway?.close();
  });

  it('a pasted "gateway closed (1000)" gets one threaded reply with the row and a Check button that checks in the thread', async () => {
    const { ts } = await harness.emu.postUserMessage({
      channel: INCIDENTS.id,
      user: ONCALL.id,
      text: 'openclaw tui on prod: gateway closed (1000) right after connect',
    });
    const [reply] = await until('the trigger reply', () => (replies(ts).length ? replies(ts) : undefined));
    const blocks = JSON.stringify(reply!.blocks);
    expect(blocks).toContain('WebSocket closed early');
    expect(blocks).toContain('What you see');
    expect(blocks).toContain('Suspect first');
    expect(blocks).toContain('What to do');
    expect(blocks).toContain('Check prod');
    // The bot's own reply (which quotes the symptom) comes back as a message event too: never answered (checked below).

    const since = harness.emu.mark();
    await harness.emu.clickButton({ channel: INCIDENTS.id, ts: reply!.ts, actionId: 'trigger_check', userId: ONCALL.id });
    const placeholder = await harness.emu.waitForCall('chat.postMessage', (call: ApiCall) => String(call.params.text).startsWith('⏳'), { since });
    expect(placeholder.params.thread_ts).toBe(ts);
    const placeholderTs = (placeholder.response as { ts: string }).ts;
    const verdict = await harness.emu.waitForCall(
      'chat.update',
      (call: ApiCall) => call.params.ts === placeholderTs && !String(call.params.text).startsWith('⏳'),
      { since, timeoutMs: 20_000 },
    );
    expect(String(verdict.params.text)).toMatch(/prod healthy/);
    expect(harness.emu.message(INCIDENTS.id, placeholderTs)?.thread_ts).toBe(ts);
    expect(gateway.connects.length).toBeGreaterThan(0);

    // A second paste in the same thread, within the thread's cooldown: matched, not answered.
    const second = await harness.emu.postUserMessage({ channel: INCIDENTS.id, user: ONCALL.id, text: 'still gateway closed (1000) here', threadTs: ts });
    const refusal = await until('the limiter decision', logged('trigger matched, not replying', second.ts));
    expect(refusal).toContain('"decision":"thread-limited"');
    expect(replies(ts)).toHaveLength(1);
    expect(harness.emu.thread(INCIDENTS.id, ts).filter((message) => message.bot_id !== undefined)).toHaveLength(2);
  });

  it('a bot pasting the same symptom gets no reply', async () => {
    const { ts } = await harness.emu.postBotMessage({
      channel: INCIDENTS.id,
      botId: 'B0ALERTMANAGER',
      username: 'alertmanager',
      text: 'FIRING: gateway closed (1000) on prod',
    });
    await until('the bot message ignored', logged('trigger: message ignored', ts));
    expect(replies(ts)).toHaveLength(0);
  });

  it('a channel that did not opt in gets no reply', async () => {
    const { ts } = await harness.emu.postUserMessage({ channel: RANDOM.id, user: ONCALL.id, text: 'gateway closed (1000) on prod' });
    await until('the channel refused', logged('trigger: channel not opted in', ts));
    expect(harness.emu.thread(RANDOM.id, ts)).toHaveLength(0);
  });

  it('a message naming no gateway offers a select of the gateways its author may check', async () => {
    const { ts } = await harness.emu.postUserMessage({ channel: INCIDENTS.id, user: ONCALL.id, text: 'openclaw gateway call failed: pairing required' });
    const [reply] = await until('the trigger reply', () => (replies(ts).length ? replies(ts) : undefined));
    const blocks = JSON.stringify(reply!.blocks);
    expect(blocks).toContain('Pairing required');
    expect(blocks).toContain('"type":"static_select"');
    expect(blocks).toContain('"value":"prod"');
    expect(blocks).toContain('"value":"staging"');
  });
});
