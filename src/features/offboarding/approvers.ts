import type { OffboardingConfig } from '../../config/sections/offboarding.js';
import type { Decision, GroupMembership } from '../../slack/authorize.js';
import { joinText, md, mention } from '../../render/slack-text.js';

/**
 * Who may act on an offboarding checklist — open one, see it, delete, apply, tick, close: the
 * configured approvers, by user id or Slack user group. With none configured, nobody: deleting a
 * device is not something a default should allow.
 */
export async function authorizeApprover(approvers: OffboardingConfig['approvers'], userId: string, groups: GroupMembership): Promise<Decision> {
  if (approvers.users.length === 0 && approvers.userGroups.length === 0) {
    return { allowed: false, reason: md`no offboarding approvers are configured (offboarding.approvers), so nobody may act on checklists` };
  }
  if (approvers.users.includes(userId)) return { allowed: true };
  for (const group of approvers.userGroups) {
    try {
      if (await groups.isMember(userId, group)) return { allowed: true };
    } catch {
      return { allowed: false, reason: md`could not verify your user groups with Slack right now: try again in a moment` };
    }
  }
  const who = joinText([...approvers.userGroups, ...approvers.users.map(mention)], ', ');
  return { allowed: false, reason: md`only the offboarding approvers (${who}) may do this` };
}
