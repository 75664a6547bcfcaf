import { Gauge, Registry } from 'prom-client';
import type { Diagnosis } from '../../diagnosis/verdict.js';
import { LAYER_ORDER, layerOf } from '../../report/layer-order.js';
import type { ProbeReport } from '../../report/report.js';
import { GATEWAY_STATES, verdictLabel } from './labels.js';

/**
 * One `/probe` answer in blackbox_exporter's shape, on a registry of its own (a probe's series
 * belong to that scrape only): `probe_success`, `probe_duration_seconds` (the whole check, and
 * `{phase=<layer>}` per attempted layer), `clawops_probe_verdict{id}`, and which layers held.
 * Prometheus attaches the gateway as `instance` through relabelling, so no series here names it.
 */
export async function renderProbe(report: ProbeReport, diagnosis: Diagnosis): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const registers = [registry];
  const success = new Gauge({ name: 'probe_success', help: 'Whether the check succeeded (healthy or degraded: 1, unhealthy: 0).', registers });
  const duration = new Gauge({
    name: 'probe_duration_seconds',
    help: 'How long the check took; with phase, each attempted layer of the ladder.',
    labelNames: ['phase'],
    registers,
  });
  const verdict = new Gauge({
    name: 'clawops_probe_verdict',
    help: 'The verdicts of the check by symptom-table id (none when healthy).',
    labelNames: ['id'],
    registers,
  });
  const layerSuccess = new Gauge({
    name: 'clawops_probe_layer_success',
    help: 'Whether each attempted layer held (ok or warn: 1, failed: 0).',
    labelNames: ['layer'],
    registers,
  });
  const state = new Gauge({
    name: 'clawops_probe_state',
    help: 'The state of the check, one series per state (1 for the current one).',
    labelNames: ['state'],
    registers,
  });

  success.set(diagnosis.state === 'unhealthy' ? 0 : 1);
  duration.set(report.durationMs / 1_000);
  for (const name of LAYER_ORDER) {
    const layer = layerOf(report, name);
    if (!layer || layer.status === 'skipped' || layer.status === 'not-reached') continue;
    duration.set({ phase: name }, layer.durationMs / 1_000);
    layerSuccess.set({ layer: name }, layer.status === 'failed' ? 0 : 1);
  }
  const ids = new Set(diagnosis.verdicts.map((item) => verdictLabel(item.id)));
  if (ids.size === 0) ids.add('none');
  for (const id of ids) verdict.set({ id }, 1);
  for (const name of GATEWAY_STATES) state.set({ state: name }, name === diagnosis.state ? 1 : 0);
  return { contentType: registry.contentType, body: await registry.metrics() };
}
