import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChecker } from '../../src/check/checker.js';
import { urlTarget } from '../../src/config/targets.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { tokenFingerprint } from '../../src/report/token-fingerprint.js';
import { connectToGateway } from '../../src/openclaw/client.js';
import { startBotHarness } from '../support/bot-harness.js';
import { startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { agentChecksOn } from './support/host-checks.js';
import { OPENCLAW_VERSION, startRealGateway, type RealGateway } from './support/gateway-harness.js';
import { loadFixtures, PAYLOAD_NAMES, readPayloads, scrubPayloads, shapeDifferences, type Payloads } from './support/gateway-payloads.js';
import { postedVerdict } from './support/slack-verdict.js';
import { TELEGRAM_BOT_TOKENS, TELEGRAM_CHANNELS } from './support/telegram-gateway.js';

/**
 * A real Gateway with a Telegram bot whose three accounts drop messages by policy (allowlist with
 * an empty allowFrom, DMs disabled, groups disabled). Telegram cannot be reached from here, so the
 * accounts also fail their probe: the policy must be named all the same, from where the Gateway
 * really says it (`config.get`), and no bot token may reach a report. The same Gateway is the
 * judge of the fake's fidelity: its payloads, the recorded fixtures and the fake's answers must
 * have the same keys and types.
 */

const TOKEN = `channels-conformance-${Math.random().toString(36).slice(2)}-token`;
const SECRETS = [TOKEN, ...Object.values(TELEGRAM_BOT_TOKENS)];
let dir: string;
let gateway: RealGateway;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawops-channels-conformance-'));
  // Its Telegram accounts retry an unreachable API and hold up a graceful stop: this suite does not watch the shutdown.
  gateway = await startRealGateway({ token: TOKEN, config: TELEGRAM_CHANNELS, stopGraceMs: 3_000 });
});

afterAll(async () => {
  await gateway?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const expectNoSecrets = (value: unknown) => {
  const json = JSON.stringify(value);
  for (const secret of SECRETS) expect(json).not.toContain(secret);
};

const EXPECTED_POLICY_EVIDENCE = [
  expect.stringMatching(
    /^telegram\/default: dmPolicy allowlist with an empty allowFrom \(channels\.telegram\.allowFrom\): every DM is dropped(; probe failed: .+)?$/,
  ),
  expect.stringMatching(
    /^telegram\/grp: groupPolicy disabled \(channels\.telegram\.accounts\.grp\.groupPolicy\): every group message is blocked(; probe failed: .+)?$/,
  ),
  expect.stringMatching(/^telegram\/ops: dmPolicy disabled \(channels\.telegram\.accounts\.ops\.dmPolicy\): every DM is ignored(; probe failed: .+)?$/),
];

describe(`real OpenClaw Gateway ${OPENCLAW_VERSION} with Telegram accounts whose policy drops messages`, () => {
  it('channels.status alone says nothing about the policy (running, no issues): the reason config.get is read', async () => {
    const payloads = await readPayloads(gateway.url, TOKEN);
    const status = payloads['channels.status'] as { channelAccounts: { telegram: Array<Record<string, unknown>> }; statusIssues: unknown[] };
    expect(status.channelAccounts.telegram.map((account) => account.accountId).sort()).toEqual(['default', 'grp', 'ops']);
    for (const account of status.channelAccounts.telegram) {
      expect(account).toMatchObject({ configured: true, running: true });
      expect(account).not.toHaveProperty('dmPolicy');
    }
    expect(status.statusIssues).toEqual([]);
    // config.get (operator.read) has them, secrets redacted, and the Gateway's own warning.
    expect(payloads['config.get']).toMatchObject({
      config: {
        channels: {
          telegram: {
            dmPolicy: 'allowlist',
            allowFrom: [],
            botToken: '__OPENCLAW_REDACTED__',
            accounts: { ops: { dmPolicy: 'disabled' }, grp: { groupPolicy: 'disabled' } },
          },
        },
      },
      warnings: [expect.objectContaining({ path: 'channels.telegram.allowFrom', message: expect.stringContaining('all DMs will be dropped') })],
    });
    expectNoSecrets(payloads['config.get']);
  });

  it('the check → channel-silent naming channel, account and policy, though Telegram is unreachable; no bot token anywhere', async () => {
    const target = { ...urlTarget(gateway.url, 'CHANNELS_TOKEN', { CHANNELS_TOKEN: TOKEN }, 'channels'), device: 'never' as const };
    const { report, diagnosis } = await createChecker({ connect: connectToGateway }).check(target);
    expectNoSecrets({ report, diagnosis });
    expect(JSON.stringify(report)).not.toContain('__OPENCLAW_REDACTED__');
    const silent = diagnosis.verdicts.find((verdict) => verdict.id === 'channel-silent');
    expect(silent).toMatchObject({ layer: 'channels', severity: 'warning' });
    expect([...silent!.evidence].sort()).toEqual(EXPECTED_POLICY_EVIDENCE);
    expect(report.layers.find((layer) => layer.layer === 'channels')?.evidence).toMatchObject({ policy: { read: true } });
    expect(report.gatewayConfig).toMatchObject({ source: 'config.get', available: true, bind: 'loopback', authMode: 'token', tokenSource: 'redacted' });
  });

  it('/gateway check posts the same channel-silent, with the policies, and no bot token reaches Slack', async () => {
    const slack = await startBotHarness({
      redisUrl: inject('redisUrl'),
      gateways: { channels: { url: gateway.url, tokenEnv: 'CHANNELS_TOKEN' } },
      env: { CHANNELS_TOKEN: TOKEN },
    });
    try {
      const posted = await postedVerdict(slack, 'channels');
      // Under CI load the real Gateway may report its own event loop degraded: that warning is
      // true and can take the headline; channel-silent must still be posted, with its policies.
      expect(posted.text).toMatch(/channels degraded: (channel-silent — telegram\/|gateway-degraded — health: event loop degraded)/);
      expect(posted.blocks).toContain('*channel-silent*');
      for (const needle of ['dmPolicy allowlist with an empty allowFrom', 'dmPolicy disabled', 'groupPolicy disabled']) expect(posted.blocks).toContain(needle);
      expectNoSecrets(posted.calls);
    } finally {
      await slack.close();
    }
  });

  it("the host agent reads the Gateway's openclaw.json: gateway.* facts, the token by fingerprint only; channel-silent from loopback", async () => {
    const result = await agentChecksOn(gateway, TOKEN, dir, { openclawConfig: join(gateway.home, '.openclaw', 'openclaw.json') });
    expectNoSecrets(result);
    expect(result.gatewayConfig).toEqual({
      source: 'file',
      path: join(gateway.home, '.openclaw', 'openclaw.json'),
      available: true,
      bind: 'loopback',
      port: gateway.port,
      authMode: 'token',
      tokenSource: 'config',
      tokenFingerprint: tokenFingerprint(TOKEN),
    });
    expect(result.serve).toMatchObject({ available: false, reason: 'socket-missing' });
    const { report } = await createChecker({ connect: connectToGateway }).check({
      ...urlTarget(gateway.url, 'CHANNELS_TOKEN', { CHANNELS_TOKEN: TOKEN }, 'channels'),
      device: 'never',
    });
    const joined = diagnose({ ...report, host: { agent: { status: 'answered', deadlineMs: 20_000 }, ...result } });
    expect(joined.verdicts.find((verdict) => verdict.id === 'channel-silent')?.evidence.length).toBe(3);
  });

  describe("the fake Gateway answers in the real one's shapes", () => {
    let real: Payloads;
    let fake: FakeGateway | undefined;
    afterAll(async () => {
      await fake?.close();
    });

    it('the recorded fixtures still match the live Gateway (re-record after an upgrade)', async () => {
      real = scrubPayloads(await readPayloads(gateway.url, TOKEN), { root: dirname(gateway.home), secrets: SECRETS });
      const fixtures = await loadFixtures(OPENCLAW_VERSION);
      for (const name of PAYLOAD_NAMES) expect(shapeDifferences(real[name], fixtures[name], name), name).toEqual([]);
    });

    it("the fake's payloads, for the same channels, have the real keys and types", async () => {
      fake = await startFakeGateway({
        token: TOKEN,
        channels: [
          { channel: 'telegram', configured: true, running: true, dmPolicy: 'allowlist', allowFrom: [], probeError: 'fetch failed' },
          { channel: 'telegram', accountId: 'grp', configured: true, running: true, dmPolicy: 'pairing', groupPolicy: 'disabled', probeError: 'fetch failed' },
          { channel: 'telegram', accountId: 'ops', configured: true, running: true, dmPolicy: 'disabled', probeError: 'fetch failed' },
        ],
      });
      const fakePayloads = await readPayloads(fake.url, TOKEN);
      for (const name of PAYLOAD_NAMES) expect(shapeDifferences(fakePayloads[name], real[name], name), name).toEqual([]);
    });

    it('the shape comparison itself catches a drift (a renamed, a missing and a retyped key)', () => {
      const real = { a: 1, nested: { b: 'x', list: [{ c: true }] } };
      expect(shapeDifferences({ a: 1, nested: { b: 'x', list: [{ c: true }] } }, real)).toEqual([]);
      expect(shapeDifferences({ a: '1', nested: { bb: 'x', list: [{ c: 1 }] } }, real)).toEqual([
        '$.a: string vs number',
        '$.nested.bb: only in the first',
        '$.nested.b: only in the second',
        '$.nested.list[].c: number vs boolean',
      ]);
    });
  });
});
