import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Config } from '../../config/schema.js';
import { gatewayNames } from '../../config/targets.js';
import type { CheckResult } from '../../check/checker.js';
import type { Diagnosis } from '../../diagnosis/verdict.js';
import type { Readiness } from '../../health/readiness.js';
import type { Logger } from '../../log.js';
import { firstFailedLayer, LAYER_ORDER, layerOf } from '../../report/layer-order.js';
import type { ProbeReport } from '../../report/report.js';
import type { LastState } from '../../state/last-state.js';
import { CLAWOPS_VERSION } from '../../version.js';
import { cachedRefresh } from './cached.js';
import { createCatalog } from './catalog.js';
import { ALERT_STATES, gatewayGuard, GATEWAY_STATES, JOB_STATES, SWEEP_OUTCOMES, verdictLabel, versionLabel, type Trigger } from './labels.js';
import { createProbeEndpoint, type Prober } from './probe-endpoint.js';

/**
 * The metrics feature: `/metrics` (prom-client on a registry of this process, with Node's default
 * metrics) and the blackbox-style `/probe`, served beside `/healthz` and `/readyz` on
 * CLAWOPS_METRICS_ADDR. The composition root calls the hooks where things happen (a probe ran, a
 * check was answered, a post is retried…) and attaches what is read on scrape (queues, the shared
 * state in Redis) as it builds it; those reads are cached (`metrics.cacheSeconds`).
 */
export interface MetricsHooks {
  /**
   * A probe this process ran (not one it received from another worker): layer timings now, and its
   * verdicts from `diagnosis`. The composition root calls it as the probe ends, before the check has
   * diagnosed it (diagnosis runs once, with the check's context): without a diagnosis, the verdicts
   * are counted when the check it answers is (`answered` with this same report).
   */
  probed(report: ProbeReport, diagnosis?: Diagnosis): void;
  /** A check was answered to whoever asked (`probe`: the /probe endpoint), with the diagnosis it showed. */
  answered(result: CheckResult, trigger: Trigger): void;
  /** Something was asked that is not a probe of ours (`agent`: host checks asked of a host agent). */
  triggered(trigger: Trigger): void;
  coalesced(gateway: string): void;
  postRetried(): void;
  postGivenUp(): void;
  placeholdersSwept(counts: Record<string, number>): void;
}

export interface QueueCounts {
  name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

/** An alert state as the monitoring feature stores it (only what is exported). */
export interface StoredAlert {
  state: { phase: string; incident?: unknown };
}

export interface StateSources {
  lastState?: () => Promise<Map<string, LastState>>;
  alerts?: () => Promise<Map<string, StoredAlert>>;
  /** Open offboarding checklists: how many, and when the oldest was opened (ms since the epoch). */
  checklists?: () => Promise<{ open: number; oldestOpenedAt?: number }>;
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

export interface MetricsFeatureDeps {
  config: Config;
  logger: Logger;
  role: 'start' | 'bot' | 'worker';
  readiness?: Readiness;
  now?: () => number;
}

export interface MetricsFeature {
  registry: Registry;
  hooks: MetricsHooks;
  attachQueues(queues: readonly QueueCounts[]): void;
  attachState(sources: StateSources): void;
  attachProber(prober: Prober): void;
  /** `/metrics` and `/probe`, for the health server. */
  routes: Record<string, Route>;
  /** The exposition as `/metrics` serves it (after refreshing the cached sources). */
  scrape(): Promise<string>;
}

/** How often the event-loop lag histogram samples (see collectDefaultMetrics below). */
export const EVENT_LOOP_SAMPLE_MS = 100;

export function createMetricsFeature(deps: MetricsFeatureDeps): MetricsFeature {
  const now = deps.now ?? Date.now;
  const registry = new Registry();
  // The event-loop lag histogram samples with a timer of its own: prom-client's 10 ms default woke an idle
  // worker 100 times a second (~1 % of a core doing nothing, measured with strace and /proc). 100 ms still
  // takes 600 samples between two scrapes a minute apart; a stall longer than that is caught either way.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  // prom-client's gauges named `…_total` break the convention (promtool check metrics warns); each is
  // the sum of its labelled twin (`nodejs_active_handles{type}` …), so nothing is lost without them.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
  const metrics = createCatalog(registry);
  const configured = gatewayNames(deps.config);
  const isGateway = gatewayGuard(configured);
  const lastSuccessAt = new Map<string, number>();
  const queues: QueueCounts[] = [];
  let state: StateSources = {};
  let prober: Prober | undefined;
  const ttlMs = deps.config.metrics.cacheSeconds * 1_000;

  metrics.buildInfo.set({ version: CLAWOPS_VERSION, role: deps.role }, 1);
  // Counters start at 0 for every value of their closed sets, so `rate()` and `increase()` see the first event.
  for (const outcome of SWEEP_OUTCOMES) metrics.stalePlaceholders.inc({ outcome }, 0);

  const noteSuccess = ({ report, diagnosis }: CheckResult) => {
    if (!isGateway(report.gateway.name) || diagnosis.state === 'unhealthy') return;
    const at = Date.parse(report.startedAt);
    if (Number.isFinite(at) && at > (lastSuccessAt.get(report.gateway.name) ?? 0)) lastSuccessAt.set(report.gateway.name, at);
  };
  const countVerdicts = (diagnosis: Diagnosis) => {
    for (const verdict of diagnosis.verdicts) metrics.verdicts.inc({ id: verdictLabel(verdict.id) });
  };
  // Probes run here whose verdicts wait for their check's diagnosis. The coalescer hands the same
  // report object to every request in this process it answers: the first answer counts them, once.
  const verdictsPending = new WeakSet<ProbeReport>();

  const hooks: MetricsHooks = {
    probed(report, diagnosis) {
      const gateway = report.gateway.name;
      if (!isGateway(gateway)) return;
      metrics.probes.inc({ gateway });
      for (const name of LAYER_ORDER) {
        const layer = layerOf(report, name);
        if (!layer || layer.status === 'skipped' || layer.status === 'not-reached') continue;
        metrics.layerDuration.observe({ gateway, layer: name }, layer.durationMs / 1_000);
      }
      const failed = firstFailedLayer(report);
      if (failed) metrics.layerFailures.inc({ gateway, layer: failed.layer });
      if (diagnosis) countVerdicts(diagnosis);
      else verdictsPending.add(report);
    },
    answered(result, trigger) {
      metrics.checks.inc({ trigger });
      noteSuccess(result);
      if (verdictsPending.delete(result.report)) countVerdicts(result.diagnosis);
    },
    triggered(trigger) {
      metrics.checks.inc({ trigger });
    },
    coalesced(gateway) {
      if (isGateway(gateway)) metrics.coalesced.inc({ gateway });
    },
    postRetried: () => metrics.postRetries.inc(),
    postGivenUp: () => metrics.postsGivenUp.inc(),
    placeholdersSwept(counts) {
      for (const outcome of SWEEP_OUTCOMES) if (counts[outcome]) metrics.stalePlaceholders.inc({ outcome }, counts[outcome]);
    },
  };

  const readQueues = cachedRefresh(
    async () => {
      if (queues.length === 0) return;
      try {
        const counts = await Promise.all(queues.map(async (queue) => ({ name: queue.name, counts: await queue.getJobCounts(...JOB_STATES) })));
        for (const { name, counts: byState } of counts)
          for (const jobState of JOB_STATES) metrics.queueJobs.set({ queue: name, state: jobState }, byState[jobState] ?? 0);
        metrics.sourceUp.set({ source: 'queues' }, 1);
      } catch (error) {
        // The last values stay: a Redis blip is not "the queues are empty".
        deps.logger.debug({ err: error }, 'metrics: could not read the queue depths');
        metrics.sourceUp.set({ source: 'queues' }, 0);
      }
    },
    ttlMs,
    now,
  );

  const readState = cachedRefresh(
    async () => {
      if (!state.lastState && !state.alerts && !state.checklists) return;
      try {
        const [last, alerts, checklists] = await Promise.all([state.lastState?.(), state.alerts?.(), state.checklists?.()]);
        if (last) applyLastState(last);
        if (alerts) applyAlerts(alerts);
        if (checklists) {
          metrics.checklistsOpen.set(checklists.open);
          metrics.checklistOldestAge.set(checklists.oldestOpenedAt === undefined ? 0 : Math.max(0, (now() - checklists.oldestOpenedAt) / 1_000));
        }
        metrics.sourceUp.set({ source: 'state' }, 1);
      } catch (error) {
        deps.logger.debug({ err: error }, 'metrics: could not read the shared state');
        metrics.sourceUp.set({ source: 'state' }, 0);
      }
    },
    ttlMs,
    now,
  );

  function applyLastState(last: Map<string, LastState>) {
    // Reset first: a verdict or version that is no longer current must not linger as a second series.
    metrics.gatewayVerdict.reset();
    metrics.gatewayVersion.reset();
    for (const [gateway, entry] of last) {
      if (!isGateway(gateway)) continue;
      const at = Date.parse(entry.at);
      metrics.gatewayUp.set({ gateway }, entry.state === 'unhealthy' ? 0 : 1);
      for (const name of GATEWAY_STATES) metrics.gatewayState.set({ gateway, state: name }, name === entry.state ? 1 : 0);
      metrics.gatewayVerdict.set({ gateway, id: verdictLabel(entry.verdict) }, 1);
      metrics.gatewayVersion.set({ gateway, version: versionLabel(entry.version) }, 1);
      if (Number.isFinite(at)) {
        metrics.gatewayLastCheck.set({ gateway }, at / 1_000);
        if (entry.state !== 'unhealthy' && at > (lastSuccessAt.get(gateway) ?? 0)) lastSuccessAt.set(gateway, at);
      }
    }
    for (const [gateway, at] of lastSuccessAt) metrics.gatewayLastSuccess.set({ gateway }, at / 1_000);
  }

  function applyAlerts(alerts: Map<string, StoredAlert>) {
    let open = 0;
    for (const [subject, stored] of alerts) {
      // The alert policy also watches clawops' own network (`_network`): not a gateway, not exported per gateway.
      if (!isGateway(subject)) continue;
      for (const phase of ALERT_STATES) metrics.alertState.set({ gateway: subject, state: phase }, phase === stored.state.phase ? 1 : 0);
      if ((stored.state.phase === 'down' || stored.state.phase === 'recovering') && stored.state.incident) open += 1;
    }
    metrics.incidentsOpen.set(open);
  }

  function applyReadiness() {
    if (!deps.readiness) return;
    metrics.ready.reset();
    const snapshot = deps.readiness.snapshot();
    for (const [component, value] of Object.entries(snapshot.components)) metrics.ready.set({ component }, value.ok ? 1 : 0);
  }

  const scrape = async () => {
    await Promise.all([readQueues(), readState()]);
    applyReadiness();
    return registry.metrics();
  };

  const probe = createProbeEndpoint({
    gateways: configured,
    targets: deps.config.metrics.probe.targets,
    maxConcurrent: deps.config.metrics.probe.maxConcurrent,
    prober: () => prober,
    onAnswered: (result) => hooks.answered(result, 'probe'),
    logger: deps.logger,
  });

  return {
    registry,
    hooks,
    attachQueues: (list) => void queues.push(...list),
    attachState: (sources) => void (state = { ...state, ...sources }),
    attachProber: (value) => void (prober = value),
    scrape,
    routes: {
      '/metrics': async (_req, res) => {
        try {
          const body = await scrape();
          res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body);
        } catch (error) {
          deps.logger.error({ err: error }, 'metrics: the exposition failed');
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('the metrics exposition failed (see the log)\n');
        }
      },
      '/probe': probe,
    },
  };
}
