import * as z from 'zod';
import type { OffboardingConfig } from '../../config/sections/offboarding.js';
import type { Logger } from '../../log.js';
import type { OpenJob } from './offboarding-jobs.js';
import { message, section } from '../../render/blocks.js';
import { md, mention } from '../../render/slack-text.js';
import type { SlackPoster } from '../../slack/poster.js';
import type { AuditLog } from '../../state/audit.js';
import { tailnetLoginFor } from './identity.js';
import type { OffboardingStore } from './store.js';
import { writeAudit } from '../../state/audit.js';

/**
 * Slack's `user_change` event: it fires on every profile edit, and again when Slack retries an
 * undelivered event, so only a user who is `deleted` counts, once per event id and once per person
 * (the worker re-checks the person claim). The open itself runs as a job: the listener stays fast.
 */
export const UserChangeEventSchema = z.looseObject({
  type: z.literal('user_change'),
  user: z.looseObject({
    id: z.string().regex(/^[UW][A-Z0-9]+$/),
    name: z.string().optional(),
    real_name: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    profile: z.looseObject({ email: z.string().optional(), real_name: z.string().optional(), display_name: z.string().optional() }).optional(),
  }),
});

export interface UserChangeDeps {
  config: OffboardingConfig;
  store: OffboardingStore;
  enqueueOpen: (job: OpenJob) => Promise<void>;
  poster: SlackPoster;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
}

export type UserChangeOutcome = 'not-deleted' | 'invalid' | 'duplicate-event' | 'already-offboarded' | 'unmapped' | 'queued';

export async function onUserChange(deps: UserChangeDeps, input: { eventId?: string; event: unknown }): Promise<UserChangeOutcome> {
  const parsed = UserChangeEventSchema.safeParse(input.event);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.slice(0, 3).map((issue) => issue.path.join('.')) }, 'user_change event not understood');
    return 'invalid';
  }
  const { user } = parsed.data;
  if (user.deleted !== true || user.is_bot === true) return 'not-deleted';
  const audit = (target: string, outcome: string) =>
    writeAudit(deps.audit, deps.logger, { at: deps.now(), user: 'clawops', command: 'offboarding trigger user_change', target, outcome });
  if (input.eventId && !(await deps.store.claimEvent(input.eventId))) {
    await audit(user.id, 'ignored: duplicate event (Slack retry)');
    return 'duplicate-event';
  }
  const email = user.profile?.email;
  const resolved = tailnetLoginFor({ slackUserId: user.id, ...(email ? { email } : {}) }, deps.config.identities);
  if (!resolved.ok) {
    // Said once per person, not once per profile edit.
    if ((await deps.store.claimPerson(`slack-user:${user.id}`, 'unmapped')).claimed) {
      const text = md`🚪 ${mention(user.id)} was deactivated in Slack, but I cannot tell their tailnet login: ${resolved.reason}. Run \`/gateway offboard <their tailnet login>\`.`;
      await deps.poster
        .post({ channel: deps.config.channel }, message(text, [section(text)]))
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not post the unmapped-user notice'));
    }
    await audit(user.id, 'not opened: no tailnet login for this user');
    return 'unmapped';
  }
  if (await deps.store.personClaimed(resolved.login)) {
    await audit(resolved.login, 'ignored: this person was offboarded already');
    return 'already-offboarded';
  }
  const displayName = user.real_name ?? user.profile?.real_name ?? user.name;
  await deps.enqueueOpen({
    subject: { login: resolved.login, slackUserId: user.id, ...(email ? { email } : {}), ...(displayName ? { displayName: displayName.slice(0, 200) } : {}) },
    trigger: { kind: 'slack-user-deleted' },
  });
  await audit(resolved.login, 'queued: open the checklist');
  return 'queued';
}
