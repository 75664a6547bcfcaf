import { describe, expect, it } from 'vitest';
import { markNotReached } from '../../src/probes/ladder.js';
import type { LayerResult } from '../../src/report/report.js';
import { LayerResultSchema } from '../../src/report/report.js';
import { channelsLayer, healthLayer, statusLayer } from '../../src/probes/rpc-layers.js';
import type { RpcOutcome } from '../../src/openclaw/types.js';

const timing = { startMs: 45, durationMs: 12 };
const ok = (payload: unknown): RpcOutcome => ({ ok: true, payload, durationMs: 12 });
const forbidden: RpcOutcome = {
  ok: false,
  durationMs: 2,
  error: { code: 'FORBIDDEN', message: 'missing scope: operator.read', detailsCode: 'MISSING_SCOPE', missingScope: 'operator.read' },
};
const closed: RpcOutcome = { ok: false, durationMs: 3, close: { code: 1006, reason: '' } };
const timedOut: RpcOutcome = { ok: false, durationMs: 5_000, timedOut: true };

describe('healthLayer', () => {
  it('maps a healthy payload and keeps only what verdicts need', () => {
    const layer = healthLayer(
      ok({
        ok: true,
        durationMs: 3,
        eventLoop: { degraded: false, delayP99Ms: 8.5, utilization: 0.1 },
        modelRuntime: { degraded: false },
        plugins: { errors: [] },
        sessions: { path: 'state/sessions.json', count: 4 },
        channels: {},
      }),
      timing,
      5_000,
    );
    expect(layer).toEqual({
      layer: 'health',
      status: 'ok',
      ...timing,
      summary: 'ok · event loop p99 8.5 ms',
      evidence: {
        method: 'health',
        ok: true,
        gatewayDurationMs: 3,
        eventLoopDegraded: false,
        eventLoopDelayP99Ms: 8.5,
        modelRuntimeDegraded: false,
        pluginErrors: [],
      },
    });
    expect(JSON.stringify(layer)).not.toContain('sessions');
    expect(LayerResultSchema.parse(layer)).toEqual(layer);
  });

  it('warns on a degraded event loop, a degraded model runtime and plugin errors', () => {
    const layer = healthLayer(
      ok({
        ok: true,
        eventLoop: { degraded: true, delayP99Ms: 420 },
        modelRuntime: { degraded: true },
        plugins: { errors: [{ pluginId: 'memory', message: 'index corrupt' }, 'loader failed', { id: 'x' }, 42] },
      }),
      timing,
      5_000,
    );
    expect(layer.status).toBe('warn');
    expect(layer.summary).toBe('event loop degraded (p99 420 ms) · model runtime degraded · 4 plugin error(s)');
    expect(layer.evidence?.pluginErrors).toEqual(['memory: index corrupt', 'loader failed', 'x', 'plugin error']);
  });

  it('fails on ok:false', () => {
    const layer = healthLayer(ok({ ok: false }), timing, 5_000);
    expect(layer.status).toBe('failed');
    expect(layer.summary).toBe('health ok:false');
  });

  it('an unexpected payload shape is not a failure by itself', () => {
    const layer = healthLayer(ok('not an object'), timing, 5_000);
    expect(layer.status).toBe('ok');
    expect(layer.summary).toBe('ok');
  });

  it('a close fails the layer with the close code', () => {
    const layer = healthLayer(closed, timing, 5_000);
    expect(layer).toMatchObject({
      status: 'failed',
      summary: 'health: connection closed 1006',
      evidence: { method: 'health', close: { code: 1006, reason: '' }, pluginErrors: [] },
    });
  });

  it('no answer fails the layer and names the deadline', () => {
    const layer = healthLayer(timedOut, timing, 5_000);
    expect(layer).toMatchObject({ status: 'failed', summary: 'health: no answer within 5000 ms', evidence: { timedOut: true } });
  });
});

describe('statusLayer', () => {
  it('takes the runtime version', () => {
    expect(statusLayer(ok({ runtimeVersion: '2026.9.6', processMemory: { rss: 1 } }), timing, 5_000)).toEqual({
      layer: 'status',
      status: 'ok',
      ...timing,
      summary: 'runtime 2026.9.6',
      evidence: { method: 'status', runtimeVersion: '2026.9.6' },
    });
  });

  it('FORBIDDEN missing scope is a warning, not a failure', () => {
    const layer = statusLayer(forbidden, timing, 5_000);
    expect(layer.status).toBe('warn');
    expect(layer.summary).toBe('status: FORBIDDEN missing scope: operator.read');
    expect(layer.evidence?.error?.missingScope).toBe('operator.read');
  });

  it('another error or a close fails it', () => {
    expect(statusLayer({ ok: false, durationMs: 1, error: { code: 'INTERNAL', message: 'boom', detailsCode: 'E_STATE' } }, timing, 5_000)).toMatchObject({
      status: 'failed',
      summary: 'status: INTERNAL (E_STATE)',
    });
    expect(statusLayer({ ok: false, durationMs: 1, close: { code: 1012, reason: 'service restart' } }, timing, 5_000)).toMatchObject({
      status: 'failed',
      summary: 'status: connection closed 1012 "service restart"',
    });
  });
});

describe('channelsLayer', () => {
  const payload = {
    channelAccounts: {
      telegram: [{ accountId: 'default', enabled: true, configured: true, linked: true, running: false, connected: false }],
      slack: [
        { accountId: 'work', enabled: true, configured: true, linked: true, running: true, connected: true, dmPolicy: 'allowlist', allowFrom: [] },
        { accountId: 'home', enabled: true, configured: true, linked: true, running: true, connected: true, dmPolicy: 'allowlist', allowFrom: ['U012ABCDEF'] },
      ],
      whatsapp: [{ accountId: 'default', enabled: true, configured: true, linked: true, running: true, connected: true }],
      signal: [{ accountId: 'default', enabled: true, configured: true, linked: false, running: true }],
      discord: [{ accountId: 'default', enabled: false, configured: true, running: false }],
    },
    statusIssues: [{ channel: 'whatsapp', accountId: 'default', kind: 'auth', message: 'session logged out; re-link the device' }],
    ts: 1,
  };

  it('maps each account and its issues', () => {
    const layer = channelsLayer(ok(payload), timing, 8_000);
    expect(layer.status).toBe('warn');
    const byKey = Object.fromEntries((layer.evidence?.channels ?? []).map((channel) => [`${channel.channel}/${channel.account}`, channel]));
    expect(byKey['telegram/default']?.issues).toEqual(['configured but not running']);
    expect(byKey['slack/work']).toMatchObject({
      dmPolicy: 'allowlist',
      allowFromCount: 0,
      issues: ['dmPolicy allowlist with an empty allowFrom: every DM is dropped'],
    });
    expect(byKey['slack/home']).toMatchObject({ allowFromCount: 1, issues: [] });
    expect(byKey['whatsapp/default']?.issues).toEqual(['session logged out; re-link the device']);
    expect(byKey['signal/default']?.issues).toEqual(['not linked (not paired)']);
    // A disabled account is not "configured but not running".
    expect(byKey['discord/default']?.issues).toEqual([]);
    expect(layer.summary).toBe(
      'telegram: configured but not running · slack/work: dmPolicy allowlist with an empty allowFrom: every DM is dropped · whatsapp: session logged out; re-link the device · signal: not linked (not paired)',
    );
    expect(LayerResultSchema.parse(layer)).toEqual(layer);
  });

  it('all running: ok', () => {
    const layer = channelsLayer(
      ok({ channelAccounts: { telegram: [{ accountId: 'default', configured: true, running: true, connected: true, linked: true }] } }),
      timing,
      8_000,
    );
    expect(layer).toMatchObject({ status: 'ok', summary: '1 channel account(s) running' });
  });

  it('none configured: ok', () => {
    expect(channelsLayer(ok({ channelAccounts: {} }), timing, 8_000)).toMatchObject({
      status: 'ok',
      summary: 'no channels configured',
      evidence: { channels: [] },
    });
  });

  it('FORBIDDEN missing scope is a warning; a close is a failure', () => {
    expect(channelsLayer(forbidden, timing, 8_000)).toMatchObject({
      status: 'warn',
      summary: 'channels.status: FORBIDDEN missing scope: operator.read',
      evidence: { channels: [] },
    });
    expect(channelsLayer(closed, timing, 8_000)).toMatchObject({
      status: 'failed',
      summary: 'channels.status: connection closed 1006',
      evidence: { close: { code: 1006 } },
    });
    expect(channelsLayer(timedOut, timing, 8_000)).toMatchObject({ status: 'failed', summary: 'channels.status: no answer within 8000 ms' });
  });
});

describe('markNotReached', () => {
  const layers: LayerResult[] = [
    {
      layer: 'dns',
      status: 'ok',
      startMs: 0,
      durationMs: 0.1,
      summary: '127.0.0.1 (literal)',
      evidence: { host: '127.0.0.1', literal: true, addresses: ['127.0.0.1'] },
    },
    {
      layer: 'tcp',
      status: 'failed',
      startMs: 0.2,
      durationMs: 0.5,
      summary: '127.0.0.1:18789 refused',
      evidence: { address: '127.0.0.1', port: 18789, error: 'refused' },
    },
    {
      layer: 'http',
      status: 'failed',
      startMs: 0.2,
      durationMs: 0.6,
      summary: '/healthz refused',
      evidence: { healthz: { path: '/healthz', error: 'refused' }, failing: [] },
    },
    {
      layer: 'upgrade',
      status: 'ok',
      startMs: 0.2,
      durationMs: 3,
      summary: '101 Switching Protocols',
      evidence: { url: 'ws://127.0.0.1:18789', httpStatus: 101 },
    },
    { layer: 'handshake', status: 'failed', startMs: 3, durationMs: 1, summary: 'close 1008', evidence: { challenge: true, scopes: [], requestedScopes: [] } },
    { layer: 'health', status: 'skipped', startMs: 0, durationMs: 0, summary: 'skipped' },
  ];

  it('keeps the first failure, turns later failures into not-reached, keeps later ok layers', () => {
    const marked = markNotReached(layers);
    expect(marked.map((layer) => [layer.layer, layer.status])).toEqual([
      ['dns', 'ok'],
      ['tcp', 'failed'],
      ['http', 'not-reached'],
      ['upgrade', 'ok'],
      ['handshake', 'not-reached'],
      ['health', 'skipped'],
    ]);
    expect(marked[2]?.summary).toBe('not reached (/healthz refused)');
    // The evidence stays: diagnosis reads it.
    expect(marked[2]?.evidence).toEqual(layers[2]?.evidence);
    expect(marked[1]).toBe(layers[1]);
    // The input is not changed.
    expect(layers[2]?.status).toBe('failed');
  });

  it('without a failure it changes nothing', () => {
    const clean = layers.filter((layer) => layer.status !== 'failed');
    expect(markNotReached(clean)).toEqual(clean);
  });
});
