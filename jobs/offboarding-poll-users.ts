import type { Job } from 'bullmq';
import type { OpenJob } from '../src/features/offboarding/offboarding-jobs.js';
import { pollTailnetUsers } from '../src/features/offboarding/users-poll.js';
import type { OffboardingStore } from '../src/features/offboarding/store.js';
import type { AdminApiClient } from '../src/tailscale/admin-api.js';

/** The scheduled poll of the tailnet's users: suspended or removed logins open a checklist. */
export function createPollUsersProcessor(deps: { admin: AdminApiClient | undefined; store: OffboardingStore; enqueueOpen: (job: OpenJob) => Promise<void> }) {
  return async (_job: Job): Promise<{ users: number; leaving: number }> => {
    if (!deps.admin) return { users: 0, leaving: 0 };
    const result = await pollTailnetUsers({ admin: deps.admin, store: deps.store, enqueueOpen: deps.enqueueOpen });
    return { users: result.users, leaving: result.leaving.length };
  };
}
