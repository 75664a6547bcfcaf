/**
 * Watching between incidents, end to end: real BullMQ job schedulers on real Redis, the real probe
 * ladder against a fault-injecting Gateway, real Bolt against the Slack emulator, and an injected
 * clock for the alert policy (reminders an hour apart, without waiting an hour). A gateway goes
 * down, gets exactly one alert, follow-ups in its thread, survives a restart of clawops without a
 * second alert, and is resolved in the thread; the commands and the scheduled digest read it back.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Job } from 'bullmq';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { GATEWAY_TOKEN, INCIDENTS, ONCALL, RANDOM, STRANGER, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { blockKitProblems, type ApiCall } from '../support/slack-emulator.js';
import type { DigestSectionProvider } from '../../src/render/digest-section.js';
import { section } from '../../src/render/blocks.js';
import { md } from '../../src/render/slack-text.js';

const redisUrl = inject('redisUrl');
const OPS = { id: 'C0OPS', name: 'ops' };
const HOUR = 3_600_000;

/** Resolves with the next `count` scheduled-check results of the running worker (bounded). */
function scheduledResults(harness: BotHarness, count: number, timeoutMs = 20_000): Promise<Array<{ state?: string }>> {
  const worker = harness.runtime.monitoring!.monitor;
  return new Promise((resolve, reject) => {
    const seen: Array<{ state?: string }> = [];
    const timer = setTimeout(() => {
      worker.off('completed', onCompleted);
      reject(new Error(`only ${seen.length} of ${count} scheduled results within ${timeoutMs} ms`));
    }, timeoutMs);
    const onCompleted = (job: Job, result: { state?: string }) => {
      if (job.name !== 'scheduled-check') return;
      seen.push(result);
      if (seen.length < count) return;
      clearTimeout(timer);
      worker.off('completed', onCompleted);
      resolve(seen);
    };
    worker.on('completed', onCompleted);
  });
}

const inOps = (text: string) => (call: ApiCall) => call.params.channel === '#ops' && String(call.params.text).startsWith(text);
const inThread = (ts: string, text: string) => (call: ApiCall) => call.params.thread_ts === ts && String(call.params.text).startsWith(text);

describe('scheduled checks → one alert, one thread, one resolve', () => {
  let gateway: FakeGateway;
  let harness: BotHarness;
  let offset = 0;
  let alertTs = '';

  beforeAll(async () => {
    gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    harness = await startBotHarness({
      redisUrl,
      gateways: { prod: { url: gateway.url } },
      // The harness's coalescing window (2 s) is longer than the interval: scheduled checks still probe each time.
      monitoring: {
        checkIntervalSeconds: 1,
        alerts: { channel: '#ops', failureThreshold: 3, successThreshold: 2, reminderIntervalMinutes: 60 },
        maintainers: { users: [ONCALL.id] },
        timeZone: 'Europe/Berlin',
      },
      emulator: { channels: [INCIDENTS, RANDOM, OPS] },
      runtime: { now: () => Date.now() + offset },
    });
    expect((await harness.runtime.monitoring!.schedulesReady).upserted).toBe(1);
  });
  afterAll(async () => {
    await harness?.close();
    await gateway?.close();
  });

  it('healthy gateways are checked on schedule and nothing is posted', async () => {
    const since = harness.emu.mark();
    const results = await scheduledResults(harness, 2);
    expect(results.map((result) => result.state)).toEqual(['healthy', 'healthy']);
    expect(harness.emu.calls.slice(since).filter((call) => call.method === 'chat.postMessage')).toEqual([]);
  });

  it('the gateway goes down: exactly one alert in the channel after the threshold, with the verdict', async () => {
    const since = harness.emu.mark();
    gateway.setMode('upgrade-400');
    const alert = await harness.emu.waitForCall('chat.postMessage', inOps('🚨 prod is DOWN'), { since, timeoutMs: 15_000 });
    alertTs = (alert.response as { ts: string }).ts;
    expect((alert.response as { channel: string }).channel).toBe(OPS.id);
    expect(alert.params.thread_ts).toBeUndefined();
    const blocks = JSON.stringify(alert.params.blocks);
    expect(blocks).toContain('upgrade-stripped');
    expect(blocks).toContain('3 scheduled checks failed in a row');
    expect(blocks).toContain('What to do');
    expect(blockKitProblems(alert.params.blocks)).toEqual([]);
  });

  it('a verdict change while down goes in the thread', async () => {
    const since = harness.emu.mark();
    gateway.setMode('token-rotated');
    const change = await harness.emu.waitForCall('chat.postMessage', inThread(alertTs, '🔁 prod: verdict changed upgrade-stripped → token-rotated'), {
      since,
      timeoutMs: 15_000,
    });
    expect(change.params.channel).toBe(OPS.id);
  });

  it('an hour later (injected clock), a reminder in the thread', async () => {
    const since = harness.emu.mark();
    offset += HOUR + 60_000;
    const reminder = await harness.emu.waitForCall('chat.postMessage', inThread(alertTs, '⏰ prod still DOWN (token-rotated)'), { since, timeoutMs: 15_000 });
    expect(String(reminder.params.text)).toMatch(/for 1 h 1 min$/);
  });

  it('clawops restarted mid-incident does not alert again', async () => {
    const since = harness.emu.mark();
    await harness.restart();
    await harness.runtime.monitoring!.schedulesReady;
    const results = await scheduledResults(harness, 3);
    expect(results.every((result) => result.state === 'unhealthy')).toBe(true);
    expect(harness.emu.calls.slice(since).filter((call) => call.method === 'chat.postMessage')).toEqual([]);
  });

  it('the gateway recovers: the resolve in the thread, and the whole story is one alert and one thread', async () => {
    const since = harness.emu.mark();
    gateway.setMode('healthy');
    await harness.emu.waitForCall('chat.postMessage', inThread(alertTs, '✅ prod recovered'), { since, timeoutMs: 15_000 });
    // Let a few more healthy checks pass: nothing else is said.
    await scheduledResults(harness, 2);
    const topLevel = (harness.emu.messages.get(OPS.id) ?? []).filter((message) => !message.thread_ts);
    // The test Redis keeps nothing across a restart: that is said once in the alerts channel (not
    // again after clawops restarted above), and it is not part of the incident's story.
    const [soft, ...story] = topLevel;
    expect(soft?.text).toMatch(/^⚠️ clawops: Redis keeps nothing across a restart/);
    expect(story.map((message) => message.text?.slice(0, 16))).toEqual(['🚨 prod is DOWN:']);
    expect(harness.emu.thread(OPS.id, alertTs).map((message) => [...(message.text ?? '')][0])).toEqual(['🔁', '⏰', '✅']);
    expect(JSON.stringify(harness.emu.calls)).not.toContain(GATEWAY_TOKEN);
  });

  it('/gateway history shows the incident, the uptime and the last results, only to the person who asked', async () => {
    const since = harness.emu.responses.length;
    await harness.gateway('history prod');
    const reply = await harness.emu.waitForResponse(() => true, { since });
    const body = reply.body as { response_type?: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    expect(blockKitProblems(body.blocks)).toEqual([]);
    const all = JSON.stringify(body.blocks);
    expect(all).toMatch(/\*Incidents\* \(7 d\) 1, longest/);
    expect(all).toMatch(/\*Uptime\* 24 h \d+\.\d\d %/);
    expect(all).toContain('token-rotated');
    expect(all).toContain('schedule');
    expect(all).toMatch(/p50 [\d.]+ m?s · p95/);
  });

  it('/gateway maintenance: refused without being a maintainer, accepted for one, announced where alerts go, audited', async () => {
    let since = harness.emu.responses.length;
    await harness.gateway('maintenance prod 2h swapping disks', { user: STRANGER.id });
    const refused = await harness.emu.waitForResponse(() => true, { since });
    expect((refused.body as { text: string }).text).toMatch(/🚫 Not allowed: maintenance may only be declared by <@U0ONCALL>/);

    since = harness.emu.responses.length;
    const posts = harness.emu.mark();
    await harness.gateway('maintenance prod 2h swapping disks', { user: ONCALL.id });
    const accepted = await harness.emu.waitForResponse(() => true, { since });
    expect((accepted.body as { text: string }).text).toMatch(/🛠 \*prod\* is in maintenance for 2 h/);
    const note = await harness.emu.waitForCall('chat.postMessage', (call) => call.params.channel === '#ops', { since: posts });
    expect(String(note.params.text)).toContain('swapping disks');

    since = harness.emu.responses.length;
    await harness.gateway('maintenance');
    const listed = await harness.emu.waitForResponse(() => true, { since });
    expect((listed.body as { text: string }).text).toMatch(/1 open maintenance window[\s\S]*\*prod\* until/);

    since = harness.emu.responses.length;
    await harness.gateway('maintenance prod off', { user: ONCALL.id });
    const ended = await harness.emu.waitForResponse(() => true, { since });
    expect((ended.body as { text: string }).text).toMatch(/Maintenance of \*prod\* ended/);

    const redis = new Redis(redisUrl);
    try {
      const rows = await redis.xrevrange(`${harness.prefix}:audit`, '+', '-', 'COUNT', 20);
      const entries = rows.map(([, fields]) => ({
        command: fields[fields.indexOf('command') + 1],
        user: fields[fields.indexOf('user') + 1],
        outcome: fields[fields.indexOf('outcome') + 1],
      }));
      expect(entries).toContainEqual(
        expect.objectContaining({ command: '/gateway maintenance prod 2h swapping disks', user: STRANGER.id, outcome: expect.stringMatching(/^refused: /) }),
      );
      expect(entries).toContainEqual(
        expect.objectContaining({
          command: '/gateway maintenance prod 2h swapping disks',
          user: ONCALL.id,
          outcome: expect.stringMatching(/^accepted: until /),
        }),
      );
      expect(entries).toContainEqual(expect.objectContaining({ command: '/gateway maintenance prod off', outcome: 'accepted: ended' }));
      expect(entries).toContainEqual(expect.objectContaining({ command: '/gateway history prod', outcome: 'answered' }));
    } finally {
      redis.disconnect();
    }
  });

  it('/gateway digest answers the person with the digest of the last 24 h', async () => {
    const since = harness.emu.responses.length;
    await harness.gateway('digest');
    const reply = await harness.emu.waitForResponse(() => true, { since });
    const body = reply.body as { response_type?: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toMatch(/^📋 Gateway digest: 1 gateway · ✅ 1 up · fleet uptime \d+\.\d\d % · 1 incident/);
    expect(blockKitProblems(body.blocks)).toEqual([]);
  });
});

describe('the scheduled digest', () => {
  let gateway: FakeGateway;
  let harness: BotHarness;
  const tailnet: DigestSectionProvider = {
    name: 'tailnet',
    build: async () => ({ title: 'Tailnet and exposure', blocks: [section(md`no gateway port answers on a public address`)], text: md`no exposure` }),
  };
  const broken: DigestSectionProvider = { name: 'offboarding', build: async () => Promise.reject(new Error('admin API unreachable')) };

  beforeAll(async () => {
    gateway = await startFakeGateway({ token: GATEWAY_TOKEN });
    harness = await startBotHarness({
      redisUrl,
      // One fake Gateway under two names: marked as aliases, as config validation requires.
      gateways: { prod: { url: gateway.url }, staging: { url: gateway.url, aliasOf: 'prod' } },
      // Every second (six-field cron), so the test need not wait for 09:00.
      monitoring: { checkIntervalSeconds: 3_600, digests: [{ cron: '* * * * * *', tz: 'Europe/Berlin', channel: '#ops' }] },
      emulator: { channels: [INCIDENTS, RANDOM, OPS] },
      runtime: { digestSections: [tailnet, broken] },
    });
  });
  afterAll(async () => {
    await harness?.close();
    await gateway?.close();
  });

  it('is posted to its channel on its cron, with the fleet line first and the contributed sections', async () => {
    const digest = await harness.emu.waitForCall('chat.postMessage', inOps('📋 Gateway digest'), { timeoutMs: 15_000 });
    expect(String(digest.params.text)).toMatch(/^📋 Gateway digest: 2 gateways/);
    const blocks = digest.params.blocks as unknown[];
    expect(blockKitProblems(blocks)).toEqual([]);
    const all = JSON.stringify(blocks);
    expect(all).toContain('*Tailnet and exposure*');
    expect(all).toContain('the offboarding section could not be built: admin API unreachable');
    expect(all).toContain('(Europe/Berlin)');
  });
});
