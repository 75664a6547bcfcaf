import type { webApi } from '@slack/bolt';

type WebClient = webApi.WebClient;
import type { GroupMembership } from './authorize.js';

/**
 * User group membership through the Web API (`usergroups.list` for handles, `usergroups.users.list`
 * for members), cached briefly: authorization happens on every command and Slack rate-limits.
 */
export function createGroupMembership(deps: { client: WebClient; ttlMs?: number; now?: () => number }): GroupMembership {
  const ttlMs = deps.ttlMs ?? 60_000;
  const now = deps.now ?? Date.now;
  const members = new Map<string, { at: number; users: Set<string> }>();
  let handles: { at: number; byHandle: Map<string, string> } | undefined;

  async function groupId(group: string): Promise<string | undefined> {
    if (!group.startsWith('@')) return group;
    if (!handles || now() - handles.at > ttlMs) {
      const result = await deps.client.usergroups.list({});
      const byHandle = new Map<string, string>();
      for (const entry of result.usergroups ?? []) if (entry.handle && entry.id) byHandle.set(entry.handle.toLowerCase(), entry.id);
      handles = { at: now(), byHandle };
    }
    return handles.byHandle.get(group.slice(1).toLowerCase());
  }

  return {
    async isMember(userId, group) {
      const id = await groupId(group);
      if (!id) return false;
      const cached = members.get(id);
      if (cached && now() - cached.at <= ttlMs) return cached.users.has(userId);
      const result = await deps.client.usergroups.users.list({ usergroup: id });
      const users = new Set(result.users ?? []);
      members.set(id, { at: now(), users });
      return users.has(userId);
    },
  };
}
