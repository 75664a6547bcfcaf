import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { LAYER_ORDER, type ProbeReport } from '../../src/report/report.js';
import { formatMs, renderCheckForTerminal } from '../../src/render/terminal.js';
import { GATEWAY_ADDRESS, GATEWAY_PORT, GATEWAY_VERSION, healthyReport, notReachedAfter, settle, withLayer } from '../support/reports.js';

const ANSI = /\u001b\[[0-9;]*m/;
const render = (report: ProbeReport, color = false) => renderCheckForTerminal(report, diagnose(report), { color });

function refused(): ProbeReport {
  return settle(
    notReachedAfter(
      withLayer(
        healthyReport(),
        {
          layer: 'tcp',
          status: 'failed',
          startMs: 0.2,
          durationMs: 0.6,
          summary: `${GATEWAY_ADDRESS}:${GATEWAY_PORT} refused`,
          evidence: { address: GATEWAY_ADDRESS, port: GATEWAY_PORT, error: 'refused', errno: 'ECONNREFUSED' },
        },
        {
          layer: 'http',
          status: 'failed',
          startMs: 0.2,
          durationMs: 0.9,
          summary: '/healthz refused (ECONNREFUSED)',
          evidence: { healthz: { path: '/healthz', error: 'refused', errno: 'ECONNREFUSED' }, failing: [] },
        },
        {
          layer: 'upgrade',
          status: 'failed',
          startMs: 0.2,
          durationMs: 0.8,
          summary: 'refused (ECONNREFUSED)',
          evidence: { url: `ws://${GATEWAY_ADDRESS}:${GATEWAY_PORT}`, error: 'refused', errno: 'ECONNREFUSED' },
        },
      ),
      'upgrade',
    ),
  );
}

const rowOf = (output: string, layer: string) => output.split('\n').find((line) => line.startsWith(`  ${layer} `));

describe('terminal rendering', () => {
  it('a healthy report: every layer, the state, the version, no verdict columns', () => {
    const output = render(healthyReport());
    expect(output.split('\n')[0]).toBe(`prod  ws://${GATEWAY_ADDRESS}:${GATEWAY_PORT}  HEALTHY · OpenClaw ${GATEWAY_VERSION} · 262 ms`);
    for (const layer of LAYER_ORDER) expect(rowOf(output, layer), layer).toBeDefined();
    expect(rowOf(output, 'tcp')).toMatch(new RegExp(`^  tcp\\s+ok\\s+4\\.1 ms  ${GATEWAY_ADDRESS}:${GATEWAY_PORT} connected$`));
    expect(rowOf(output, 'bot-node')).toMatch(/^ {2}bot-node\s+skipped\s+—\s+no tailscaled configured/);
    expect(output).toContain(`✓ prod healthy · ${GATEWAY_VERSION} · 262 ms`);
    expect(output).not.toContain('what you see');
    expect(output).not.toMatch(ANSI);
  });

  it('a failing report: FAILED at the first failure, later layers not reached, the three runbook labels', () => {
    const output = render(refused());
    expect(output.split('\n')[0]).toContain('UNHEALTHY');
    for (const layer of LAYER_ORDER) expect(rowOf(output, layer), layer).toBeDefined();
    expect(rowOf(output, 'tcp')).toMatch(/^ {2}tcp\s+FAILED\s+0\.6 ms\s+100\.101\.102\.103:18789 refused$/);
    for (const layer of ['http', 'upgrade', 'handshake', 'health', 'status', 'channels'])
      expect(rowOf(output, layer)).toMatch(new RegExp(`^  ${layer}\\s+not reached\\s+—`));
    expect(output).toContain('✗ refused — Connection refused (tcp) [error]');
    expect(output).toMatch(/ {2}what you see {3}TCP connection refused/);
    expect(output).toMatch(/ {2}suspect first {2}nothing listens on that address:port/);
    expect(output).toMatch(/ {2}what to do {5}on the host: `lsof -nP -iTCP:18789 -sTCP:LISTEN`/);
    expect(output).toMatch(/ {2}evidence {7}TCP 100\.101\.102\.103:18789 refused/);
    expect(output).not.toMatch(ANSI);
  });

  it('every port probed on the public address has its own row', () => {
    const open = { address: '203.0.113.10', port: 18789, tcp: 'open' as const, httpStatus: 200, openclaw: true, durationMs: 41 };
    const closed = { address: '203.0.113.10', port: 443, tcp: 'refused' as const, durationMs: 3 };
    const output = render({ ...healthyReport(), exposure: open, exposureChecks: [open, closed] });
    const rows = output.split('\n').filter((line) => line.startsWith('  exposure'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^ {2}exposure\s+OPEN\s+41 ms\s+203\.0\.113\.10:18789 open$/);
    expect(rows[1]).toMatch(/^ {2}exposure\s+closed\s+3\.0 ms\s+203\.0\.113\.10:443 refused$/);
  });

  it('exposure has its own row', () => {
    const output = render(
      healthyReport({ exposure: { address: '203.0.113.10', port: GATEWAY_PORT, tcp: 'open', httpStatus: 200, openclaw: true, durationMs: 41 } }),
    );
    expect(rowOf(output, 'exposure')).toMatch(/^ {2}exposure\s+OPEN\s+41 ms\s+203\.0\.113\.10:18789 open$/);
    expect(output).toContain('✗ public-exposure — PUBLIC EXPOSURE (exposure) [critical]');
  });

  it('notes are rendered under the evidence', () => {
    const report = settle(
      withLayer(healthyReport({ gateway: { lastKnownGoodVersion: '2026.9.5' } }), {
        layer: 'health',
        status: 'failed',
        startMs: 45,
        durationMs: 3,
        summary: 'health: connection closed 1006',
        evidence: { method: 'health', close: { code: 1006, reason: '' }, pluginErrors: [] },
      }),
    );
    expect(render(report)).toMatch(/ {2}note {11}the failure began with a version change 2026\.9\.5 → 2026\.9\.6/);
  });

  it('colour only when asked: ANSI codes with color true, none with false', () => {
    for (const report of [healthyReport(), refused()]) {
      expect(render(report, false)).not.toMatch(ANSI);
      const coloured = render(report, true);
      expect(coloured).toMatch(ANSI);
      // Colour changes nothing but the escapes.
      expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(render(report, false));
    }
    expect(render(refused(), true)).toContain('\u001b[31mFAILED');
    expect(render(healthyReport(), true)).toContain('\u001b[32mHEALTHY\u001b[0m');
  });

  it('formatMs', () => {
    expect(formatMs(4.12)).toBe('4.1 ms');
    expect(formatMs(42.4)).toBe('42 ms');
    expect(formatMs(420.4)).toBe('420 ms');
    expect(formatMs(15_003)).toBe('15.0 s');
  });
});

describe('terminal rendering of hostile text', () => {
  it('shows control characters from a gateway instead of obeying them (no escape sequences, no lines of its own)', () => {
    const forged = healthyReport();
    const handshake = forged.layers.find((layer) => layer.layer === 'handshake')!;
    handshake.summary = 'hello-ok\n\n✓ prod healthy\u001b[2J\u001b[32m';
    if (handshake.layer === 'handshake' && handshake.evidence) handshake.evidence.serverVersion = '2026.9.6\r\n✓ fine';
    const text = renderCheckForTerminal(forged, diagnose(forged), { color: false });
    expect(text).toContain('hello-ok\\x0a\\x0a✓ prod healthy\\x1b[2J\\x1b[32m');
    expect(text).toContain('OpenClaw 2026.9.6\\x0d\\x0a✓ fine');
    expect(text).not.toContain('\u001b');
    expect(text.split('\n').filter((line) => line.startsWith('✓'))).toHaveLength(1);
  });
});
