import type { OpenJob } from './offboarding-jobs.js';
import type { AdminApiClient, User } from '../../tailscale/admin-api.js';
import type { OffboardingStore } from './store.js';

/**
 * The tailnet side of "someone left": Tailscale webhooks need a public HTTPS receiver, which a
 * tailnet-only bot does not have, so the users list is polled. A `suspended` login, or one that
 * was there last time and is gone now, is somebody to offboard; the store's per-person claim makes
 * every later poll that sees them again a no-op.
 */
export interface Leaving {
  login: string;
  displayName?: string;
  why: 'suspended' | 'removed';
}

/** PURE. `previous` is undefined on the first poll: nothing counts as removed then. */
export function loginsLeaving(users: readonly User[], previous: ReadonlySet<string> | undefined): Leaving[] {
  const leaving: Leaving[] = users
    .filter((user) => user.status === 'suspended')
    .map((user) => ({ login: user.loginName.toLowerCase(), ...(user.displayName ? { displayName: user.displayName } : {}), why: 'suspended' as const }));
  if (previous) {
    const present = new Set(users.map((user) => user.loginName.toLowerCase()));
    for (const login of previous) if (!present.has(login)) leaving.push({ login, why: 'removed' });
  }
  return leaving;
}

export async function pollTailnetUsers(deps: {
  admin: AdminApiClient;
  store: OffboardingStore;
  enqueueOpen: (job: OpenJob) => Promise<void>;
}): Promise<{ users: number; leaving: Leaving[] }> {
  const users = await deps.admin.listUsers();
  const previous = await deps.store.knownLogins();
  const leaving = loginsLeaving(users, previous);
  for (const person of leaving) {
    // Seen by every poll until the account is removed: only the first one opens anything.
    if (await deps.store.personClaimed(person.login)) continue;
    await deps.enqueueOpen({
      subject: { login: person.login, ...(person.displayName ? { displayName: person.displayName } : {}) },
      trigger: { kind: 'tailnet-poll', detail: person.why === 'suspended' ? 'login suspended' : 'login removed from the tailnet' },
    });
  }
  await deps.store.setKnownLogins(users.map((user) => user.loginName));
  return { users: users.length, leaving };
}
