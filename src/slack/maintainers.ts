import type { Maintainers } from '../config/sections/monitoring.js';
import type { Decision, GroupMembership } from './authorize.js';
import { joinText, md, mention } from '../render/slack-text.js';

/**
 * Who may declare maintenance (a write action: it silences alerts). Only the users and user
 * groups `monitoring.maintainers` names; with none named, nobody — silence must be granted, never
 * assumed.
 */
export async function authorizeMaintainer(maintainers: Maintainers, userId: string, groups: GroupMembership): Promise<Decision> {
  if (maintainers.users.length === 0 && maintainers.userGroups.length === 0) {
    return { allowed: false, reason: md`nobody may declare maintenance here: \`monitoring.maintainers\` in clawops.yaml names no one` };
  }
  if (maintainers.users.includes(userId)) return { allowed: true };
  for (const group of maintainers.userGroups) {
    if (await groups.isMember(userId, group)) return { allowed: true };
  }
  const who = joinText([...maintainers.userGroups, ...maintainers.users.map(mention)], ', ');
  return { allowed: false, reason: md`maintenance may only be declared by ${who}` };
}
