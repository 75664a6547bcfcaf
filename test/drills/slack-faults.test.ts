/**
 * Drills: Slack loses the answer to a chat.postMessage that went through (5xx or a reset after
 * the post), and rate-limits the placeholder. `start` (bot and worker in one process) against the
 * Slack-fault proxy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startPrivateRedis } from '../support/redis-server.js';
import { counts, startDrill } from './support/drill.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function drillWithStart() {
  const redis = await startPrivateRedis();
  cleanups.push(() => redis.stop());
  const drill = await startDrill({ gateways: 6, servers: 2, redisEnv: { REDIS_URL: redis.url } });
  cleanups.push(() => drill.close());
  const clawops = drill.start('start');
  await Promise.all([drill.botConnected(), clawops.waitForLog((line) => line.msg === 'clawops started')]);
  return { drill, clawops };
}

describe('Slack answers 5xx, or resets, after chat.postMessage succeeded', () => {
  it('no orphaned "Checking…" placeholders and no false "I could not post": each command is one message, answered', async () => {
    const { drill } = await drillWithStart();
    // Every placeholder post reaches Slack and loses its answer: three as a 503, three as a reset.
    drill.proxy.lostAnswer('chat.postMessage', 'status', 3, 503);
    drill.proxy.lostAnswer('chat.postMessage', 'reset', 3);

    await drill.check(drill.names, { spacingMs: 100 });
    const tally = await drill.waitForTally((entries) => counts(entries).pending === 0 && counts(entries).missing === 0, 45_000);
    expect(counts(tally)).toEqual({ checks: 6, verdicts: 6, apologies: 0, failed: 0, pending: 0, missing: 0, duplicates: 0 });
    expect(drill.proxy.callsTo('chat.postMessage', 'lost-answer')).toHaveLength(6);
    // Each lost answer was looked up (our own message, by the key in its metadata), not posted again.
    expect(drill.proxy.callsTo('conversations.history').length).toBeGreaterThanOrEqual(6);
    expect(drill.emu.callsTo('chat.postMessage').filter((call) => call.status === 200)).toHaveLength(6);
    expect(drill.emu.responses.map((response) => String(response.body.text))).toEqual([]);
  });
});

describe('Slack answers 429 four times on the placeholder', () => {
  it('waits out each Retry-After, posts one placeholder and answers it; the person never reads an error or a URL', async () => {
    const { drill } = await drillWithStart();
    drill.proxy.rateLimit('chat.postMessage', 1, 4);
    const [sentAt] = await drill.check([drill.names[0]!]);

    const [entry] = await drill.waitForTally((entries) => counts(entries).pending === 0 && counts(entries).missing === 0, 30_000, [drill.names[0]!]);
    expect(entry!.final).toBe('verdict');
    expect(entry!.messages).toHaveLength(1);
    const attempts = drill.proxy.callsTo('chat.postMessage');
    expect(attempts.map((call) => call.outcome)).toEqual(['rate-limited', 'rate-limited', 'rate-limited', 'rate-limited', 'forwarded']);
    // Retry-After: 1 honoured between every two attempts.
    for (let index = 1; index < attempts.length; index += 1) expect(attempts[index]!.at - attempts[index - 1]!.at).toBeGreaterThanOrEqual(950);
    expect(attempts[4]!.at - sentAt!).toBeGreaterThanOrEqual(4 * 950);
    expect(drill.emu.responses).toEqual([]);
  });

  it('a Retry-After longer than the placeholder may wait is told as what it is, and the check still runs and posts', async () => {
    const { drill } = await drillWithStart();
    drill.proxy.rateLimit('chat.postMessage', 30, 1);
    await drill.check([drill.names[1]!]);

    const response = await drill.emu.waitForResponse(() => true, { timeoutMs: 10_000 });
    const text = String(response.body.text);
    expect(text).toContain('Slack is rate-limiting clawops (HTTP 429, retry after 30 s)');
    expect(text).toContain('runs anyway');
    expect(text).not.toMatch(/https?:|127\.0\.0\.1|\/api\/|permission|not allowed/i);
    // The answer arrives as a message of its own (there is no placeholder to update).
    const [entry] = await drill.waitForTally((entries) => entries[0]!.final === 'verdict', 20_000, [drill.names[1]!]);
    expect(entry!.final).toBe('verdict');
    expect(entry!.messages).toHaveLength(1);
  });
});
