import { describe, expect, it } from 'vitest';
import { AccessSchema } from '../../src/config/schema.js';
import { mayUseGateways, type GroupMembership, type Requester } from '../../src/slack/authorize.js';
import type { SlackText } from '../../src/render/slack-text.js';

const access = AccessSchema.parse({ rules: [{ gateways: ['prod'], userGroups: ['@oncall'] }] });
const inIncidents = (userId: string): Requester => ({ userId, channelId: 'C0INCIDENTS', channelName: 'incidents', isDirectMessage: false });
const oncallOnly: GroupMembership = { isMember: async (userId, group) => group === '@oncall' && userId === 'U0ONCALL' };
const slackDown: GroupMembership = {
  isMember: async () => {
    throw new Error('usergroups.users.list: ratelimited');
  },
};

async function gate(requester: Requester, gateways: string[], groups: GroupMembership) {
  const replies: string[] = [];
  const audited: string[] = [];
  const lookupErrors: unknown[] = [];
  const allowed = await mayUseGateways(access, requester, gateways, groups, {
    reply: async (text: SlackText) => void replies.push(text.mrkdwn),
    audit: async (outcome) => void audited.push(outcome),
    onLookupError: (error) => void lookupErrors.push(error),
  });
  return { allowed, replies, audited, lookupErrors };
}

describe('mayUseGateways: the one gate in front of per-gateway commands', () => {
  it('lets a member of the rule’s group through, silently', async () => {
    expect(await gate(inIncidents('U0ONCALL'), ['prod'], oncallOnly)).toEqual({ allowed: true, replies: [], audited: [], lookupErrors: [] });
  });

  it('refuses someone else, tells them why and audits the refusal', async () => {
    const result = await gate(inIncidents('U0GUEST'), ['prod'], oncallOnly);
    expect(result.allowed).toBe(false);
    expect(result.replies).toEqual(['🚫 Not allowed: `prod` may only be checked by @oncall.']);
    expect(result.audited).toEqual(['refused: `prod` may only be checked by @oncall']);
  });

  it('refuses when any of several gateways is refused', async () => {
    expect((await gate(inIncidents('U0GUEST'), ['staging', 'prod'], oncallOnly)).allowed).toBe(false);
  });

  it('a failed group lookup refuses (never allows) and says it is Slack, not the rules', async () => {
    const result = await gate(inIncidents('U0ONCALL'), ['prod'], slackDown);
    expect(result.allowed).toBe(false);
    expect(result.replies[0]).toContain('could not verify your user groups with Slack right now');
    expect(result.audited[0]).toMatch(/^refused: could not verify/);
    expect(result.lookupErrors).toHaveLength(1);
  });

  it('a gateway no rule covers is open to anyone in a channel', async () => {
    expect((await gate(inIncidents('U0GUEST'), ['staging'], oncallOnly)).allowed).toBe(true);
  });
});
