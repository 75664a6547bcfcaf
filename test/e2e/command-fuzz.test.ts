/**
 * Issue 12: 500 generated `/gateway` texts — long, unicode, control characters, Slack markup,
 * JSON, shell metacharacters — through real Bolt, the command parser and the audit writer on real
 * Redis (a unique prefix). Nothing throws, every command is in `<prefix>:audit` (cut, with its full
 * length, when long — never dropped), and every refusal says what to type. The generator is seeded:
 * a failure names the seed and the text, and replays the same way.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { parseGatewayCommand, SUBCOMMANDS } from '../../commands/parse.js';
import { AUDIT_TEXT_MAX } from '../../src/state/audit.js';
import { reservedClosedPort } from '../support/fake-gateway.js';
import { ONCALL, startBotHarness, type BotHarness } from '../support/bot-harness.js';

const redisUrl = inject('redisUrl');
const SEED = 0x12c0ffee;
const COUNT = 500;
const OPS = { id: 'C0OPS', name: 'ops' };

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generator(seed: number): () => string {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const control = () => String.fromCharCode(pick([0, 1, 7, 8, 9, 10, 13, 27, 31, 127]));
  const unicode = () => pick(['😀', '🚀🔥', 'ünïcödé', '\u202Eevil\u202C', 'e\u0301', '日本語', '\uFEFF', 'ﷺ', '\u{1F9D1}\u200D\u{1F4BB}']);
  const markup = () =>
    pick([
      '<!channel>',
      '<!here>',
      '<@U0VICTIM|victim>',
      '<#C0VICTIM|general>',
      '<mailto:<!channel|x>',
      '<http://evil.example|click>',
      '<!subteam^S0X|@ops>',
      '&lt;!channel&gt;',
      '&amp;',
      '<mailto:a@b.test|a@b.test>',
    ]);
  const json = () => pick(['{"gateways":["prod"]}', '[[[[[[]]]]]]', '{"a":"\\u0000"}', 'null', '{"__proto__":{"x":1}}']);
  const shell = () => pick(['; rm -rf /', '$(id)', '`whoami`', '| cat /etc/passwd', '&& reboot', '> /dev/null', "' OR 1=1 --", '%s%s%n', '../../..']);
  const word = () => pick([...SUBCOMMANDS, 'prod', 'all', 'ls', 'CHECK', 'Prod', '1h', 'off', 'verdicts', '24h', 'x@example.test', '@departed']);
  const long = () => pick(['x', 'check ', '<!channel> ', '😀']).repeat(50 + Math.floor(next() * 1_500));
  const pieces = [word, word, word, control, unicode, markup, json, shell, long] as const;
  return () => {
    const parts = Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(pieces)());
    const separator = pick([' ', '  ', '\t', '', '\n']);
    return parts.join(separator);
  };
}

const TEXTS = (() => {
  const next = generator(SEED);
  return Array.from({ length: COUNT }, () => next());
})();

/** Where a refusal tells the person what to type instead (or where to configure it). */
const SAYS_WHAT_TO_TYPE = /`\/gateway [^`]*`|clawops\.yaml/;

describe(`${COUNT} generated command texts (seed ${SEED.toString(16)})`, () => {
  let harness: BotHarness;

  beforeAll(async () => {
    const port = await reservedClosedPort();
    harness = await startBotHarness({
      redisUrl,
      // Checks that do run fail fast: nothing listens there.
      gateways: { prod: { url: `ws://127.0.0.1:${port}`, timeouts: { tcpMs: 300, httpMs: 300, upgradeMs: 300, budgetMs: 2_000 } } },
      monitoring: { enabled: true, checkIntervalSeconds: 3_600 },
      offboarding: { channel: OPS.id, approvers: { users: [ONCALL.id] }, usersPoll: { enabled: false } },
      emulator: { channels: [OPS] },
    });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('the parser never throws, and every refusal it gives says what to type', () => {
    for (const text of TEXTS) {
      const parsed = parseGatewayCommand(text, ['prod']);
      if (!parsed.ok) expect(parsed.message, JSON.stringify(text)).toMatch(SAYS_WHAT_TO_TYPE);
    }
  });

  it('through real Bolt: nothing throws, every command is audited (long ones cut, with their length), every refusal says what to type', async () => {
    const responses = harness.emu.responses.length;
    for (let index = 0; index < TEXTS.length; index += 25) {
      await Promise.all(TEXTS.slice(index, index + 25).map((text) => harness.gateway(text)));
    }
    const redis = new Redis(redisUrl);
    try {
      const rows = await vi.waitFor(
        async () => {
          const found = await redis.xrange(`${harness.prefix}:audit`, '-', '+');
          if (found.length < COUNT) throw new Error(`${found.length} of ${COUNT} audited so far`);
          return found.map(
            ([, fields]) => Object.fromEntries(fields.flatMap((field, i) => (i % 2 === 0 ? [[field, fields[i + 1]!]] : []))) as Record<string, string>,
          );
        },
        { timeout: 30_000, interval: 100 },
      );
      // Exactly one entry per command: none dropped, none twice.
      expect(rows).toHaveLength(COUNT);
      for (const row of rows) {
        for (const field of ['command', 'target', 'outcome'] as const)
          if (row[field] !== undefined) expect(row[field]!.length).toBeLessThanOrEqual(AUDIT_TEXT_MAX);
      }
      // The long ones are there, cut, with their full length.
      const long = TEXTS.filter((text) => `/gateway ${text}`.length > AUDIT_TEXT_MAX);
      expect(long.length).toBeGreaterThan(20);
      const lengths = rows.flatMap((row) => [row.commandLength, row.targetLength].filter((value): value is string => value !== undefined).map(Number));
      for (const text of long) {
        const candidates = [`/gateway ${text}`.length, `/gateway ${text}`.trim().length, text.trim().slice('offboard'.length).trim().length];
        expect(
          candidates.some((length) => lengths.includes(length)),
          JSON.stringify(text.slice(0, 80)),
        ).toBe(true);
      }
    } finally {
      redis.disconnect();
    }

    expect(harness.logs.filter((line) => /"level":50/.test(line))).toEqual([]);
    const replies = harness.emu.responses.slice(responses).map((post) => post.body);
    expect(replies.length).toBeGreaterThanOrEqual(COUNT - TEXTS.filter((text) => parseGatewayCommand(text, ['prod']).ok).length);
    let refusals = 0;
    for (const body of replies) {
      const said = String(body.text ?? '');
      const refusal =
        /^(🚫|⚠️)|Unknown subcommand|is not a gateway name|No gateway named|takes no arguments|Who left|not an e-mail|Slack markup|arrived as plain text|has spaces|neither a mention|Which gateway|give either|Usage/.test(
          said,
        );
      if (!refusal) continue;
      refusals += 1;
      expect(said, said.slice(0, 200)).toMatch(SAYS_WHAT_TO_TYPE);
    }
    expect(refusals).toBeGreaterThan(COUNT / 2);
  }, 120_000);
});
