import { createMonitoring, type MonitoringDeps, type MonitoringServices } from './services.js';

/**
 * Monitoring as one slice: history, incidents, maintenance windows, alert state and digests
 * (services.ts), contributing the verdict enrichment (a version change the failure began with),
 * what history adds to a check target, and the services `/gateway history|maintenance|digest` and
 * the scheduled-check, alert and digest jobs (jobs/monitoring-workers.ts) run on.
 */
export type MonitoringFeature = MonitoringServices;
export type MonitoringFeatureDeps = MonitoringDeps;

export function createMonitoringFeature(deps: MonitoringFeatureDeps): MonitoringFeature {
  return createMonitoring(deps);
}
