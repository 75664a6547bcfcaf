import type { CheckEnrichment } from '../../render/enrichment.js';
import { renderOffboardingReminder } from './render/offboarding-reminder.js';
import type { SlackLocation } from './model.js';
import type { OffboardingStore } from './store.js';

/**
 * Offboarding's part of every verdict (issue 8): the reminder block while checklists are open,
 * and the rotation correlation — an `auth-rejected` on a gateway whose token rotation was ticked
 * recently says so ("the token was rotated 3 h ago: update this client's token").
 */
export const ROTATION_WINDOW_HOURS = 72;

export function createOffboardingEnrichment(deps: {
  store: Pick<OffboardingStore, 'listOpen' | 'lastRotation'>;
  now: () => number;
  permalink: (location: SlackLocation) => Promise<string | undefined>;
  rotationWindowHours?: number;
}): Required<Pick<CheckEnrichment, 'contextFor' | 'footerFor'>> {
  const windowHours = deps.rotationWindowHours ?? ROTATION_WINDOW_HOURS;
  return {
    async contextFor(report) {
      const at = await deps.store.lastRotation(report.gateway.name);
      if (at === undefined) return {};
      const hours = (deps.now() - at) / 3_600_000;
      return hours >= 0 && hours <= windowHours ? { tokenRotatedHoursAgo: hours } : {};
    },
    async footerFor(gateways) {
      const open = await deps.store.listOpen(200);
      if (open.length === 0) return undefined;
      const links = new Map<string, string>();
      await Promise.all(
        open.slice(0, 10).map(async (offboarding) => {
          const link = offboarding.prompt ? await deps.permalink(offboarding.prompt).catch(() => undefined) : undefined;
          if (link) links.set(offboarding.id, link);
        }),
      );
      return renderOffboardingReminder(open, { now: deps.now(), gateways, linkFor: (offboarding) => links.get(offboarding.id) });
    },
  };
}
