import { describe, expect, it } from 'vitest';
import { botNodeForTarget, namesTailnetNode } from '../../src/probes/tailnet/applies.js';
import type { LayerOf } from '../../src/report/report.js';

describe('whether a gateway is named as a tailnet node', () => {
  it.each([
    ['100.101.102.103', [], undefined, true],
    ['fd7a:115c:a1e0::53', [], undefined, true],
    ['[fd7a:115c:a1e0::53]', [], undefined, true],
    ['gw1.example-tailnet.ts.net', [], undefined, true],
    ['GW1.Example-Tailnet.TS.NET.', [], undefined, true],
    ['gw1.corp.example', ['100.101.102.103'], undefined, true],
    ['gw1.tailnet.example', [], 'tailnet.example', true],
    ['127.0.0.1', ['127.0.0.1'], 'example-tailnet.ts.net', false],
    ['gw1.corp.example', ['192.0.2.10'], 'example-tailnet.ts.net', false],
    ['localhost', ['::1'], undefined, false],
    ['100.63.255.255', [], undefined, false],
  ] as const)('%s (resolved %j, suffix %s) → %s', (query, addresses, suffix, expected) => {
    expect(namesTailnetNode(query, [...addresses], suffix)).toBe(expected);
  });
});

describe('the bot-node layer for a gateway not reached over the tailnet', () => {
  const failed: LayerOf<'bot-node'> = {
    layer: 'bot-node',
    status: 'failed',
    startMs: 0,
    durationMs: 1,
    summary: 'clawops-bot: tailscaled is Stopped, not connected (tailscale down?)',
  };
  it('a failure becomes a warning when the peer layer did not apply', () => {
    expect(botNodeForTarget(failed, { status: 'skipped' })).toMatchObject({
      status: 'warn',
      summary: `${failed.summary} (this gateway is not reached over the tailnet)`,
    });
  });
  it('stays a failure for a tailnet gateway, or when the peer layer never ran', () => {
    expect(botNodeForTarget(failed, { status: 'failed' })).toBe(failed);
    expect(botNodeForTarget(failed, undefined)).toBe(failed);
  });
});
