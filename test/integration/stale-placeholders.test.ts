/**
 * The stale-placeholder sweeper, branch by branch, on real Redis (queues and the pending-check
 * registry) and the Slack emulator (the messages, their metadata): what it leaves alone, what it
 * answers with a result, and what it replaces with an apology — never a verdict.
 */
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createStalePlaceholderSweeper } from '../../jobs/stale-placeholders.js';
import { createCheckResultPublisher } from '../../jobs/post-check-result.js';
import { createLogger } from '../../src/log.js';
import { JOBS, QUEUES, postJobId } from '../../src/queue/names.js';
import { renderCheckPending } from '../../src/render/check-blocks.js';
import { message } from '../../src/render/blocks.js';
import { md } from '../../src/render/slack-text.js';
import { createSlackPoster, posterClientOptions, type SlackPoster } from '../../src/slack/poster.js';
import { createPendingChecks, type PendingChecks } from '../../src/state/pending-checks.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../support/redis-server.js';
import { startSlackEmulator, type SlackEmulator } from '../support/slack-emulator.js';
import { healthyReport } from '../support/reports.js';

const redisUrl = inject('redisUrl');
const CHANNEL = { id: 'C0INCIDENTS', name: 'incidents' };
const STALE_MS = 30_000;

let emu: SlackEmulator;
let redis: Redis;
let prefix: string;
let poster: SlackPoster;
let pending: PendingChecks;
let checks: Queue;
let posts: Queue;
let now = Date.now();

beforeAll(async () => {
  emu = await startSlackEmulator({ channels: [CHANNEL] });
  redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  prefix = uniquePrefix('sweeper');
  const client = new webApi.WebClient(emu.identity.botToken, { slackApiUrl: emu.apiUrl, ...posterClientOptions() });
  poster = createSlackPoster({ client, redis, prefix });
  pending = createPendingChecks({ redis, prefix });
  checks = new Queue(QUEUES.checks, { connection: redis, prefix });
  posts = new Queue(QUEUES.posts, { connection: redis, prefix });
});
afterAll(async () => {
  await Promise.allSettled([checks.close(), posts.close()]);
  await deleteKeysWithPrefix(redisUrl, prefix);
  redis.disconnect();
  await emu.close();
});

const sweeper = () =>
  createStalePlaceholderSweeper({
    pending,
    poster,
    checks,
    posts,
    publish: createCheckResultPublisher({ poster, pending }),
    staleAfterMs: STALE_MS,
    logger: createLogger({ level: 'silent' }),
    now: () => now,
  });

/** A placeholder as the bot posts it, registered `ageMs` ago. */
async function placeholder(gateway: string, ageMs: number, options: { answeredFirst?: boolean } = {}) {
  const requestId = randomUUID();
  const posted = await poster.postOnce({ channel: CHANNEL.id }, renderCheckPending([gateway], 'U0ONCALL'), {
    key: requestId,
    state: 'pending',
    deadlineMs: 5_000,
  });
  // The worker's answer can race ahead of the bot's registration: the marker still counts.
  if (options.answeredFirst) await pending.answered(requestId);
  await pending.add({ requestId, channel: posted.channel, ts: posted.ts, gateways: [gateway], requestedBy: 'U0ONCALL', postedAt: now - ageMs });
  return { requestId, ...posted };
}

const textOf = (ts: string) => emu.message(CHANNEL.id, ts)?.text ?? '';

describe('the stale-placeholder sweeper', () => {
  it('leaves young placeholders, answered ones and those whose answer is on its way; answers the rest', async () => {
    now = Date.now();
    const young = await placeholder('young', 1_000);
    const answered = await placeholder('answered', STALE_MS + 1_000, { answeredFirst: true });
    const onItsWay = await placeholder('delayed', STALE_MS + 1_000);
    await posts.add(JOBS.postCheckResult, { requestId: onItsWay.requestId }, { jobId: postJobId(onItsWay.requestId), delay: 60_000 });
    const lost = await placeholder('lost', STALE_MS + 1_000);
    const queued = await placeholder('queued', STALE_MS + 2_000);
    await checks.add(JOBS.checkRequest, { requestId: queued.requestId }, { jobId: queued.requestId });
    // Answered in Slack, but Redis forgot (restarted empty): the message says so itself.
    const shownAnswered = await placeholder('shown', STALE_MS + 3_000);
    await poster.update(shownAnswered.channel, shownAnswered.ts, message(md`✅ shown healthy`, []), { key: 'post-x', state: 'answered' });
    // Its post job gave up (Slack was down past the window): the result is posted now.
    const gaveUp = await placeholder('gave-up', STALE_MS + 4_000);
    await posts.add(
      JOBS.postCheckResult,
      {
        requestId: gaveUp.requestId,
        gateways: ['gave-up'],
        slack: { channel: gaveUp.channel, ts: gaveUp.ts },
        reports: [healthyReport({ gateway: { name: 'gave-up' } })],
        problems: [],
      },
      { jobId: postJobId(gaveUp.requestId), attempts: 1 },
    );
    const failing = new Worker(
      QUEUES.posts,
      async () => {
        throw new UnrecoverableError('chat.update: Slack answered HTTP 503');
      },
      { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix },
    );
    await new Promise<void>((resolve) => failing.once('failed', () => resolve()));
    await failing.close();

    const outcomes = await sweeper().sweep();
    expect(outcomes).toEqual({ answered: 2, 'on-its-way': 1, apologized: 2, 'result-posted': 1 });

    expect(textOf(young.ts)).toMatch(/^⏳/);
    expect(textOf(answered.ts)).toMatch(/^⏳/);
    expect(textOf(onItsWay.ts)).toMatch(/^⏳/);
    expect(textOf(shownAnswered.ts)).toBe('✅ shown healthy');
    expect(textOf(lost.ts)).toMatch(/^⚠️ No answer for lost after 31 s: clawops lost the queued check/);
    expect(textOf(queued.ts)).toMatch(/^⚠️ No answer for queued after 32 s: no worker has picked the check up/);
    expect(textOf(gaveUp.ts)).toMatch(/^✅ gave-up healthy/);
    // Apologies carry Re-run, and mark the message answered (a second sweep leaves them).
    expect(JSON.stringify(emu.message(CHANNEL.id, lost.ts)?.blocks)).toContain('gateway_rerun');
    expect(emu.message(CHANNEL.id, lost.ts)?.metadata?.event_payload).toMatchObject({ state: 'answered' });
    expect(await pending.isAnswered(lost.requestId)).toBe(true);

    const again = await sweeper().sweep();
    expect(again).toEqual({ 'on-its-way': 1 });
  });
});
