import type { Redis } from 'ioredis';
import { settleAll } from '../../settle-all.js';
import type { CheckResult } from '../../check/checker.js';
import type { CheckEnrichment } from '../../render/enrichment.js';
import type { Config } from '../../config/schema.js';
import { gatewayNames } from '../../config/targets.js';
import { diagnose } from '../../diagnosis/diagnose.js';
import type { SlackMessage } from '../../render/blocks.js';
import { renderDigest } from './render/digest-blocks.js';
import type { DigestSectionProvider } from '../../render/digest-section.js';
import type { HistoryView } from './render/history-blocks.js';
import { createAlertStateStore, type AlertStateStore } from './state/alert-state.js';
import type { CheckSource } from './state/history-entry.js';
import { handshakeQuantiles, incidentStats, uptimeOf, within } from './state/history-stats.js';
import { createHistoryStore, type HistoryStore } from './state/history.js';
import { createIncidentLog, type IncidentLog } from './state/incidents.js';
import type { LastStateStore } from '../../state/last-state.js';
import { createMaintenanceStore, type MaintenanceStore } from './state/maintenance.js';
import { unprovenVersionChange, type VersionView } from './state/versions.js';
import { collectDigest, type DigestRequest } from './digest-data.js';

/**
 * Everything monitoring keeps and reads, built once at the composition root from the config and
 * one Redis connection, and shared by the worker (record, alert) and the commands (history,
 * maintenance, digest). History also enriches verdicts: the last known good version goes into the
 * check target, and a version change the failure began with goes into the diagnosis context.
 */
export interface MonitoringServices {
  settings: Config['monitoring'];
  history: HistoryStore;
  incidents: IncidentLog;
  maintenance: MaintenanceStore;
  alerts: AlertStateStore;
  lastState: LastStateStore;
  enrichment: CheckEnrichment;
  /** Last state and history, for every result whatever asked for it. */
  record(result: CheckResult, source: CheckSource): Promise<void>;
  /** What history adds to a gateway's check target. */
  targetExtras(gateway: string): Promise<{ lastKnownGoodVersion?: string }>;
  historyView(gateway: string): Promise<HistoryView>;
  digest(request: Omit<DigestRequest, 'timeZone' | 'gateways'> & { timeZone?: string; gateways?: readonly string[] }): Promise<SlackMessage>;
  /** Gateways with a check schedule. */
  watched(): readonly string[];
}

export interface MonitoringDeps {
  config: Config;
  redis: Redis;
  prefix: string;
  lastState: LastStateStore;
  /** Contributed digest sections (tailnet, offboarding), read when a digest is built. */
  sections: () => readonly DigestSectionProvider[];
  /** How long a digest waits for each contributed section (default 10 s). */
  sectionTimeoutMs?: number;
  now: () => number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** How far apart a target's versions read and its probe's start may be and still be the same probe's. */
const SAME_PROBE_MS = 5_000;

export function createMonitoring(deps: MonitoringDeps): MonitoringServices {
  const settings = deps.config.monitoring;
  const retentionMs = settings.history.retentionDays * DAY_MS;
  const history = createHistoryStore({ redis: deps.redis, prefix: deps.prefix, settings: settings.history });
  const incidents = createIncidentLog({ redis: deps.redis, prefix: deps.prefix, retentionMs });
  const maintenance = createMaintenanceStore({ redis: deps.redis, prefix: deps.prefix });
  const alerts = createAlertStateStore({ redis: deps.redis, prefix: deps.prefix });
  const lastState = deps.lastState;
  // The config does not change while the process runs: the name lists are computed once.
  const configured = gatewayNames(deps.config);
  const watched = settings.enabled ? configured : [];

  // A probe reads its gateway's versions twice: targetExtras just before it (the last known good
  // goes into the target) and contextFor just after it (the diagnosis). The second takes the
  // first's answer when it is for the same probe and nothing this process recorded for the gateway
  // came between (a result is recorded after its diagnosis): one Redis round trip a check fewer.
  const versionsBeforeProbe = new Map<string, { readAt: number; view: VersionView }>();
  const versionsOf = async (gateway: string) => (await history.versions([gateway])).get(gateway) ?? {};

  const enrichment: CheckEnrichment = {
    async contextFor(report) {
      const gateway = report.gateway.name;
      const before = versionsBeforeProbe.get(gateway);
      versionsBeforeProbe.delete(gateway);
      const forThisProbe = before !== undefined && Math.abs(Date.parse(report.startedAt) - before.readAt) <= SAME_PROBE_MS;
      const change = unprovenVersionChange(forThisProbe ? before.view : await versionsOf(gateway));
      return change ? { versionChange: change } : {};
    },
  };

  return {
    settings,
    history,
    incidents,
    maintenance,
    alerts,
    lastState,
    enrichment,
    async record(result, source) {
      versionsBeforeProbe.delete(result.report.gateway.name);
      await settleAll([lastState.record(result), history.record(result, source)]);
    },
    async targetExtras(gateway) {
      const readAt = deps.now();
      const view = await versionsOf(gateway);
      versionsBeforeProbe.set(gateway, { readAt, view });
      return view.lastKnownGood ? { lastKnownGoodVersion: view.lastKnownGood.version } : {};
    },
    async historyView(gateway) {
      const now = deps.now();
      const [entries, hourly, failures, versions, changes, incidentLog, stored, window] = await Promise.all([
        history.recent(gateway, 15),
        history.hourly([gateway], now - 7 * DAY_MS, now),
        history.failures(gateway, settings.history.failureReports || 1),
        history.versions([gateway]),
        history.versionChanges([gateway], now - 7 * DAY_MS),
        incidents.list([gateway], now - 7 * DAY_MS),
        alerts.get([gateway]),
        maintenance.get(gateway, now),
      ]);
      const rollups = hourly.get(gateway) ?? [];
      // A failure report read back from history: its check's diagnosis is not kept (history keeps
      // the state and verdict id), so the headline is diagnosed again from the stored report.
      const latestFailure = failures[0];
      return {
        gateway,
        now,
        timeZone: settings.timeZone,
        entries,
        uptime24h: uptimeOf(within(rollups, now - DAY_MS, now)),
        uptime7d: uptimeOf(rollups),
        handshake24h: handshakeQuantiles(within(rollups, now - DAY_MS, now)),
        incidents7d: incidentStats(incidentLog.get(gateway) ?? [], now - 7 * DAY_MS, now),
        versions: versions.get(gateway) ?? {},
        changes: changes.get(gateway) ?? [],
        ...(stored.get(gateway) ? { alert: stored.get(gateway)!.state } : {}),
        ...(window ? { maintenance: window } : {}),
        failures: { kept: failures.length, ...(latestFailure ? { latest: { at: latestFailure.at, headline: diagnose(latestFailure.report).headline } } : {}) },
        scheduled: settings.enabled,
      };
    },
    async digest(request) {
      const gateways = request.gateways ?? configured;
      const data = await collectDigest(
        {
          history,
          incidents,
          maintenance,
          alerts,
          lastState,
          sections: deps.sections,
          ...(deps.sectionTimeoutMs ? { sectionTimeoutMs: deps.sectionTimeoutMs } : {}),
        },
        { ...request, gateways, timeZone: request.timeZone ?? settings.timeZone },
      );
      return renderDigest(data);
    },
    watched() {
      return watched;
    },
  };
}
