/**
 * Metrics end to end with a REAL Prometheus: clawops as `clawops start` runs it (real Bolt against
 * the Slack emulator, BullMQ on Redis, the probe ladder against fault-injecting fake Gateways), its
 * /metrics and the blackbox-style /probe on the health server, scraped by Debian's `prometheus`
 * (started here on a free port with a generated config and the shipped alert rules). The test reads
 * what Prometheus stored through its HTTP API.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolve } from 'node:path';
import { startHealthServer, type HealthServer } from '../../src/health/server.js';
import { createLogger } from '../../src/log.js';
import { GATEWAY_TOKEN, startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { reservedClosedPort, startFakeGateway, type FakeGateway } from '../support/fake-gateway.js';
import { probeScrapeConfig, promtool, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import type { ApiCall } from '../support/slack-emulator.js';

const redisUrl = inject('redisUrl');
const finalUpdate = (ts: string) => (call: ApiCall) => call.params.ts === ts && !String(call.params.text).startsWith('⏳');

describe('a real Prometheus scrapes clawops /metrics and /probe', () => {
  let healthy: FakeGateway;
  let wrongToken: FakeGateway;
  let harness: BotHarness;
  let health: HealthServer;
  let prometheus: PrometheusServer;
  let base: string;

  beforeAll(async () => {
    healthy = await startFakeGateway({ token: GATEWAY_TOKEN });
    wrongToken = await startFakeGateway({ token: 'a-different-token' });
    const closed = await reservedClosedPort();
    harness = await startBotHarness({
      redisUrl,
      gateways: { prod: { url: healthy.url }, staging: { url: wrongToken.url }, down: { url: `ws://127.0.0.1:${closed}` } },
      metrics: { cacheSeconds: 1 },
    });
    // As `clawops start` serves them (src/main.ts): the runtime's routes beside /healthz and /readyz.
    health = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      readiness: harness.runtime.readiness,
      logger: createLogger({ level: 'silent' }),
      routes: harness.runtime.metrics.routes,
    });
    base = `http://127.0.0.1:${health.address!.port}`;
    // One check of each through Slack first, so that the last states, layer timings and verdicts exist.
    const since = harness.emu.mark();
    await harness.gateway('check prod staging down');
    const placeholder = await harness.emu.waitForCall('chat.postMessage', (call) => String(call.params.text).startsWith('⏳'), { since });
    await harness.emu.waitForCall('chat.update', finalUpdate((placeholder.response as { ts: string }).ts), { since, timeoutMs: 20_000 });
    prometheus = await startPrometheus({
      rule_files: [resolve('deploy/prometheus/clawops-rules.yml')],
      scrape_configs: [
        { job_name: 'clawops', static_configs: [{ targets: [`127.0.0.1:${health.address!.port}`] }] },
        probeScrapeConfig(`127.0.0.1:${health.address!.port}`, ['prod', 'staging', 'down'], { scrape_interval: '2s', scrape_timeout: '2s' }),
      ],
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await health?.close();
    await harness?.close();
    await healthy?.close();
    await wrongToken?.close();
  });

  it('exposes /metrics that promtool accepts without a lint warning, and /probe too', async () => {
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toContain('clawops_checks_total{trigger="slash"} 3');
    const checked = promtool(['check', 'metrics'], text);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    const probe = await (await fetch(`${base}/probe?gateway=down`)).text();
    const probeChecked = promtool(['check', 'metrics'], probe);
    expect(probeChecked.stdout + probeChecked.stderr).toBe('');
    expect(probeChecked.code).toBe(0);
    // No token, in either.
    expect(text + probe).not.toContain(GATEWAY_TOKEN);
    expect(text + probe).not.toContain('a-different-token');
  });

  it('stores probe_success per gateway, 0 for the failing ones, with their failing layer and verdict', async () => {
    const success = await prometheus.waitFor('probe_success{job="clawops-probe"}', (result) => result.length === 3);
    const byInstance = Object.fromEntries(success.map((sample) => [sample.metric.instance, sample.value]));
    expect(byInstance).toEqual({ prod: 1, staging: 0, down: 0 });
    const failing = await prometheus.query('clawops_probe_layer_success{job="clawops-probe"} == 0');
    expect(Object.fromEntries(failing.map((sample) => [sample.metric.instance, sample.metric.layer]))).toEqual({ staging: 'handshake', down: 'tcp' });
    const verdicts = await prometheus.query('clawops_probe_verdict{job="clawops-probe"} == 1');
    expect(verdicts.find((sample) => sample.metric.instance === 'down')?.metric.id).toBe('refused');
    expect(verdicts.find((sample) => sample.metric.instance === 'staging')?.metric.id).toBe('auth-rejected');
    expect(verdicts.find((sample) => sample.metric.instance === 'prod')?.metric.id).toBe('none');
    const phases = await prometheus.query('probe_duration_seconds{job="clawops-probe",instance="prod",phase!=""}');
    expect(phases.map((sample) => sample.metric.phase).sort()).toEqual(expect.arrayContaining(['dns', 'handshake', 'health', 'http', 'tcp', 'upgrade']));
    const total = await prometheus.query('probe_duration_seconds{job="clawops-probe",instance="prod",phase=""}');
    expect(total).toHaveLength(1);
    expect(total[0]!.value).toBeGreaterThan(0);
  });

  it('stores the per-gateway, layer, trigger and queue series of /metrics', async () => {
    await prometheus.waitFor('up{job="clawops"}', (result) => result.length === 1 && result[0]!.value === 1);
    const up = await prometheus.query('clawops_gateway_up');
    expect(Object.fromEntries(up.map((sample) => [sample.metric.gateway, sample.value]))).toEqual({ prod: 1, staging: 0, down: 0 });
    const verdict = await prometheus.query('clawops_gateway_verdict_info == 1');
    expect(Object.fromEntries(verdict.map((sample) => [sample.metric.gateway, sample.metric.id]))).toEqual({
      prod: 'none',
      staging: 'auth-rejected',
      down: 'refused',
    });
    const failures = await prometheus.query('clawops_layer_failures_total > 0');
    expect(Object.fromEntries(failures.map((sample) => [sample.metric.gateway, sample.metric.layer]))).toEqual({ staging: 'handshake', down: 'tcp' });
    const handshake = await prometheus.query('clawops_layer_duration_seconds_count{gateway="prod",layer="handshake"}');
    expect(handshake[0]!.value).toBeGreaterThanOrEqual(1);
    // /probe checks are counted too (Prometheus scraped them), and they went through the coalescer.
    await prometheus.waitFor('clawops_checks_total{trigger="probe"}', (result) => result.length === 1 && result[0]!.value >= 3);
    expect((await prometheus.query('clawops_checks_total{trigger="slash"}'))[0]!.value).toBe(3);
    const queues = await prometheus.query('clawops_queue_jobs{state="waiting"}');
    expect(queues.map((sample) => sample.metric.queue).sort()).toEqual(['alerts', 'checks', 'monitor', 'posts']);
    const version = await prometheus.query('clawops_gateway_version_info{gateway="prod"}');
    expect(version[0]!.metric.version).toBe('2026.9.6');
    const ready = await prometheus.query('clawops_ready');
    expect(Object.fromEntries(ready.map((sample) => [sample.metric.component, sample.value]))).toMatchObject({ redis: 1, slack: 1, workers: 1 });
    expect((await prometheus.query('nodejs_eventloop_lag_seconds{job="clawops"}')).length).toBe(1);
  });

  it('loads the shipped alert rules, and nothing it stored carries a token', async () => {
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; health: string }> }> };
    };
    const all = rules.data.groups.flatMap((group) => group.rules);
    expect(all.map((rule) => rule.name)).toContain('ClawopsProbeFailing');
    expect(all.every((rule) => rule.health !== 'err')).toBe(true);
    const series = await (await fetch(`${prometheus.url}/api/v1/series?match[]=${encodeURIComponent('{__name__=~"clawops_.*|probe_.*"}')}`)).text();
    expect(series).toContain('clawops_gateway_up');
    expect(series).not.toContain(GATEWAY_TOKEN);
    expect(series).not.toContain('U0ONCALL');
    expect(series).not.toContain(`127.0.0.1:${healthy.port}`);
  });

  it('answers /probe for an unknown gateway with 400 and a suggestion, and keeps serving', async () => {
    const res = await fetch(`${base}/probe?gateway=prdo`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('no gateway named "prdo". Did you mean "prod"?');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
