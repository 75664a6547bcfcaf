import type { DigestSectionProvider } from '../../render/digest-section.js';
import { renderOffboardingDigest } from './render/offboarding-digest.js';
import type { SlackLocation } from './model.js';
import type { OffboardingStore } from './store.js';

/**
 * The digest's `offboarding` section (issue 6 §5, issue 8): open checklists with their age and the
 * same open items the verdict reminder names. Nothing when none are open.
 */
export function createOffboardingDigestSection(deps: {
  store: Pick<OffboardingStore, 'listOpen'>;
  now: () => number;
  permalink?: (location: SlackLocation) => Promise<string | undefined>;
}): DigestSectionProvider {
  return {
    name: 'offboarding',
    async build() {
      const open = await deps.store.listOpen(200);
      if (open.length === 0) return undefined;
      const links = new Map<string, string>();
      if (deps.permalink) {
        await Promise.all(
          open.slice(0, 10).map(async (offboarding) => {
            const link = offboarding.prompt ? await deps.permalink!(offboarding.prompt).catch(() => undefined) : undefined;
            if (link) links.set(offboarding.id, link);
          }),
        );
      }
      return renderOffboardingDigest(open, { now: deps.now(), linkFor: (offboarding) => links.get(offboarding.id) });
    },
  };
}
