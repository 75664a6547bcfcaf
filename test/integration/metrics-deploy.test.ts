/**
 * What deploy/ ships for Prometheus and Grafana, checked with Prometheus' own tool: the alert rules
 * pass `promtool check rules`, fire when clawops' policy would (promtool test rules, on series shaped
 * like clawops' exposition), stay in step with the policy's defaults, and the dashboard only queries
 * metrics clawops exports.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ConfigSchema } from '../../src/config/schema.js';
import { createMetricsFeature } from '../../src/features/metrics/index.js';
import { renderProbe } from '../../src/features/metrics/probe-exposition.js';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { createLogger } from '../../src/log.js';
import { promtool } from '../support/prometheus.js';
import { tcpFailure } from '../support/monitoring-reports.js';

const RULES = resolve('deploy/prometheus/clawops-rules.yml');
const DASHBOARD = resolve('deploy/grafana/clawops-dashboard.json');
const dir = mkdtempSync(join(tmpdir(), 'clawops-rules-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
}
const rules = (): Rule[] => (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((group) => group.rules);
const minutes = (duration: string | undefined) => Number(/^(\d+)m$/.exec(duration ?? '')?.[1] ?? NaN);

describe('deploy/prometheus/clawops-rules.yml', () => {
  it('passes promtool check rules', () => {
    const run = promtool(['check', 'rules', RULES]);
    expect(run.stderr + run.stdout).toMatch(/SUCCESS: \d+ rules found/);
    expect(run.code).toBe(0);
  });

  it("mirrors the alert policy's defaults: failureThreshold × interval to fire, successThreshold × interval to resolve", () => {
    const defaults = ConfigSchema.parse({ gateways: { prod: { url: 'ws://127.0.0.1:1' } } }).monitoring;
    const intervalMinutes = defaults.checkIntervalSeconds / 60;
    const probe = rules().find((rule) => rule.alert === 'ClawopsProbeFailing')!;
    expect(minutes(probe.for)).toBe(defaults.alerts.failureThreshold * intervalMinutes);
    expect(minutes(probe.keep_firing_for)).toBe(defaults.alerts.successThreshold * intervalMinutes);
    expect(rules().find((rule) => rule.alert === 'ClawopsGatewayDown')!.expr).toBe('clawops_alert_state{state="down"} == 1');
  });

  it('fires and resolves as clawops would (promtool test rules)', () => {
    const tests = {
      rule_files: [RULES],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          // prod fails 5 times then recovers; clawops itself holds staging DOWN; edge exposed.
          input_series: [
            { series: 'probe_success{job="clawops-probe",instance="prod"}', values: '0x4 1x6' },
            { series: 'clawops_probe_layer_success{job="clawops-probe",instance="prod",layer="tcp"}', values: '0x4 1x6' },
            { series: 'clawops_probe_verdict{job="clawops-probe",instance="prod",id="refused"}', values: '1x4 _x6' },
            { series: 'clawops_alert_state{job="clawops",instance="clawops:9464",gateway="staging",state="down"}', values: '1x10' },
            { series: 'clawops_gateway_verdict_info{job="clawops",instance="clawops:9464",gateway="staging",id="auth-rejected"}', values: '1x10' },
          ],
          alert_rule_test: [
            { eval_time: '2m', alertname: 'ClawopsProbeFailing', exp_alerts: [] },
            {
              eval_time: '3m',
              alertname: 'ClawopsProbeFailing',
              exp_alerts: [
                {
                  exp_labels: { severity: 'error', job: 'clawops-probe', instance: 'prod' },
                  exp_annotations: { summary: 'clawops /probe of prod fails', description: 'Failing layer: tcp; verdict: refused.' },
                },
              ],
            },
            // Recovered at 5m: still firing through keep_firing_for (successThreshold × interval), saying what failed …
            {
              eval_time: '6m',
              alertname: 'ClawopsProbeFailing',
              exp_alerts: [
                {
                  exp_labels: { severity: 'error', job: 'clawops-probe', instance: 'prod' },
                  exp_annotations: { summary: 'clawops /probe of prod fails', description: 'Failing layer: tcp; verdict: refused.' },
                },
              ],
            },
            // … and resolved after it.
            { eval_time: '8m', alertname: 'ClawopsProbeFailing', exp_alerts: [] },
            {
              eval_time: '1m',
              alertname: 'ClawopsGatewayDown',
              exp_alerts: [
                {
                  exp_labels: { severity: 'error', job: 'clawops', instance: 'clawops:9464', gateway: 'staging', state: 'down' },
                  exp_annotations: {
                    summary: 'Gateway staging is DOWN (clawops alert policy)',
                    description:
                      "clawops' scheduled checks failed monitoring.alerts.failureThreshold times in a row. Verdict: auth-rejected. `/gateway check staging` in Slack shows the layers and what to do.",
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const file = join(dir, 'clawops-rules.test.yml');
    writeFileSync(file, stringify(tests));
    const run = promtool(['test', 'rules', file]);
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.code).toBe(0);
  });
});

describe('deploy/grafana/clawops-dashboard.json', () => {
  it('queries only metrics clawops exports (its /metrics, its /probe, Prometheus up)', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      uid: string;
      panels: Array<{ type: string; targets?: Array<{ expr: string }> }>;
      templating: { list: Array<{ query: unknown }> };
    };
    expect(dashboard.uid).toBe('clawops');
    const feature = createMetricsFeature({
      config: ConfigSchema.parse({ gateways: { prod: { url: 'ws://127.0.0.1:1' } } }),
      logger: createLogger({ level: 'silent' }),
      role: 'start',
    });
    const report = tcpFailure('refused');
    const exported = `${await feature.scrape()}\n${(await renderProbe(report, diagnose(report))).body}`;
    const names = new Set(
      [...exported.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
      ),
    );
    const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    expect(exprs.length).toBeGreaterThan(20);
    const FUNCTIONS = new Set([
      'sum',
      'max',
      'count',
      'by',
      'rate',
      'increase',
      'histogram_quantile',
      'time',
      'le',
      'layer',
      'gateway',
      'trigger',
      'queue',
      'state',
      'outcome',
      'id',
      'instance',
      'component',
      'source',
      'phase',
      'job',
      'label_values',
    ]);
    for (const expr of exprs) {
      const bare = expr.replace(/\{[^}]*\}/g, '').replace(/\[[^\]]*\]/g, '');
      for (const [word] of bare.matchAll(/[a-z_][a-z0-9_]*/g)) {
        if (FUNCTIONS.has(word)) continue;
        expect(names, `${word} in ${expr}`).toContain(word);
      }
    }
  });
});
