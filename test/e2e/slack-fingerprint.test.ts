/**
 * The success fingerprint and the ticket bundle end to end: real Bolt (Socket Mode) against the
 * Slack emulator, real BullMQ on real Redis, the real probe ladder against the fake Gateway built
 * from the recorded 2026.9.6 payloads. A healthy check stores a fingerprint; the Gateway is then
 * "upgraded" (another version and method set) and fails, and the verdict says what changed next to
 * the bisect hint; `/gateway fingerprint` shows both; `/gateway ticket` uploads one file into a
 * thread through the files.uploadV2 flow, and the file holds no token.
 */
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { GATEWAY_TOKEN, INCIDENTS, STRANGER, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { blockKitProblems, type ApiCall } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');
const RECORDED_METHODS = (JSON.parse(readFileSync('test/fixtures/openclaw-2026.9.6/hello-ok.json', 'utf8')) as { features: { methods: string[] } }).features
  .methods;
/** The "old" build: the recorded methods without four the new build adds; the new one drops `sessions.reset`. */
const NEW_IN_2026_9_6 = ['sessions.files.list', 'sessions.files.get', 'sessions.files.set', 'sessions.files.reveal'];
const OLD_METHODS = RECORDED_METHODS.filter((method) => !NEW_IN_2026_9_6.includes(method));
const NEW_METHODS = RECORDED_METHODS.filter((method) => method !== 'sessions.reset');
/** The bot's scopes as the manifest grants them: the emulator refuses file methods without `files:write`. */
const MANIFEST_SCOPES = (parse(readFileSync('deploy/slack-app-manifest.yml', 'utf8')) as { oauth_config: { scopes: { bot: string[] } } }).oauth_config.scopes
  .bot;

const finalUpdate = (ts: string) => (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');

describe('fingerprint → diff after an upgrade → ticket bundle', () => {
  let gateway: FakeGateway;
  let harness: BotHarness;
  let redis: Redis;

  beforeAll(async () => {
    gateway = await startFakeGateway({ token: GATEWAY_TOKEN, version: '2026.9.2' });
    gateway.upgrade({ methods: OLD_METHODS });
    // No coalescing: the check after the upgrade must probe again, not share the one before.
    harness = await startBotHarness({
      redisUrl,
      gateways: { prod: { url: gateway.url } },
      queue: { coalesceWindowMs: 0 },
      access: { rules: [{ gateways: ['prod'], users: ['U0ONCALL'] }] },
      emulator: { botScopes: MANIFEST_SCOPES },
    });
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    redis?.disconnect();
    await harness?.close();
    await gateway?.close();
  });

  async function check(): Promise<ApiCall> {
    const since = harness.emu.mark();
    await harness.gateway('check prod');
    const placeholder = await harness.emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳'), { since });
    return harness.emu.waitForCall('chat.update', finalUpdate((placeholder.response as { ts: string }).ts), { since, timeoutMs: 15_000 });
  }

  it('a healthy check stores the fingerprint (Redis, under the prefix) and shows no diff', async () => {
    const update = await check();
    expect(String(update.params.text)).toMatch(/^✅ prod healthy · 2026\.9\.2/);
    expect(JSON.stringify(update.params.blocks)).not.toContain('since last good');
    const good = await redis.lrange(`${harness.prefix}:fingerprint:prod:good`, 0, -1);
    expect(good).toHaveLength(1);
    const stored = JSON.parse(good[0]!) as {
      fingerprint: { build: { version: string }; methods: { count: number; names: string[] }; auth: { scopes: string[] } };
    };
    expect(stored.fingerprint.build.version).toBe('2026.9.2');
    expect(stored.fingerprint.methods.names).toContain('sessions.reset');
    expect(stored.fingerprint.methods.count).toBe(new Set(OLD_METHODS).size);
    expect(good[0]).not.toContain(GATEWAY_TOKEN);
    const keys = await redis.keys(`${harness.prefix}:fingerprint:*`);
    expect(keys.sort()).toEqual([`${harness.prefix}:fingerprint:prod:good`, `${harness.prefix}:fingerprint:prod:latest`]);
  });

  it('upgraded and failing: the verdict says what changed since the last good check, beside the bisect hint', async () => {
    gateway.upgrade({ version: '2026.9.6', methods: NEW_METHODS });
    gateway.setMode('token-rotated');
    const update = await check();
    expect(String(update.params.text)).toContain('prod UNHEALTHY');
    expect(blockKitProblems(update.params.blocks as unknown[])).toEqual([]);
    const blocks = JSON.stringify(update.params.blocks);
    expect(blocks).toContain('since last good (<!date^');
    expect(blocks).toContain('version `2026.9.2` → `2026.9.6`');
    expect(blocks).toContain('methods +4 −1 (`sessions.reset` gone;');
    // The bisect hint it stands beside.
    expect(blocks).toContain('roll back to the last known good build (2026.9.2) and bisect');
  });

  it('/gateway fingerprint shows the current and last good fingerprints and the diff, to the person only', async () => {
    const since = harness.emu.mark();
    await harness.gateway('fingerprint prod');
    const response = await harness.emu.waitForResponse((post) => JSON.stringify(post.body).includes('fingerprint'), { since });
    expect(response.body.response_type).toBe('ephemeral');
    const blocks = JSON.stringify(response.body.blocks);
    expect(blocks).toContain('*Current*');
    expect(blocks).toContain('*Last good*');
    expect(blocks).toContain('What changed since last good');
    expect(blocks).toContain('`sessions.reset` gone');
  });

  it('/gateway ticket uploads one file into a thread (getUploadURLExternal → upload → completeUploadExternal), with no token in it', async () => {
    const since = harness.emu.mark();
    const before = harness.emu.files.length;
    await harness.gateway('ticket prod');
    const complete = await harness.emu.waitForCall('files.completeUploadExternal', () => true, { since, timeoutMs: 10_000 });
    expect(complete.response).toMatchObject({ ok: true });
    expect(
      harness.emu.calls
        .slice(since)
        .map((call) => call.method)
        .filter((method) => method.startsWith('files.') || method === 'upload'),
    ).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    const parent = harness.emu.callsTo('chat.postMessage').find((call) => call.at >= harness.emu.calls[since]!.at && String(call.params.text).startsWith('🎫'));
    expect(parent?.params.channel).toBe(INCIDENTS.id);
    const parentTs = (parent!.response as { ts: string }).ts;
    expect(complete.params).toMatchObject({ channel_id: INCIDENTS.id, thread_ts: parentTs });

    expect(harness.emu.files).toHaveLength(before + 1);
    const file = harness.emu.files.at(-1)!;
    expect(file).toMatchObject({ channel: INCIDENTS.id, threadTs: parentTs });
    expect(file.filename).toMatch(/^clawops-ticket-prod-\d{8}T\d{6}Z\.md$/);
    const content = file.content!.toString('utf8');
    expect(file.content!.length).toBe(file.length);
    expect(content).toContain('# clawops ticket bundle: prod');
    expect(content).toContain('## Check report');
    expect(content).toContain('version `2026.9.2` → `2026.9.6`');
    expect(content).toContain('## openclaw doctor --lint (host agent)');
    expect(content).toContain('The check report above is the latest failure.');
    expect(content).not.toContain(GATEWAY_TOKEN);
    // The file is in the thread, as a reply to the line in the channel.
    expect(harness.emu.thread(INCIDENTS.id, parentTs).some((message) => message.files?.[0]?.id === file.id)).toBe(true);
  });

  it('/gateway ticket and /gateway fingerprint are refused to someone who may not check the gateway', async () => {
    const since = harness.emu.mark();
    const files = harness.emu.files.length;
    await harness.gateway('ticket prod', { user: STRANGER.id });
    const refusal = await harness.emu.waitForResponse((post) => String(post.body.text).includes('Not allowed'), { since });
    expect(refusal.body.response_type).toBe('ephemeral');
    await harness.gateway('fingerprint prod', { user: STRANGER.id });
    await harness.emu.waitForResponse((post) => String(post.body.text).includes('Not allowed'), { since: harness.emu.responses.indexOf(refusal) + 1 });
    expect(harness.emu.files).toHaveLength(files);
    expect(harness.emu.callsTo('files.getUploadURLExternal').filter((call) => call.at >= refusal.at)).toEqual([]);
  });
});
