import { NETWORK_SUBJECT } from './alerts/decide.js';
import type { DigestData, GatewayDigest } from './render/digest-blocks.js';
import type { DigestSection, DigestSectionProvider } from '../../render/digest-section.js';
import type { AlertStateStore } from './state/alert-state.js';
import { handshakeQuantiles, incidentStats, uptimeOf } from './state/history-stats.js';
import type { HistoryStore } from './state/history.js';
import type { IncidentLog } from './state/incidents.js';
import type { LastStateStore } from '../../state/last-state.js';
import type { MaintenanceStore } from './state/maintenance.js';

/**
 * Reads what a digest says about a period from the stores (in a few pipelined round trips, even
 * for 500 gateways) and asks every contributed section provider for its part, each bounded in
 * time: a provider that fails or hangs becomes one line, never a missing digest.
 */
export interface DigestSources {
  history: HistoryStore;
  incidents: IncidentLog;
  maintenance: MaintenanceStore;
  alerts: AlertStateStore;
  lastState: LastStateStore;
  sections: () => readonly DigestSectionProvider[];
  sectionTimeoutMs?: number;
}

export interface DigestRequest {
  gateways: readonly string[];
  fromMs: number;
  toMs: number;
  timeZone: string;
  title?: string;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function collectDigest(sources: DigestSources, request: DigestRequest): Promise<DigestData> {
  const { gateways, fromMs, toMs } = request;
  const [hourly, incidents, changes, versions, windows, alerts, lastStates] = await Promise.all([
    sources.history.hourly(gateways, fromMs, toMs),
    sources.incidents.list(gateways, fromMs),
    sources.history.versionChanges(gateways, fromMs),
    sources.history.versions(gateways),
    sources.maintenance.open(toMs),
    sources.alerts.all(),
    sources.lastState.all(),
  ]);

  const digests: GatewayDigest[] = gateways.map((name) => {
    const rollups = hourly.get(name) ?? [];
    const alert = alerts.get(name)?.state;
    const last = lastStates.get(name);
    const handshake = handshakeQuantiles(rollups);
    const openIncident =
      alert?.incident && (alert.phase === 'down' || alert.phase === 'recovering')
        ? { startedAt: alert.incident.startedAt, verdict: alert.incident.verdict }
        : undefined;
    const maintenance = windows.get(name);
    const version = versions.get(name)?.lastSeen?.version;
    return {
      name,
      phase: alert?.phase ?? 'ok',
      ...(last ? { lastState: last.state, ...(last.verdict && last.state !== 'healthy' ? { lastVerdict: last.verdict } : {}) } : {}),
      ...(openIncident ? { incident: openIncident } : {}),
      uptime: uptimeOf(rollups),
      incidents: incidentStats(incidents.get(name) ?? [], fromMs, toMs),
      ...(handshake.p95 !== undefined ? { p95HandshakeMs: handshake.p95 } : {}),
      versionChanges: (changes.get(name) ?? []).filter((change) => change.at <= toMs),
      ...(version ? { version } : {}),
      ...(maintenance ? { maintenance } : {}),
    };
  });

  const fleet = handshakeQuantiles([...hourly.values()].flat());
  const network = alerts.get(NETWORK_SUBJECT)?.state;
  const sections: DigestSection[] = [];
  const sectionProblems: DigestData['sectionProblems'] = [];
  const providers = sources.sections();
  const built = await Promise.allSettled(providers.map((provider) => withTimeout(provider.build({ fromMs, toMs }), sources.sectionTimeoutMs ?? 10_000)));
  built.forEach((outcome, index) => {
    const name = providers[index]!.name;
    if (outcome.status === 'fulfilled') {
      if (outcome.value) sections.push(outcome.value);
    } else {
      sectionProblems.push({ name, message: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason) });
    }
  });

  return {
    fromMs,
    toMs,
    timeZone: request.timeZone,
    gateways: digests,
    ...(fleet.p95 !== undefined ? { fleetP95HandshakeMs: fleet.p95 } : {}),
    ...(network?.incident && network.phase !== 'ok' && network.phase !== 'pending' ? { networkLostSince: network.incident.startedAt } : {}),
    sections,
    sectionProblems,
    ...(request.title ? { title: request.title } : {}),
  };
}
