import type { CheckResult } from '../../../check/checker.js';
import type { Logger } from '../../../log.js';
import type { AlertStateStore, StoredAlert } from '../state/alert-state.js';
import type { IncidentLog } from '../state/incidents.js';
import type { MaintenanceStore } from '../state/maintenance.js';
import { decide, NETWORK_SUBJECT } from './decide.js';
import { outcomeOf, type LatestOutcome } from './outcome.js';
import { INITIAL_STATE, type AlertPolicy, type AlertPost } from './policy.js';

/**
 * The impure shell around the alert policy: for each scheduled result, read the states, decide
 * (PURE: clawops' network first, then the gateway), hand the posts to the queue, log incidents,
 * and save if nothing read changed meanwhile (else read and decide again).
 */

/** A result that no longer speaks for its gateway after this many check intervals. */
const FRESH_INTERVALS = 3;

export interface Monitor {
  observe(result: CheckResult): Promise<{ posts: AlertPost[]; skipped?: 'duplicate' }>;
}

export interface MonitorDeps {
  store: AlertStateStore;
  incidents: IncidentLog;
  maintenance: MaintenanceStore;
  policy: AlertPolicy;
  /** Whether an alert channel is configured. */
  canPost: boolean;
  /** Gateways on a schedule, and each one's interval. */
  watched: () => readonly string[];
  intervalMs: (gateway: string) => number;
  enqueue: (posts: AlertPost[], result: CheckResult) => Promise<void>;
  now: () => number;
  logger: Logger;
}

/** Conflicting saves in a row before a step gives up (each conflict is another result landing). */
const MAX_ATTEMPTS = 5;

export function createMonitor(deps: MonitorDeps): Monitor {
  return {
    async observe(result) {
      const gateway = result.report.gateway.name;
      const probeAt = Date.parse(result.report.startedAt);
      const maintenance = deps.maintenance.get(gateway, deps.now()).then((window) => window !== undefined);
      for (let attempt = 1; ; attempt++) {
        const at = deps.now();
        const [snapshot, inMaintenance] = await Promise.all([deps.store.snapshot([gateway, NETWORK_SUBJECT]), maintenance]);
        const gatewayStored = snapshot.states.get(gateway) ?? { state: INITIAL_STATE };
        const networkStored = snapshot.states.get(NETWORK_SUBJECT) ?? { state: INITIAL_STATE };
        if (gatewayStored.lastProbeAt === probeAt) return { posts: [], skipped: 'duplicate' as const };

        const outcome = outcomeOf(result, at);
        const latest: LatestOutcome = { at, network: outcome.network, freshUntil: at + FRESH_INTERVALS * deps.intervalMs(gateway) };
        // The fleet is read only when this result could make the self-check fail.
        const fleet = outcome.network && !result.diagnosis.suppressed ? await deps.store.latest() : new Map<string, LatestOutcome>();
        fleet.set(gateway, latest);
        const decision = decide({
          gateway,
          outcome,
          botNodeOffline: result.diagnosis.suppressed,
          gatewayState: gatewayStored.state,
          networkState: networkStored.state,
          fleet,
          watched: deps.watched(),
          maintenance: inMaintenance,
          canPost: deps.canPost,
          policy: deps.policy,
        });

        // Posts first, with ids derived from the incident: if the save below loses (or the process
        // dies), deciding again enqueues the same jobs, which BullMQ ignores.
        if (decision.posts.length > 0) await deps.enqueue(decision.posts, result);
        if (decision.network.incident) await deps.incidents.save(NETWORK_SUBJECT, decision.network.incident);
        if (decision.gateway.incident) await deps.incidents.save(gateway, decision.gateway.incident);
        const next = new Map<string, StoredAlert>([[gateway, { state: decision.gateway.state, lastProbeAt: probeAt }]]);
        if (JSON.stringify(decision.network.state) !== JSON.stringify(networkStored.state)) next.set(NETWORK_SUBJECT, { state: decision.network.state });
        if (await deps.store.saveIf(snapshot, next, { gateway, outcome: latest })) {
          for (const post of decision.posts)
            deps.logger.info({ subject: post.subject, kind: post.kind, verdict: post.verdict, incident: post.incidentId }, 'alert decided');
          return { posts: decision.posts };
        }
        if (attempt >= MAX_ATTEMPTS) throw new Error(`the alert state of ${gateway} kept changing while it was evaluated (${attempt} attempts)`);
      }
    },
  };
}
