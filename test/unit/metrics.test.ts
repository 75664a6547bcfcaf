/**
 * The metrics feature without a network: metric naming, label bounds (configured gateways only,
 * closed sets for layers, verdicts, triggers; outside text never a label), the blackbox-style
 * /probe's parameter validation and its concurrency bound.
 */
import { createServer, type Server } from 'node:http';
import perfHooks from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigSchema, type Config } from '../../src/config/schema.js';
import { createLogger } from '../../src/log.js';
import { readEnvOptions } from '../../src/config/env.js';
import { createReadiness } from '../../src/health/readiness.js';
import { startHealthServer } from '../../src/health/server.js';
import { createMetricsFeature, EVENT_LOOP_SAMPLE_MS, type MetricsFeature } from '../../src/features/metrics/index.js';
import { ALERT_STATES, LAYERS, TRIGGERS, VERDICT_IDS } from '../../src/features/metrics/labels.js';
import { PHASES } from '../../src/features/monitoring/alerts/policy.js';
import { parseProbeParams } from '../../src/features/metrics/probe-params.js';
import type { Prober } from '../../src/features/metrics/probe-endpoint.js';
import type { ProbeReport } from '../../src/report/report.js';
import { authRejected, healthy, resultOf, tcpFailure } from '../support/monitoring-reports.js';

const logger = createLogger({ level: 'silent' });

function config(extra: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({
    gateways: { prod: { url: 'ws://127.0.0.1:18789' }, staging: { url: 'ws://127.0.0.1:18790' } },
    ...extra,
  });
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The exposition's samples (the text format's lines), for asserting on names and labels. */
function samples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

describe('metric naming', () => {
  it('names every clawops metric by Prometheus conventions and documents it', async () => {
    const feature = createMetricsFeature({ config: config(), logger, role: 'start' });
    const metrics = await feature.registry.getMetricsAsJSON();
    const ours = metrics.filter((metric) => metric.name.startsWith('clawops_'));
    expect(ours.length).toBeGreaterThanOrEqual(20);
    for (const metric of metrics) {
      expect(metric.name).toMatch(/^(clawops|process|nodejs)_[a-z0-9_]+$/);
      expect(metric.help.length).toBeGreaterThan(10);
      if (String(metric.type) === 'counter') expect(metric.name).toMatch(/_total$/);
      else expect(metric.name).not.toMatch(/_total$/);
      if (metric.name.endsWith('_info')) expect(String(metric.type)).toBe('gauge');
      // Units in base units only.
      expect(metric.name).not.toMatch(/_(ms|milliseconds|minutes|hours|bytes_kb)$/);
    }
    // The default Node metrics are on this process's registry.
    expect(metrics.some((metric) => metric.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(metrics.some((metric) => metric.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('keeps a registry per feature: two processes in one test do not share series', async () => {
    const one = createMetricsFeature({ config: config(), logger, role: 'start' });
    const two = createMetricsFeature({ config: config(), logger, role: 'worker' });
    one.hooks.probed(tcpFailure('refused', { name: 'prod' }));
    expect(await one.scrape()).toContain('clawops_probes_total{gateway="prod"} 1');
    expect(await two.scrape()).not.toContain('clawops_probes_total{gateway="prod"}');
  });
});

describe('verdicts from the check’s own diagnosis', () => {
  const verdictCount = async (feature: MetricsFeature, id: string) =>
    samples(await feature.scrape()).find((sample) => sample.name === 'clawops_verdicts_total' && sample.labels.id === id)?.value ?? 0;

  it('a probe run here counts its verdicts when its check is answered, once, from that check’s diagnosis', async () => {
    const feature = createMetricsFeature({ config: config(), logger, role: 'start' });
    const refused = tcpFailure('refused', { name: 'prod' });
    feature.hooks.probed(refused);
    // The probe is counted at once; its verdicts wait for the diagnosis the check makes.
    expect(await feature.scrape()).toContain('clawops_probes_total{gateway="prod"} 1');
    expect(await verdictCount(feature, 'refused')).toBe(0);
    feature.hooks.answered(resultOf(refused), 'slash');
    expect(await verdictCount(feature, 'refused')).toBe(1);
    // A second request answered by the same probe (coalesced) does not count it again…
    feature.hooks.answered(resultOf(refused), 'button');
    expect(await verdictCount(feature, 'refused')).toBe(1);
    // …nor does a check answered by another worker's probe (never probed here).
    feature.hooks.answered(resultOf(tcpFailure('refused', { name: 'prod' })), 'slash');
    expect(await verdictCount(feature, 'refused')).toBe(1);
    expect(await feature.scrape()).toContain('clawops_checks_total{trigger="slash"} 2');
  });
});

describe('label bounds', () => {
  const ALLOWED_LABELS = new Set(['gateway', 'layer', 'id', 'trigger', 'state', 'queue', 'outcome', 'component', 'source', 'version', 'role', 'le', 'phase']);
  const DEFAULT_LABELS = new Set(['kind', 'space', 'type', 'version', 'major', 'minor', 'patch', 'le']);

  async function scrapeAfterTraffic(feature: MetricsFeature): Promise<Sample[]> {
    for (const name of ['prod', 'staging', 'not-configured', '<@U0VICTIM>']) {
      // Probes with their checks' diagnoses (the composition root's calls are in test/e2e/metrics-prometheus.test.ts).
      for (const { report, diagnosis } of [resultOf(tcpFailure('refused', { name })), resultOf(authRejected({ name }))])
        feature.hooks.probed(report, diagnosis);
      feature.hooks.answered(resultOf(healthy({ name })), 'slash');
      feature.hooks.coalesced(name);
    }
    for (const trigger of TRIGGERS) feature.hooks.triggered(trigger);
    feature.hooks.placeholdersSwept({ apologized: 2, 'some-new-outcome': 5 });
    feature.hooks.postRetried();
    return samples(await feature.scrape());
  }

  it('exports configured gateways only, layers from the ladder, verdict ids from the symptom table', async () => {
    const feature = createMetricsFeature({ config: config(), logger, role: 'start' });
    feature.attachState({
      lastState: async () =>
        new Map([
          [
            'prod',
            {
              state: 'unhealthy' as const,
              verdict: 'a verdict the gateway made up <!channel>',
              version: 'xoxb-123-secret-token <@U1>',
              at: new Date().toISOString(),
              durationMs: 12,
            },
          ],
          ['ghost', { state: 'healthy' as const, at: new Date().toISOString(), durationMs: 1 }],
        ]),
      alerts: async () =>
        new Map([
          ['_network', { state: { phase: 'down' as const, failures: 3, successes: 0 } }],
          ['staging', { state: { phase: 'pending' as const, failures: 1, successes: 0 } }],
        ]),
    });
    const all = await scrapeAfterTraffic(feature);
    const ours = all.filter((sample) => sample.name.startsWith('clawops_'));
    for (const sample of ours) {
      for (const key of Object.keys(sample.labels)) expect(ALLOWED_LABELS, `${sample.name} label ${key}`).toContain(key);
      if (sample.labels.gateway !== undefined) expect(['prod', 'staging']).toContain(sample.labels.gateway);
      if (sample.labels.layer !== undefined) expect(LAYERS).toContain(sample.labels.layer);
      if (sample.labels.id !== undefined) expect(VERDICT_IDS).toContain(sample.labels.id);
      if (sample.labels.trigger !== undefined) expect(TRIGGERS).toContain(sample.labels.trigger);
    }
    for (const sample of all.filter((s) => !s.name.startsWith('clawops_')))
      for (const key of Object.keys(sample.labels)) expect(DEFAULT_LABELS, `${sample.name} label ${key}`).toContain(key);
    // Outside text is folded, never exported.
    expect(ours.find((s) => s.name === 'clawops_gateway_verdict_info')?.labels.id).toBe('other');
    expect(ours.find((s) => s.name === 'clawops_gateway_version_info')?.labels.version).toBe('unknown');
    const text = JSON.stringify(all);
    for (const forbidden of ['xoxb', 'U0VICTIM', 'ghost', 'not-configured', '_network', '127.0.0.1', 'some-new-outcome']) expect(text).not.toContain(forbidden);
    // The failing layer of a refused probe is counted where it failed.
    expect(ours).toContainEqual({ name: 'clawops_layer_failures_total', labels: { gateway: 'prod', layer: 'tcp' }, value: 1 });
    expect(ours).toContainEqual({ name: 'clawops_verdicts_total', labels: { id: 'refused' }, value: 2 });
    expect(ours).toContainEqual({ name: 'clawops_alert_state', labels: { gateway: 'staging', state: 'pending' }, value: 1 });
    expect(ours).toContainEqual({ name: 'clawops_stale_placeholders_swept_total', labels: { outcome: 'apologized' }, value: 2 });
  });

  it("names the alert policy's phases as the policy does (features do not import each other)", () => {
    expect(ALERT_STATES).toEqual(PHASES);
  });

  it('bounds the series by the config: gateways × layers × buckets, not by traffic', async () => {
    const feature = createMetricsFeature({ config: config(), logger, role: 'start' });
    await scrapeAfterTraffic(feature);
    const once = samples(await feature.scrape()).filter((s) => s.name.startsWith('clawops_')).length;
    for (let round = 0; round < 20; round++) await scrapeAfterTraffic(feature);
    const later = samples(await feature.scrape()).filter((s) => s.name.startsWith('clawops_')).length;
    expect(later).toBe(once);
    // One histogram's series per gateway: at most the 11 layers × (9 buckets + +Inf + sum + count).
    const histogram = samples(await feature.scrape()).filter((s) => s.name.startsWith('clawops_layer_duration_seconds') && s.labels.gateway === 'prod');
    expect(histogram.length).toBeLessThanOrEqual(LAYERS.length * 12);
  });
});

describe('/probe parameters', () => {
  const allowed = { gateways: ['prod', 'staging', 'edge'], targets: [{ url: 'wss://gw-lab.example-tailnet.ts.net', tokenEnv: 'LAB_TOKEN' }] };
  const parse = (query: string, list = allowed) => parseProbeParams(new URLSearchParams(query), list);
  const refusal = (query: string, list = allowed) => {
    const result = parse(query, list);
    if (result.ok) throw new Error(`accepted ${query}`);
    expect(result.status).toBe(400);
    return result.body;
  };

  it('accepts a configured gateway and a listed target', () => {
    expect(parse('gateway=prod')).toEqual({ ok: true, request: { kind: 'gateway', gateway: 'prod' } });
    expect(parse('target=wss://gw-lab.example-tailnet.ts.net/')).toEqual({ ok: true, request: { kind: 'target', target: allowed.targets[0] } });
  });

  it('answers an unknown gateway with what is configured and a suggestion for a typo', () => {
    expect(refusal('gateway=prdo')).toBe('no gateway named "prdo". Did you mean "prod"? Configured: prod, staging, edge\n');
    expect(refusal('gateway=warehouse')).toMatch(/^no gateway named "warehouse" Configured: prod, staging, edge/);
  });

  it('says what it takes for a missing, doubled or mistyped parameter', () => {
    expect(refusal('')).toMatch(/no gateway given: \/probe takes gateway=NAME/);
    expect(refusal('gateway=prod&gateway=edge')).toMatch(/gateway is given more than once/);
    expect(refusal('gateway=prod&target=wss://gw-lab.example-tailnet.ts.net')).toMatch(/give gateway or target, not both/);
    expect(refusal('gatway=prod')).toMatch(/unknown parameter "gatway" \(did you mean gateway\?\)/);
    expect(refusal('module=http_2xx&gateway=prod')).toMatch(/unknown parameter "module"/);
  });

  it('never echoes what does not have a name’s shape, nor a URL with credentials', () => {
    const hostile = refusal('gateway=' + encodeURIComponent('<!channel> xoxb-1-2'));
    expect(hostile).not.toContain('xoxb');
    expect(hostile).not.toContain('<!channel>');
    const withToken = refusal('target=' + encodeURIComponent('wss://gw-lab.example-tailnet.ts.net/?token=s3cret-gateway-token'));
    expect(withToken).not.toContain('s3cret');
    expect(withToken).toMatch(/carries no credentials/);
    const withUser = refusal('target=' + encodeURIComponent('wss://user:s3cret@gw-lab.example-tailnet.ts.net'));
    expect(withUser).not.toContain('s3cret');
  });

  it('refuses target= unless enabled for that URL', () => {
    expect(refusal('target=wss://gw-lab.example-tailnet.ts.net', { gateways: ['prod'], targets: [] })).toMatch(
      /target= is not enabled: list the URL .* under metrics.probe.targets/,
    );
    expect(refusal('target=wss://elsewhere.example.com')).toMatch(/not listed under metrics.probe.targets/);
    expect(refusal('target=http://gw-lab.example-tailnet.ts.net')).toMatch(/ws:\/\/ or wss:\/\//);
    expect(refusal('target=not a url')).toMatch(/not a URL/);
  });

  it('names the config path of a bad probe target', () => {
    const bad = ConfigSchema.safeParse({ gateways: { prod: { url: 'ws://127.0.0.1:1' } }, metrics: { probe: { targets: [{ url: 'wss://u:p@h.example' }] } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((issue) => issue.path.join('.'))).toContain('metrics.probe.targets.0.url');
  });
});

describe('/probe endpoint', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  async function serve(feature: MetricsFeature): Promise<string> {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      void feature.routes[url.pathname]!(req, res, url);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function heldProber() {
    const waiting = new Map<string, Array<(report: ProbeReport) => void>>();
    const calls: string[] = [];
    const prober: Prober = {
      gateway: (name) => {
        calls.push(name);
        return new Promise((resolve) => waiting.set(name, [...(waiting.get(name) ?? []), resolve]));
      },
      target: async () => healthy({ name: 'target' }),
    };
    const release = (name: string, report: ProbeReport) => {
      for (const resolve of waiting.get(name) ?? []) resolve(report);
      waiting.delete(name);
    };
    const started = async (count: number) => {
      const deadline = Date.now() + 5_000;
      while (calls.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${calls.length} probes started`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    return { prober, release, calls, started };
  }

  it('answers a failing gateway with probe_success 0 and its failing layer', async () => {
    const feature = createMetricsFeature({ config: config(), logger, role: 'start' });
    feature.attachProber({ gateway: async (name) => tcpFailure('refused', { name }), target: async () => healthy() });
    const base = await serve(feature);
    const res = await fetch(`${base}/probe?gateway=prod`);
    expect(res.status).toBe(200);
    const body = samples(await res.text());
    expect(body).toContainEqual({ name: 'probe_success', labels: {}, value: 0 });
    expect(body).toContainEqual({ name: 'clawops_probe_layer_success', labels: { layer: 'tcp' }, value: 0 });
    expect(body).toContainEqual({ name: 'clawops_probe_verdict', labels: { id: 'refused' }, value: 1 });
    expect(body.some((s) => s.name === 'probe_duration_seconds' && s.labels.phase === 'tcp')).toBe(true);
    expect(body.some((s) => s.name === 'probe_duration_seconds' && s.labels.phase === 'handshake')).toBe(false);
    expect(await feature.scrape()).toContain('clawops_checks_total{trigger="probe"} 1');
    const unknown = await fetch(`${base}/probe?gateway=prdo`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('Did you mean "prod"?');
  });

  it('shares a running check of the same gateway and answers 503 past metrics.probe.maxConcurrent', async () => {
    const feature = createMetricsFeature({ config: config({ metrics: { probe: { maxConcurrent: 1 } } }), logger, role: 'start' });
    const held = heldProber();
    feature.attachProber(held.prober);
    const base = await serve(feature);
    const first = fetch(`${base}/probe?gateway=prod`);
    await held.started(1);
    const shared = fetch(`${base}/probe?gateway=prod`);
    const saturated = await fetch(`${base}/probe?gateway=staging`);
    expect(saturated.status).toBe(503);
    expect(await saturated.text()).toMatch(/too many \/probe checks at once \(metrics.probe.maxConcurrent: 1\)/);
    held.release('prod', healthy({ name: 'prod' }));
    const [a, b] = await Promise.all([first, shared]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(held.calls).toEqual(['prod']);
    expect(await a.text()).toContain('probe_success 1');
    // The slot is free again.
    const again = fetch(`${base}/probe?gateway=staging`);
    await held.started(2);
    held.release('staging', healthy({ name: 'staging' }));
    expect((await again).status).toBe(200);
  });

  it('answers 503 in a process that runs no checks', async () => {
    const feature = createMetricsFeature({ config: config(), logger, role: 'bot' });
    const base = await serve(feature);
    const res = await fetch(`${base}/probe?gateway=prod`);
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/runs no checks/);
  });
});

describe('CLAWOPS_METRICS_ADDR', () => {
  const warnings = async (host: string) => {
    const lines: string[] = [];
    const destination = { write: (line: string) => void lines.push(line) };
    const server = await startHealthServer({
      host,
      port: 0,
      readiness: createReadiness(),
      logger: createLogger({ level: 'warn', destination: destination as never }),
    });
    await server.close();
    return lines.map((line) => JSON.parse(line) as { msg: string });
  };

  it('says so when it is not loopback (set explicitly: the default is 127.0.0.1:9464)', async () => {
    expect(readEnvOptions({}).healthAddr).toEqual({ host: '127.0.0.1', port: 9464 });
    // 192.0.2.1 (TEST-NET-1) is on no interface: the warning comes before the listen fails, nothing is exposed.
    const wide = await warnings('192.0.2.1');
    expect(wide.map((line) => line.msg)).toContain(
      'CLAWOPS_METRICS_ADDR is not a loopback address: /metrics and /probe are reachable from the network (scrape over the tailnet, or firewall it)',
    );
    const notLoopback = (lines: Array<{ msg: string }>) => lines.filter((line) => line.msg.startsWith('CLAWOPS_METRICS_ADDR is not a loopback'));
    expect(notLoopback(await warnings('127.0.0.1'))).toEqual([]);
    expect(notLoopback(await warnings('::1'))).toEqual([]);
    expect(notLoopback(await warnings('localhost'))).toEqual([]);
  });
});

describe('the event-loop lag histogram', () => {
  it('samples every 100 ms or slower: at prom-client’s 10 ms an idle worker woke 100 times a second (~1 % of a core)', () => {
    // prom-client calls perf_hooks.monitorEventLoopDelay through the module object: the spy sees its resolution.
    const monitor = vi.spyOn(perfHooks, 'monitorEventLoopDelay');
    try {
      createMetricsFeature({ config: config(), logger, role: 'worker' });
      expect(monitor).toHaveBeenCalledTimes(1);
      expect(monitor.mock.calls[0]![0]).toEqual({ resolution: EVENT_LOOP_SAMPLE_MS });
      expect(EVENT_LOOP_SAMPLE_MS).toBeGreaterThanOrEqual(100);
    } finally {
      monitor.mockRestore();
    }
  });
});
