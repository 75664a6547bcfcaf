/**
 * /probe against the REAL OpenClaw Gateway 2026.9.6, scraped by a real Prometheus: clawops as
 * `clawops start` runs it (real Bolt against the emulator, BullMQ on Redis) with the blackbox-style
 * relabelling the README documents. The right token gives probe_success 1; the same Gateway under a
 * second name with a wrong token gives 0, the handshake as the failing layer and `auth-rejected`
 * — the real Gateway's refusal, not a fake's. A `target=` URL listed in the config is probed too.
 * Fails, never skips, when the Gateway or Prometheus cannot start.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startHealthServer, type HealthServer } from '../../src/health/server.js';
import { createLogger } from '../../src/log.js';
import { startBotHarness, type BotHarness } from '../support/bot-harness.js';
import { probeScrapeConfig, promtool, startPrometheus, type PrometheusServer } from '../support/prometheus.js';
import { startRealGateway, type RealGateway } from './support/gateway-harness.js';

const TOKEN = `metrics-${Math.random().toString(36).slice(2)}-token`;
const SLOW = { timeouts: { handshakeMs: 15_000, budgetMs: 20_000 } };
let gateway: RealGateway;
let slack: BotHarness;
let health: HealthServer;
let prometheus: PrometheusServer;
let address: string;

beforeAll(async () => {
  gateway = await startRealGateway({ token: TOKEN, stopGraceMs: 5_000 });
  slack = await startBotHarness({
    redisUrl: inject('redisUrl'),
    gateways: {
      real: { url: gateway.url, tokenEnv: 'REAL_TOKEN', ...SLOW },
      'real-wrong': { url: gateway.url, tokenEnv: 'WRONG_TOKEN', aliasOf: 'real', ...SLOW },
    },
    env: { REAL_TOKEN: TOKEN, WRONG_TOKEN: 'not-the-gateway-token' },
    metrics: { probe: { targets: [{ url: gateway.url, tokenEnv: 'REAL_TOKEN' }] } },
  });
  health = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    readiness: slack.runtime.readiness,
    logger: createLogger({ level: 'silent' }),
    routes: slack.runtime.metrics.routes,
  });
  address = `127.0.0.1:${health.address!.port}`;
  prometheus = await startPrometheus({
    scrape_configs: [
      probeScrapeConfig(address, ['real', 'real-wrong'], { scrape_interval: '5s', scrape_timeout: '5s' }),
      {
        job_name: 'clawops-probe-target',
        metrics_path: '/probe',
        // Its first check presents the device identity (device: auto) to a Gateway seconds old: allow it time.
        scrape_interval: '10s',
        scrape_timeout: '10s',
        static_configs: [{ targets: [gateway.url] }],
        relabel_configs: [
          { source_labels: ['__address__'], target_label: '__param_target' },
          { source_labels: ['__param_target'], target_label: 'instance' },
          { target_label: '__address__', replacement: address },
        ],
      },
    ],
  });
});

afterAll(async () => {
  await prometheus?.stop();
  await health?.close();
  await slack?.close();
  await gateway?.stop();
});

describe('/probe against the real Gateway, scraped by a real Prometheus', () => {
  it('stores probe_success 1 for the right token, 0 with the handshake failing for a wrong one', async () => {
    const success = await prometheus.waitFor('probe_success{job="clawops-probe"}', (result) => result.length === 2, 40_000);
    expect(Object.fromEntries(success.map((sample) => [sample.metric.instance, sample.value]))).toEqual({ real: 1, 'real-wrong': 0 });
    const failing = await prometheus.query('clawops_probe_layer_success{job="clawops-probe"} == 0');
    expect(failing.map((sample) => [sample.metric.instance, sample.metric.layer])).toEqual([['real-wrong', 'handshake']]);
    const verdict = await prometheus.query('clawops_probe_verdict{job="clawops-probe",instance="real-wrong"} == 1');
    expect(verdict.map((sample) => sample.metric.id)).toContain('auth-rejected');
    const phases = await prometheus.query('probe_duration_seconds{job="clawops-probe",instance="real",phase!=""}');
    expect(phases.map((sample) => sample.metric.phase)).toEqual(expect.arrayContaining(['tcp', 'http', 'upgrade', 'handshake', 'health']));
  });

  it('probes a target= URL listed under metrics.probe.targets, with the token from its tokenEnv', async () => {
    const success = await prometheus.waitFor('probe_success{job="clawops-probe-target"}', (result) => result.length === 1, 40_000);
    expect(success[0]!.metric.instance).toBe(gateway.url);
    expect(success[0]!.value).toBe(1);
  });

  it('answers in a form promtool accepts, and never with the token', async () => {
    const body = await (await fetch(`http://${address}/probe?gateway=real-wrong`)).text();
    const checked = promtool(['check', 'metrics'], body);
    expect(checked.stdout + checked.stderr).toBe('');
    expect(body).toContain('probe_success 0');
    expect(body).not.toContain(TOKEN);
    const metrics = await (await fetch(`http://${address}/metrics`)).text();
    expect(metrics).not.toContain(TOKEN);
    expect(metrics).toMatch(/clawops_checks_total\{trigger="probe"\} [1-9]/);
  });
});
