import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Every metric clawops exports, on one registry per process (never prom-client's global one), named
 * by Prometheus conventions: `clawops_` prefix, base units (`_seconds`), `_total` on counters,
 * `_info` for value-1 metrics whose labels carry the information, `_timestamp_seconds` for times.
 * The label sets are bounded (labels.ts); the README's "Metrics" section lists them.
 */
export const LAYER_BUCKETS_SECONDS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createCatalog(registry: Registry) {
  const registers = [registry];
  return {
    // Per gateway: what its last check said (read from the shared last-state, so every process agrees).
    gatewayUp: new Gauge({
      name: 'clawops_gateway_up',
      help: 'Whether the last check of the gateway succeeded (healthy or degraded: 1, unhealthy: 0).',
      labelNames: ['gateway'],
      registers,
    }),
    gatewayState: new Gauge({
      name: 'clawops_gateway_state',
      help: 'The state of the last check, one series per state (1 for the current one).',
      labelNames: ['gateway', 'state'],
      registers,
    }),
    gatewayVerdict: new Gauge({
      name: 'clawops_gateway_verdict_info',
      help: 'The decisive verdict id of the last check (none when healthy).',
      labelNames: ['gateway', 'id'],
      registers,
    }),
    gatewayVersion: new Gauge({
      name: 'clawops_gateway_version_info',
      help: 'The OpenClaw version the gateway last reported (unknown when it did not).',
      labelNames: ['gateway', 'version'],
      registers,
    }),
    gatewayLastCheck: new Gauge({
      name: 'clawops_gateway_last_check_timestamp_seconds',
      help: 'When the last check of the gateway started.',
      labelNames: ['gateway'],
      registers,
    }),
    gatewayLastSuccess: new Gauge({
      name: 'clawops_gateway_last_success_timestamp_seconds',
      help: 'When the last successful check of the gateway started (seen by this process or recorded last).',
      labelNames: ['gateway'],
      registers,
    }),
    // Per layer, per probe this process ran.
    layerDuration: new Histogram({
      name: 'clawops_layer_duration_seconds',
      help: 'Time each attempted layer of a probe took.',
      labelNames: ['gateway', 'layer'],
      buckets: LAYER_BUCKETS_SECONDS,
      registers,
    }),
    layerFailures: new Counter({
      name: 'clawops_layer_failures_total',
      help: 'Probes whose first failed layer was this one.',
      labelNames: ['gateway', 'layer'],
      registers,
    }),
    probes: new Counter({ name: 'clawops_probes_total', help: 'Probes this process ran (a coalesced request runs none).', labelNames: ['gateway'], registers }),
    checks: new Counter({
      name: 'clawops_checks_total',
      help: 'Checks answered, by what asked for them (slash, button, schedule, probe; agent: host checks asked of a host agent).',
      labelNames: ['trigger'],
      registers,
    }),
    coalesced: new Counter({
      name: 'clawops_coalesced_probes_total',
      help: 'Requests answered by a probe already running or just finished for the same gateway.',
      labelNames: ['gateway'],
      registers,
    }),
    verdicts: new Counter({
      name: 'clawops_verdicts_total',
      help: 'Verdicts of the probes this process ran, by symptom-table id.',
      labelNames: ['id'],
      registers,
    }),
    // Queues and posting.
    queueJobs: new Gauge({
      name: 'clawops_queue_jobs',
      help: 'Jobs per BullMQ queue and state (read from Redis, cached).',
      labelNames: ['queue', 'state'],
      registers,
    }),
    postRetries: new Counter({
      name: 'clawops_post_retries_total',
      help: 'Failed attempts to post an answer to Slack that are retried within the post window.',
      registers,
    }),
    postsGivenUp: new Counter({
      name: 'clawops_posts_given_up_total',
      help: 'Answers whose post window closed before Slack took them (the sweeper tries once more).',
      registers,
    }),
    stalePlaceholders: new Counter({
      name: 'clawops_stale_placeholders_swept_total',
      help: 'Stale "checking…" placeholders the sweeper settled, by how.',
      labelNames: ['outcome'],
      registers,
    }),
    // Alerts and offboarding (read from Redis, cached).
    alertState: new Gauge({
      name: 'clawops_alert_state',
      help: "The alert policy's phase per gateway, one series per phase (1 for the current one).",
      labelNames: ['gateway', 'state'],
      registers,
    }),
    incidentsOpen: new Gauge({ name: 'clawops_alert_incidents_open', help: 'Incidents open (gateways down or recovering).', registers }),
    checklistsOpen: new Gauge({ name: 'clawops_offboarding_checklists_open', help: 'Offboarding checklists not yet marked done.', registers }),
    checklistOldestAge: new Gauge({
      name: 'clawops_offboarding_oldest_checklist_age_seconds',
      help: 'Age of the oldest open offboarding checklist (0 when none is open).',
      registers,
    }),
    // The process.
    ready: new Gauge({
      name: 'clawops_ready',
      help: 'Whether each part of the process is ready (what /readyz answers).',
      labelNames: ['component'],
      registers,
    }),
    sourceUp: new Gauge({
      name: 'clawops_metrics_source_up',
      help: 'Whether the last read of a cached source (queues, state) from Redis succeeded.',
      labelNames: ['source'],
      registers,
    }),
    buildInfo: new Gauge({ name: 'clawops_build_info', help: 'The running clawops build.', labelNames: ['version', 'role'], registers }),
  };
}
export type Catalog = ReturnType<typeof createCatalog>;
