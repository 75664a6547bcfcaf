import { networkLost, type LatestOutcome } from './outcome.js';
import { step, type AlertPolicy, type AlertPost, type AlertState, type Outcome, type Step } from './policy.js';

/**
 * One scheduled result through both watchers, PURE: first clawops' own network (the
 * connectivity self-check over the fleet's latest outcomes), then the gateway, which holds its
 * network-level failures while the network is suspect. So that when clawops loses its network,
 * one alert says so instead of one per gateway.
 */
export const NETWORK_SUBJECT = '_network';

export interface DecideInput {
  gateway: string;
  outcome: Outcome;
  /** This node's tailscaled said it is offline (the `bot-node-offline` verdict). */
  botNodeOffline: boolean;
  gatewayState: AlertState;
  networkState: AlertState;
  /** The latest outcome of every watched gateway, this one's included. */
  fleet: ReadonlyMap<string, LatestOutcome>;
  watched: readonly string[];
  maintenance: boolean;
  canPost: boolean;
  policy: AlertPolicy;
}

export interface Decision {
  network: Step;
  gateway: Step;
  posts: AlertPost[];
}

export function decide(input: DecideInput): Decision {
  const { outcome } = input;
  const lost = networkLost({ botNodeOffline: input.botNodeOffline, latest: input.fleet, watched: input.watched, now: outcome.at });
  const network = step(
    NETWORK_SUBJECT,
    input.networkState,
    { at: outcome.at, failed: lost.lost, ...(lost.lost ? { verdict: lost.verdict } : {}), network: false },
    { maintenance: false, networkSuspect: false, canPost: input.canPost },
    input.policy,
  );
  const gateway = step(
    input.gateway,
    input.gatewayState,
    outcome,
    { maintenance: input.maintenance, networkSuspect: network.state.phase !== 'ok', canPost: input.canPost },
    input.policy,
  );
  return { network, gateway, posts: [...network.posts, ...gateway.posts] };
}
