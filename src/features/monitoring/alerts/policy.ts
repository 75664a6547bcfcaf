import * as z from 'zod';

/**
 * The alert policy, apart from probing (as Gatus keeps it): a PURE state machine per watched
 * thing (a gateway, or clawops' own network) that turns a stream of scheduled results into the few
 * posts a person should see.
 *
 *   OK ──fail──▶ PENDING ──fail ×(failureThreshold)──▶ DOWN ──ok──▶ RECOVERING ──ok ×(successThreshold)──▶ OK
 *    ▲              │ok                                  ▲  │fail (reminder / verdict change)  │fail
 *    └──────────────┘                                    └──┴───────────────────────────────────┘
 *
 * Posts: the alert on the transition to DOWN; in its thread, a reminder at most every
 * `reminderIntervalMs`, a note when the verdict changes, and the resolve. A flapping gateway stays
 * in one incident (RECOVERING falls back to DOWN without a new alert). Maintenance silences every
 * post except the resolve of an incident already alerted; an incident that began silenced is
 * alerted on the first result after the window if it is still down. While clawops' own network is
 * suspect, a gateway's network-level failures are held (they say nothing about the gateway).
 * Time comes in with each outcome: no clock inside.
 */
export const PHASES = ['ok', 'pending', 'down', 'recovering'] as const;
export type Phase = (typeof PHASES)[number];

export const IncidentStateSchema = z.object({
  /** Stable: names the incident's posts, so a retried step never posts twice. */
  id: z.string(),
  /** The first failed check of the streak that became this incident. */
  startedAt: z.number().int(),
  downAt: z.number().int(),
  verdict: z.string(),
  /** The alert was posted (false: it began silenced, by maintenance or with no channel). */
  alerted: z.boolean(),
  lastNotifiedAt: z.number().int().optional(),
  reminders: z.number().int().nonnegative(),
  changes: z.number().int().nonnegative(),
});
export type IncidentState = z.infer<typeof IncidentStateSchema>;

export const AlertStateSchema = z.object({
  phase: z.enum(PHASES),
  failures: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  firstFailureAt: z.number().int().optional(),
  firstSuccessAt: z.number().int().optional(),
  incident: IncidentStateSchema.optional(),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

export const INITIAL_STATE: AlertState = { phase: 'ok', failures: 0, successes: 0 };

export interface Outcome {
  at: number;
  failed: boolean;
  /** The decisive verdict of a failed check. */
  verdict?: string;
  /** Failed below the gateway: DNS, the tailnet, a TCP timeout — what clawops' own network would cause. */
  network: boolean;
}

export interface StepContext {
  maintenance: boolean;
  /** clawops' own network is suspect (its watcher is not OK). */
  networkSuspect: boolean;
  /** Whether there is a channel to alert in; without one, incidents are tracked silently. */
  canPost: boolean;
}

export interface AlertPolicy {
  failureThreshold: number;
  successThreshold: number;
  /** 0: no reminders. */
  reminderIntervalMs: number;
}

interface PostBase {
  subject: string;
  incidentId: string;
  verdict: string;
  startedAt: number;
  at: number;
}
export type AlertPost =
  | (PostBase & { kind: 'alert'; failures: number })
  | (PostBase & { kind: 'reminder'; n: number })
  | (PostBase & { kind: 'verdict-changed'; from: string; n: number })
  | (PostBase & { kind: 'resolved'; endedAt: number });

/** The incident as the log keeps it (opened, changed or closed by this step). */
export interface IncidentChange {
  id: string;
  startedAt: number;
  endedAt?: number;
  verdict: string;
  alerted: boolean;
}

export interface Step {
  state: AlertState;
  posts: AlertPost[];
  incident?: IncidentChange;
}

export function incidentId(subject: string, startedAt: number): string {
  return `${subject}-${startedAt}`;
}

export function step(subject: string, state: AlertState, outcome: Outcome, ctx: StepContext, policy: AlertPolicy): Step {
  if (outcome.failed && outcome.network && ctx.networkSuspect) return { state, posts: [] };
  const notify = ctx.canPost && !ctx.maintenance;
  const { at } = outcome;

  if (state.phase === 'ok' || state.phase === 'pending' || !state.incident) {
    if (!outcome.failed) return { state: INITIAL_STATE, posts: [] };
    const failures = (state.phase === 'pending' ? state.failures : 0) + 1;
    const firstFailureAt = state.phase === 'pending' ? (state.firstFailureAt ?? at) : at;
    if (failures < policy.failureThreshold) return { state: { phase: 'pending', failures, successes: 0, firstFailureAt }, posts: [] };
    const verdict = outcome.verdict ?? 'unhealthy';
    const incident: IncidentState = {
      id: incidentId(subject, firstFailureAt),
      startedAt: firstFailureAt,
      downAt: at,
      verdict,
      alerted: notify,
      ...(notify ? { lastNotifiedAt: at } : {}),
      reminders: 0,
      changes: 0,
    };
    return {
      state: { phase: 'down', failures, successes: 0, firstFailureAt, incident },
      posts: notify ? [{ kind: 'alert', subject, incidentId: incident.id, verdict, startedAt: firstFailureAt, at, failures }] : [],
      incident: record(incident),
    };
  }

  const incident = { ...state.incident };
  if (outcome.failed) {
    const posts: AlertPost[] = [];
    let changed = false;
    const verdict = outcome.verdict ?? incident.verdict;
    if (verdict !== incident.verdict) {
      const from = incident.verdict;
      incident.verdict = verdict;
      incident.changes += 1;
      changed = true;
      if (incident.alerted && notify) {
        posts.push({ kind: 'verdict-changed', subject, incidentId: incident.id, verdict, from, startedAt: incident.startedAt, at, n: incident.changes });
        incident.lastNotifiedAt = at;
      }
    }
    if (!incident.alerted && notify) {
      // It went down while silenced and is still down now that it may be said.
      incident.alerted = true;
      incident.lastNotifiedAt = at;
      changed = true;
      posts.push({
        kind: 'alert',
        subject,
        incidentId: incident.id,
        verdict: incident.verdict,
        startedAt: incident.startedAt,
        at,
        failures: state.failures + 1,
      });
    } else if (
      incident.alerted &&
      notify &&
      posts.length === 0 &&
      policy.reminderIntervalMs > 0 &&
      at - (incident.lastNotifiedAt ?? incident.downAt) >= policy.reminderIntervalMs
    ) {
      incident.reminders += 1;
      incident.lastNotifiedAt = at;
      posts.push({ kind: 'reminder', subject, incidentId: incident.id, verdict: incident.verdict, startedAt: incident.startedAt, at, n: incident.reminders });
    }
    const { firstSuccessAt: _dropped, ...rest } = state;
    return {
      state: { ...rest, phase: 'down', failures: state.failures + 1, successes: 0, incident },
      posts,
      ...(changed ? { incident: record(incident) } : {}),
    };
  }

  const successes = (state.phase === 'recovering' ? state.successes : 0) + 1;
  const firstSuccessAt = state.phase === 'recovering' ? (state.firstSuccessAt ?? at) : at;
  if (successes < policy.successThreshold) return { state: { ...state, phase: 'recovering', successes, firstSuccessAt, incident }, posts: [] };
  // The resolve closes a thread people have read, so it is posted even during maintenance.
  const posts: AlertPost[] =
    incident.alerted && ctx.canPost
      ? [{ kind: 'resolved', subject, incidentId: incident.id, verdict: incident.verdict, startedAt: incident.startedAt, at, endedAt: firstSuccessAt }]
      : [];
  return { state: INITIAL_STATE, posts, incident: { ...record(incident), endedAt: firstSuccessAt } };
}

function record(incident: IncidentState): IncidentChange {
  return { id: incident.id, startedAt: incident.startedAt, verdict: incident.verdict, alerted: incident.alerted };
}
