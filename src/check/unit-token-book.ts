/**
 * What each gateway's systemd unit gives its Gateway as token, by fingerprint, as the host agents
 * last reported it. With it, a check that sends prod's token to a Gateway that rejects it can say
 * "that token is the one staging's unit carries" even when clawops.yaml does not show the swap.
 * In memory, per worker; fingerprints only.
 */
export interface UnitTokenBook {
  learn(gateway: string, fingerprint: string | undefined): void;
  /** Gateways whose unit carries this fingerprint. */
  ownersOf(fingerprint: string): string[];
}

export function createUnitTokenBook(): UnitTokenBook {
  const byGateway = new Map<string, string>();
  return {
    learn(gateway, fingerprint) {
      if (fingerprint) byGateway.set(gateway, fingerprint);
      else byGateway.delete(gateway);
    },
    ownersOf(fingerprint) {
      return [...byGateway]
        .filter(([, known]) => known === fingerprint)
        .map(([gateway]) => gateway)
        .sort();
    },
  };
}
