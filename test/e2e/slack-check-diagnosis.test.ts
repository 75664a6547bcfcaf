/**
 * `/gateway check` diagnoses each gateway once (issue 17): the whole runtime — real Bolt against the
 * Slack emulator, real BullMQ on real Redis, the real ladder against fake Gateways — with its
 * diagnosis injected (RuntimeOptions.diagnose) and counted. The post job in Redis carries that one
 * diagnosis and no secret; history records what Slack shows.
 */
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { diagnose, type Diagnose } from '../../src/diagnosis/diagnose.js';
import { createMonitoring } from '../../src/features/monitoring/services.js';
import { QUEUES } from '../../src/queue/names.js';
import { CheckRequestJobSchema, PostCheckResultJobSchema } from '../../src/queue/payloads.js';
import { createLastStateStore } from '../../src/state/last-state.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { GATEWAY_TOKEN, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import type { ApiCall } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');

const finalUpdate = (ts: string) => (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');

describe('/gateway check: one diagnosis per gateway checked', () => {
  let healthy: FakeGateway;
  let wrongToken: FakeGateway;
  let harness: BotHarness;
  let redis: Redis;
  let posts: Queue;
  let checks: Queue;
  const calls: string[] = [];
  const counted: Diagnose = (report, context) => (calls.push(report.gateway.name), diagnose(report, context));

  beforeAll(async () => {
    healthy = await startFakeGateway({ token: GATEWAY_TOKEN });
    wrongToken = await startFakeGateway({ token: 'a-different-token' });
    harness = await startBotHarness({
      redisUrl,
      gateways: { prod: { url: healthy.url }, staging: { url: wrongToken.url } },
      runtime: { diagnose: counted },
    });
    redis = new Redis(redisUrl);
    posts = new Queue(QUEUES.posts, { connection: { url: redisUrl }, prefix: harness.prefix });
    checks = new Queue(QUEUES.checks, { connection: { url: redisUrl }, prefix: harness.prefix });
  });
  afterAll(async () => {
    await Promise.allSettled([posts?.close(), checks?.close()]);
    redis?.disconnect();
    await harness?.close();
    await healthy?.close();
    await wrongToken?.close();
  });

  /** The newest post job for exactly these gateways, once BullMQ has marked it completed (just after the answer reached Slack). */
  const postJobFor = (gateways: string) =>
    vi.waitFor(
      async () => {
        const [job] = (await posts.getJobs(['completed']))
          .filter((candidate) => (candidate.data as { gateways?: string[] }).gateways?.join() === gateways)
          .sort((a, b) => b.timestamp - a.timestamp);
        if (!job) throw new Error(`no completed post job for ${gateways} yet`);
        return job as Job;
      },
      { timeout: 5_000, interval: 50 },
    );

  /** Sends the command and waits for the verdict that replaces its placeholder. */
  async function check(text: string): Promise<ApiCall> {
    const since = harness.emu.mark();
    await harness.gateway(text);
    const placeholder = await harness.emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳'), { since });
    return harness.emu.waitForCall('chat.update', finalUpdate((placeholder.response as { ts: string }).ts), { since, timeoutMs: 10_000 });
  }

  it('diagnoses each gateway once: the post job carries those diagnoses, and no secret', async () => {
    calls.length = 0;
    const update = await check('check prod staging');
    expect(calls.sort()).toEqual(['prod', 'staging']);
    expect(String(update.params.text)).toContain('staging UNHEALTHY: auth-rejected');

    const job = await postJobFor('prod,staging');
    const data = PostCheckResultJobSchema.parse(job.data);
    expect(data.reports.map((report) => report.gateway.name)).toEqual(['prod', 'staging']);
    expect(data.diagnoses?.map((diagnosis) => diagnosis.state)).toEqual(['healthy', 'unhealthy']);
    expect(data.diagnoses![1]!.headline).toMatch(/^staging UNHEALTHY: auth-rejected/);
    expect(JSON.stringify(update.params.blocks)).toContain(data.diagnoses![1]!.verdicts[0]!.title);

    // Job data, as Redis holds it, never carries a token (the check job's neither).
    const raw = await redis.hgetall(`${harness.prefix}:${QUEUES.posts}:${job.id}`);
    expect(raw.data).toContain('"diagnoses"');
    const checkJobs = await vi.waitFor(
      async () => {
        const done = (await checks.getJobs(['completed'])).map((candidate) => CheckRequestJobSchema.parse(candidate.data));
        if (!done.some((request) => request.gateways.join() === 'prod,staging')) throw new Error('the check job is not completed yet');
        return done;
      },
      { timeout: 5_000, interval: 50 },
    );
    for (const text of [raw.data, JSON.stringify(checkJobs)]) {
      expect(text).not.toContain(GATEWAY_TOKEN);
      expect(text).not.toContain('a-different-token');
      expect(text).not.toContain(harness.emu.identity.botToken);
    }
  });

  it('history records what Slack shows', async () => {
    const monitoring = createMonitoring({
      config: harness.config,
      redis,
      prefix: harness.prefix,
      lastState: createLastStateStore({ redis, prefix: harness.prefix }),
      sections: () => [],
      now: Date.now,
    });
    calls.length = 0;
    const update = await check('check staging');
    expect(calls).toEqual(['staging']);
    const job = await postJobFor('staging');
    const posted = PostCheckResultJobSchema.parse(job.data).diagnoses![0]!;
    expect(String(update.params.text)).toContain(posted.headline.slice(0, 40));
    const [entry] = await monitoring.history.recent('staging', 1);
    expect(entry).toMatchObject({
      at: Date.parse(PostCheckResultJobSchema.parse(job.data).reports[0]!.startedAt),
      state: posted.state,
      verdict: posted.verdicts[0]!.id,
      source: 'command',
    });
    expect((await monitoring.lastState.all()).get('staging')).toMatchObject({ state: posted.state, verdict: posted.verdicts[0]!.id });
  });

  it('checks that share one probe are diagnosed once each, never again at posting', async () => {
    calls.length = 0;
    const since = harness.emu.mark();
    await Promise.all(Array.from({ length: 3 }, () => harness.gateway('check prod')));
    const finals = () => harness.emu.calls.slice(since).filter((call) => call.method === 'chat.update' && !String(call.params.text).startsWith('⏳'));
    await harness.emu.waitForCall('chat.update', () => finals().length >= 3, { since, timeoutMs: 10_000 });
    for (const update of finals()) expect(String(update.params.text)).toMatch(/^✅ prod healthy/);
    expect(calls).toEqual(['prod', 'prod', 'prod']);
  });
});
