/**
 * The alert policy as a table: a sequence of scheduled results (and restarts, maintenance
 * windows, a lost network) → the posts a person sees. Driven through `decide`, the same pure
 * function the monitor runs, with the state serialised and parsed back on every "restart" exactly
 * as Redis would hand it over.
 */
import { describe, expect, it } from 'vitest';
import { decide, NETWORK_SUBJECT } from '../../src/features/monitoring/alerts/decide.js';
import type { LatestOutcome } from '../../src/features/monitoring/alerts/outcome.js';
import {
  AlertStateSchema,
  INITIAL_STATE,
  step,
  type AlertPolicy,
  type AlertPost,
  type AlertState,
  type IncidentChange,
} from '../../src/features/monitoring/alerts/policy.js';

const MIN = 60_000;
const POLICY: AlertPolicy = { failureThreshold: 3, successThreshold: 2, reminderIntervalMs: 60 * MIN };

/**
 * One event: `gateway:result` at minute `t`. Results: `ok`; a verdict id (an application-level
 * failure, e.g. `refused`, `auth-rejected`); `net` (a TCP timeout: network-level); `offline`
 * (this node's tailscaled is offline). `+m` suffix: the gateway is in maintenance. `restart`:
 * clawops restarts (state goes through JSON and the schema).
 */
type Event = string;

interface Run {
  posts: string[];
  incidents: Array<IncidentChange & { subject: string }>;
}

function describePost(post: AlertPost): string {
  switch (post.kind) {
    case 'alert':
      return `alert ${post.subject} ${post.verdict}`;
    case 'reminder':
      return `reminder ${post.subject} ${post.n}`;
    case 'verdict-changed':
      return `changed ${post.subject} ${post.from}→${post.verdict}`;
    case 'resolved':
      return `resolved ${post.subject} after ${Math.round((post.endedAt - post.startedAt) / MIN)} min`;
  }
}

function run(events: Event[], options: { fleet?: string[]; canPost?: boolean; policy?: AlertPolicy } = {}): Run {
  const fleet = options.fleet ?? ['prod'];
  let states = new Map<string, AlertState>();
  const latest = new Map<string, LatestOutcome>();
  const result: Run = { posts: [], incidents: [] };
  let minute = 0;
  for (const event of events) {
    if (event === 'restart') {
      states = new Map([...states].map(([subject, state]) => [subject, AlertStateSchema.parse(JSON.parse(JSON.stringify(state)))]));
      continue;
    }
    const match = /^(?:(\d+):)?(?:([a-z]+):)?([a-z-]+)(\+m)?$/.exec(event);
    if (!match) throw new Error(`bad event ${event}`);
    minute = match[1] !== undefined ? Number(match[1]) : minute + 1;
    const gateway = match[2] ?? fleet[0]!;
    const what = match[3]!;
    const at = minute * MIN;
    const failed = what !== 'ok';
    const network = what === 'net' || what === 'offline';
    const verdict = what === 'net' ? 'tcp-timeout' : what === 'offline' ? 'bot-node-offline' : what;
    const outcome = { at, failed, ...(failed ? { verdict } : {}), network };
    latest.set(gateway, { at, network, freshUntil: at + 3 * MIN });
    const decision = decide({
      gateway,
      outcome,
      botNodeOffline: what === 'offline',
      gatewayState: states.get(gateway) ?? INITIAL_STATE,
      networkState: states.get(NETWORK_SUBJECT) ?? INITIAL_STATE,
      fleet: latest,
      watched: fleet,
      maintenance: match[4] === '+m',
      canPost: options.canPost ?? true,
      policy: options.policy ?? POLICY,
    });
    states.set(gateway, decision.gateway.state);
    states.set(NETWORK_SUBJECT, decision.network.state);
    result.posts.push(...decision.posts.map(describePost));
    if (decision.network.incident) result.incidents.push({ subject: NETWORK_SUBJECT, ...decision.network.incident });
    if (decision.gateway.incident) result.incidents.push({ subject: gateway, ...decision.gateway.incident });
  }
  return result;
}

const f3 = ['refused', 'refused', 'refused'];

describe('alert policy: result sequences → posts', () => {
  it.each<[string, Event[], string[]]>([
    ['healthy stays quiet', ['ok', 'ok', 'ok'], []],
    ['one failure is not an incident', ['refused', 'ok', 'ok'], []],
    ['two failures are not an incident (threshold 3)', ['refused', 'refused', 'ok'], []],
    ['three failures in a row: one alert, however long it stays down', [...f3, 'refused', 'refused', 'refused'], ['alert prod refused']],
    ['the verdict of the alert is the one that crossed the threshold', ['refused', 'refused', 'auth-rejected'], ['alert prod auth-rejected']],
    ['resolved after two successes, timed from the first', [...f3, 'ok', 'ok'], ['alert prod refused', 'resolved prod after 3 min']],
    ['one success is not a resolve', [...f3, 'ok', 'refused', 'refused'], ['alert prod refused']],
    [
      'flapping while recovering stays one incident',
      [...f3, 'ok', 'refused', 'ok', 'refused', 'ok', 'ok'],
      ['alert prod refused', 'resolved prod after 7 min'],
    ],
    ['flapping below the threshold never alerts', ['refused', 'refused', 'ok', 'refused', 'refused', 'ok', 'refused', 'refused', 'ok'], []],
    ['a new incident after a resolve is a new alert', [...f3, 'ok', 'ok', ...f3], ['alert prod refused', 'resolved prod after 3 min', 'alert prod refused']],
    ['a verdict change while down goes in the thread', [...f3, 'auth-rejected', 'auth-rejected'], ['alert prod refused', 'changed prod refused→auth-rejected']],
    ['a verdict change while recovering goes in the thread too', [...f3, 'ok', 'auth-rejected'], ['alert prod refused', 'changed prod refused→auth-rejected']],
    [
      'reminders at most every interval, numbered',
      ['0:refused', '1:refused', '2:refused', '30:refused', '61:refused', '62:refused', '121:refused', '122:refused'],
      ['alert prod refused', 'reminder prod 1', 'reminder prod 2'],
    ],
    [
      'a verdict change resets the reminder clock',
      ['0:refused', '1:refused', '2:refused', '50:auth-rejected', '70:auth-rejected', '111:auth-rejected'],
      ['alert prod refused', 'changed prod refused→auth-rejected', 'reminder prod 1'],
    ],
    // Restarts: the state comes back from Redis; nothing is said twice, nothing is forgotten.
    [
      'restart in the middle of an incident: no second alert, the resolve still comes',
      [...f3, 'restart', 'refused', 'restart', 'ok', 'ok'],
      ['alert prod refused', 'resolved prod after 4 min'],
    ],
    ['restart while failing keeps the count', ['refused', 'refused', 'restart', 'refused'], ['alert prod refused']],
    ['restart while recovering keeps the count', [...f3, 'ok', 'restart', 'ok'], ['alert prod refused', 'resolved prod after 3 min']],
    [
      'restart keeps the reminder clock',
      ['0:refused', '1:refused', '2:refused', 'restart', '50:refused', 'restart', '63:refused'],
      ['alert prod refused', 'reminder prod 1'],
    ],
    // Maintenance: probing goes on, alerts are silenced.
    ['an incident inside a maintenance window is never said', ['refused+m', 'refused+m', 'refused+m', 'refused+m', 'ok+m', 'ok+m'], []],
    ['still down when the window ends: alerted then, once', ['refused+m', 'refused+m', 'refused+m', 'refused', 'refused'], ['alert prod refused']],
    [
      'no reminders during maintenance, the resolve of an alerted incident is still said',
      ['0:refused', '1:refused', '2:refused', '70:refused+m', '140:refused+m', '141:ok+m', '142:ok+m'],
      ['alert prod refused', 'resolved prod after 141 min'],
    ],
    ['no verdict change notes during maintenance', [...f3, 'auth-rejected+m', 'auth-rejected'], ['alert prod refused']],
  ])('%s', (_label, events, posts) => {
    expect(run(events).posts).toEqual(posts);
  });
});

describe('alert policy: suppression when clawops loses its network', () => {
  const fleet = ['a', 'b', 'c'];
  const round = (what: string) => fleet.map((gateway) => `${gateway}:${what}`);

  it.each<[string, Event[], string[], string[]?]>([
    [
      'every gateway fails at the network level: one alert for clawops, none per gateway',
      [...round('net'), ...round('net'), ...round('net'), ...round('net')],
      ['alert _network unreachable'],
    ],
    [
      'the network comes back: resolved in its thread, no gateway alert ever',
      [...round('net'), ...round('net'), ...round('net'), ...round('ok'), ...round('ok')],
      ['alert _network unreachable', 'resolved _network after 7 min'],
    ],
    ['this node offline: one alert whatever the fleet', ['a:offline', 'b:offline', 'c:offline', 'a:offline'], ['alert _network bot-node-offline']],
    [
      'one gateway unreachable while the others answer is that gateway’s alert',
      ['a:net', 'b:ok', 'c:ok', 'a:net', 'b:ok', 'c:ok', 'a:net'],
      ['alert a tcp-timeout'],
    ],
    ['a single gateway cannot be told apart from our own network: its own alert', ['net', 'net', 'net'], ['alert only tcp-timeout'], ['only']],
    [
      // Its thread hears what it saw before the loss was suspected; then it is held, never re-alerted.
      'a gateway already down when the network goes: not re-alerted, resolved in its own thread later',
      ['a:refused', 'b:ok', 'c:ok', 'a:refused', 'a:refused', ...round('net'), ...round('net'), ...round('net'), 'a:refused', 'b:ok', 'c:ok', 'a:ok', 'a:ok'],
      [
        'alert a refused',
        'changed a refused→tcp-timeout',
        'alert _network unreachable',
        'changed a tcp-timeout→refused',
        'resolved _network after 7 min',
        'resolved a after 17 min',
      ],
    ],
    [
      'an application-level failure during the loss still counts for its gateway',
      [...round('net'), ...round('net'), ...round('net'), 'a:auth-rejected', 'a:auth-rejected', 'a:auth-rejected'],
      ['alert _network unreachable', 'resolved _network after 7 min', 'alert a auth-rejected'],
    ],
  ])('%s', (_label, events, posts, only) => {
    expect(run(events, { fleet: only ?? fleet }).posts).toEqual(posts);
  });
});

describe('alert policy: the incident log', () => {
  it('records incidents even when nothing can be posted (no channel)', () => {
    const result = run([...f3, 'ok', 'ok'], { canPost: false });
    expect(result.posts).toEqual([]);
    expect(result.incidents.map(({ subject, startedAt, endedAt, alerted, verdict }) => ({ subject, startedAt, endedAt, alerted, verdict }))).toEqual([
      { subject: 'prod', startedAt: MIN, endedAt: undefined, alerted: false, verdict: 'refused' },
      { subject: 'prod', startedAt: MIN, endedAt: 4 * MIN, alerted: false, verdict: 'refused' },
    ]);
  });

  it('the incident id is stable for the whole incident (it names its posts)', () => {
    const down = step(
      'prod',
      INITIAL_STATE,
      { at: 0, failed: true, verdict: 'refused', network: false },
      { maintenance: false, networkSuspect: false, canPost: true },
      { ...POLICY, failureThreshold: 1 },
    );
    const again = step(
      'prod',
      down.state,
      { at: MIN, failed: true, verdict: 'auth-rejected', network: false },
      { maintenance: false, networkSuspect: false, canPost: true },
      POLICY,
    );
    expect(down.posts[0]?.incidentId).toBe('prod-0');
    expect(again.posts[0]?.incidentId).toBe('prod-0');
  });

  it('thresholds of 1 alert and resolve at once', () => {
    expect(run(['refused', 'ok'], { policy: { failureThreshold: 1, successThreshold: 1, reminderIntervalMs: 0 } }).posts).toEqual([
      'alert prod refused',
      'resolved prod after 1 min',
    ]);
  });

  it('a reminder interval of 0 means no reminders', () => {
    expect(run(['0:refused', '1:refused', '2:refused', '500:refused'], { policy: { ...POLICY, reminderIntervalMs: 0 } }).posts).toEqual(['alert prod refused']);
  });
});
