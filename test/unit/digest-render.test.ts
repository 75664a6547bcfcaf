/**
 * The health digest for 1, 50 and 500 gateways stays inside Block Kit's limits, says the fleet
 * first, lists what needs a look, summarises the healthy ones, keeps room for the contributed
 * sections (tailnet, offboarding), and always carries a text fallback.
 */
import { describe, expect, it } from 'vitest';
import { renderDigest, SECTION_BLOCKS, type DigestData, type GatewayDigest } from '../../src/features/monitoring/render/digest-blocks.js';
import type { DigestSection } from '../../src/render/digest-section.js';
import { context, section } from '../../src/render/blocks.js';
import { md } from '../../src/render/slack-text.js';
import { blockKitProblems } from '../support/slack-emulator.js';

const HOUR = 3_600_000;
const TO = Date.UTC(2026, 8, 15, 7, 0); // Tue 15 Sep 09:00 in Berlin
const FROM = TO - 24 * HOUR;

function gateway(name: string, overrides: Partial<GatewayDigest> = {}): GatewayDigest {
  return {
    name,
    phase: 'ok',
    lastState: 'healthy',
    uptime: { checks: 1_440, up: 1_440, ratio: 1 },
    incidents: { count: 0, longestMs: 0, open: false },
    p95HandshakeMs: 42,
    versionChanges: [],
    version: '2026.9.6',
    ...overrides,
  };
}

/** Every 10th gateway has something to say: down, degraded, incidents, a version change, maintenance. */
function fleet(size: number): GatewayDigest[] {
  return Array.from({ length: size }, (_, index) => {
    const name = `gateway-${String(index).padStart(3, '0')}-${'x'.repeat(20)}`;
    switch (index % 10) {
      case 1:
        return gateway(name, {
          phase: 'down',
          lastState: 'unhealthy',
          lastVerdict: 'auth-rejected',
          incident: { startedAt: TO - 3 * HOUR, verdict: 'auth-rejected' },
          uptime: { checks: 1_440, up: 1_260, ratio: 0.875 },
          incidents: { count: 1, longestMs: 3 * HOUR, open: true },
        });
      case 3:
        return gateway(name, { lastState: 'degraded', lastVerdict: 'scope-limited' });
      case 5:
        return gateway(name, { uptime: { checks: 1_440, up: 1_430, ratio: 1_430 / 1_440 }, incidents: { count: 2, longestMs: 7 * 60_000, open: false } });
      case 7:
        return gateway(name, { versionChanges: [{ at: TO - 20 * HOUR, from: '2026.9.2', to: '2026.9.6' }] });
      case 9:
        return gateway(name, { maintenance: { startedAt: TO - HOUR, until: TO + 2 * HOUR, by: 'U0ONCALL', reason: 'disk swap <b>' } });
      default:
        return gateway(name);
    }
  });
}

function contributed(title: string, blocks: number): DigestSection {
  return {
    title,
    blocks: Array.from({ length: blocks }, (_, index) => section(md`${title} finding ${index}: ${'y'.repeat(2_000)}`)),
    text: md`${title}: ${blocks} findings`,
  };
}

function digest(
  gateways: GatewayDigest[],
  sections: DigestSection[] = [contributed('Tailnet and exposure', SECTION_BLOCKS), contributed('Offboarding', SECTION_BLOCKS)],
): DigestData {
  return { fromMs: FROM, toMs: TO, timeZone: 'Europe/Berlin', gateways, sections, sectionProblems: [] };
}

describe('digest rendering', () => {
  it.each([1, 50, 500])('%i gateway(s): inside Block Kit limits, with a text fallback and both contributed sections', (size) => {
    const data = digest(fleet(size));
    const message = renderDigest(data);
    expect(blockKitProblems(message.blocks)).toEqual([]);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(message.text.length).toBeGreaterThan(0);
    expect(message.text.length).toBeLessThanOrEqual(3_000);
    expect(message.text).toMatch(new RegExp(`^📋 Gateway digest: ${size} gateway`));
    const all = JSON.stringify(message.blocks);
    // The fleet summary comes first, right under the header.
    expect(JSON.stringify(message.blocks[1])).toMatch(new RegExp(`\\*${size} gateways?\\*`));
    // Room was reserved: both contributed sections are there, whole.
    expect(all).toContain('*Tailnet and exposure*');
    expect(all).toContain('Tailnet and exposure finding 7');
    expect(all).toContain('*Offboarding*');
    expect(all).toContain('Offboarding finding 7');
  });

  it('500 gateways: every gateway that needs a look is listed, the healthy ones summarised', () => {
    const gateways = fleet(500);
    const message = renderDigest(digest(gateways));
    const all = JSON.stringify(message.blocks);
    const notable = gateways.filter((_, index) => index % 2 === 1);
    for (const { name } of notable) expect(all).toContain(`*${name}*`);
    expect(all).toContain('*250 gateways up all period*');
    expect(all).not.toContain('more gateway(s) that need a look');
    expect(all).toMatch(/🔴 \*50 down\*|🔴 50 down/);
  });

  it('more trouble than fits: the overflow is counted, never cut mid-line, and the sections keep their room', () => {
    const gateways = Array.from({ length: 2_000 }, (_, index) =>
      gateway(`down-${index}-${'z'.repeat(40)}`, {
        phase: 'down',
        lastState: 'unhealthy',
        incident: { startedAt: TO - HOUR, verdict: 'timeout' },
        incidents: { count: 1, longestMs: HOUR, open: true },
        uptime: { checks: 60, up: 0, ratio: 0 },
      }),
    );
    const message = renderDigest(digest(gateways));
    expect(blockKitProblems(message.blocks)).toEqual([]);
    const all = JSON.stringify(message.blocks);
    expect(all).toMatch(/…and \d+ more gateway\(s\) that need a look/);
    expect(all).toContain('Offboarding finding 7');
    for (const block of message.blocks) {
      const text = (block as { text?: { text?: string } }).text?.text ?? '';
      expect(text.endsWith('…')).toBe(false);
    }
  });

  it('one line says it all: state, uptime, incidents, p95 handshake, version change by day, maintenance', () => {
    const message = renderDigest(
      digest(
        [
          gateway('prod', {
            phase: 'down',
            lastState: 'unhealthy',
            incident: { startedAt: Date.UTC(2026, 8, 15, 5, 2), verdict: 'auth-rejected' },
            uptime: { checks: 1_000, up: 931, ratio: 0.931 },
            incidents: { count: 2, longestMs: 3 * HOUR + 12 * 60_000, open: true },
            p95HandshakeMs: 88,
            versionChanges: [{ at: Date.UTC(2026, 8, 15, 5, 0), from: '2026.9.2', to: '2026.9.6' }],
            maintenance: { startedAt: FROM, until: Date.UTC(2026, 8, 16, 16, 0), by: 'U0ONCALL' },
          }),
        ],
        [],
      ),
    );
    const all = JSON.stringify(message.blocks);
    expect(all).toContain(
      '🔴 *prod* *DOWN* since Tue 07:02 `auth-rejected` · uptime 93.10 % · 2 incidents (longest 3 h 12 min, open) · p95 handshake 88 ms · 2026.9.2 → 2026.9.6 on Tue · 🛠 maintenance until Wed 16 Sep 18:00',
    );
    expect(message.text).toContain('prod DOWN since Tue 07:02');
  });

  it('a section that failed to build is one line; no sections, no reserved room wasted', () => {
    const data = { ...digest(fleet(50), []), sectionProblems: [{ name: 'offboarding', message: 'admin API timeout' }] };
    const message = renderDigest(data);
    expect(blockKitProblems(message.blocks)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('the offboarding section could not be built: admin API timeout');
  });

  it('a contributed section longer than its room is cut to its blocks', () => {
    const message = renderDigest(digest(fleet(10), [contributed('Tailnet', 20)]));
    const all = JSON.stringify(message.blocks);
    expect(all).toContain(`Tailnet finding ${SECTION_BLOCKS - 1}`);
    expect(all).not.toContain(`Tailnet finding ${SECTION_BLOCKS}:`);
  });

  it('escapes what came from elsewhere (a maintenance reason)', () => {
    const message = renderDigest(
      digest(
        [gateway('lab', { maintenance: { startedAt: FROM, until: TO + HOUR, by: 'U1', reason: '<!channel> & co' } })],
        [context([md`x`])].map(() => contributed('T', 1)),
      ),
    );
    expect(JSON.stringify(message.blocks)).toContain('&lt;!channel&gt; &amp; co');
  });
});
