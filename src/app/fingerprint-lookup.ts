import type { FingerprintLookup } from '../features/accept/fingerprint-lookup.js';
import type { GoodFingerprint } from '../features/fingerprint/index.js';

/**
 * The acceptance checklist's "fingerprint recorded" line reads the fingerprint feature's store
 * through its own port (features don't import each other); this is the one adapter between them.
 * A gateway with no good check recorded answers undefined: the line then fails, it never passes.
 */
export function fingerprintLookup(source: { latestFingerprint(gateway: string): Promise<GoodFingerprint | undefined> }): FingerprintLookup {
  return {
    latest: async (gateway) => {
      const good = await source.latestFingerprint(gateway);
      return good ? { recordedAt: new Date(good.lastSeenAt), hash: good.fingerprint.hash } : undefined;
    },
  };
}
