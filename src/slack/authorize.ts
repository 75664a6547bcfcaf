import type { Access, AccessRule } from '../config/schema.js';
import { channelMention, code, joinText, md, mention, plainOf, type SlackText } from '../render/slack-text.js';

/**
 * Who may check which gateway, from where. The rules are config; membership of Slack user groups
 * is looked up (and cached) through the Web API by the caller-supplied function.
 *
 * With no rule for a gateway, anyone in a channel the bot is in may check it. With rules, the
 * request must satisfy at least one rule that covers the gateway: its channel list (if any) and its
 * users or user groups (if any).
 */
export interface Requester {
  userId: string;
  channelId: string;
  channelName?: string;
  isDirectMessage: boolean;
}

/** `reason` is said to the person in Slack (it may mention the people who may): escaped text. */
export type Decision = { allowed: true } | { allowed: false; reason: SlackText };

export interface GroupMembership {
  /** Whether the user is in the group (`S…` id or `@handle`). */
  isMember(userId: string, group: string): Promise<boolean>;
}

export function isDirectMessageChannel(channelId: string, channelName?: string): boolean {
  return channelId.startsWith('D') || channelName === 'directmessage';
}

function channelMatches(rule: AccessRule, requester: Requester): boolean {
  if (!rule.channels) return true;
  return rule.channels.some((channel) => {
    if (channel.startsWith('#')) return requester.channelName !== undefined && channel.slice(1).toLowerCase() === requester.channelName.toLowerCase();
    return channel === requester.channelId;
  });
}

async function personMatches(rule: AccessRule, requester: Requester, groups: GroupMembership): Promise<boolean> {
  if (!rule.users && !rule.userGroups) return true;
  if (rule.users?.includes(requester.userId)) return true;
  for (const group of rule.userGroups ?? []) {
    if (await groups.isMember(requester.userId, group)) return true;
  }
  return false;
}

function describeRules(rules: AccessRule[]): SlackText | undefined {
  const channels = [...new Set(rules.flatMap((rule) => rule.channels ?? []))];
  const groups = [...new Set(rules.flatMap((rule) => rule.userGroups ?? []))];
  const users = [...new Set(rules.flatMap((rule) => rule.users ?? []))];
  const people = [...groups, ...users.map(mention)];
  const parts = [
    channels.length ? md`from ${joinText(channels.map(channelMention), ', ')}` : undefined,
    people.length ? md`by ${joinText(people, ', ')}` : undefined,
  ].filter((part): part is SlackText => part !== undefined);
  return parts.length ? joinText(parts, ' ') : undefined;
}

export async function authorizeGateway(access: Access, requester: Requester, gateway: string, groups: GroupMembership): Promise<Decision> {
  if (requester.isDirectMessage && !access.allowDirectMessages) {
    return { allowed: false, reason: md`gateway checks are not allowed in direct messages here: run it in a channel` };
  }
  const rules = access.rules.filter((rule) => rule.gateways === '*' || rule.gateways.includes(gateway));
  if (rules.length === 0) return { allowed: true };
  for (const rule of rules) {
    if (channelMatches(rule, requester) && (await personMatches(rule, requester, groups))) return { allowed: true };
  }
  return { allowed: false, reason: md`${code(gateway)} may only be checked ${describeRules(rules) ?? 'by the people the config names'}` };
}

export async function authorizeGateways(access: Access, requester: Requester, gateways: string[], groups: GroupMembership): Promise<Decision> {
  for (const gateway of gateways) {
    const decision = await authorizeGateway(access, requester, gateway, groups);
    if (!decision.allowed) return decision;
  }
  return { allowed: true };
}

/** What a command answers with when the person may not go on: the reply and the audit outcome. */
export interface RefusalSink {
  reply(text: SlackText): Promise<unknown>;
  audit(outcome: string): Promise<unknown>;
  /** Told when Slack's user-group lookup failed (the refusal then says to try again). */
  onLookupError?(error: unknown): void;
}

const LOOKUP_FAILED: Decision = {
  allowed: false,
  reason: md`could not verify your user groups with Slack right now: try again in a moment`,
};

/**
 * The one gate in front of every per-gateway command: true when the person may use all of
 * `gateways`; otherwise they are told why ("🚫 Not allowed: …") and the refusal is audited. A
 * failed group lookup refuses — never allows — and says it is Slack, not the rules.
 */
export async function mayUseGateways(access: Access, requester: Requester, gateways: string[], groups: GroupMembership, sink: RefusalSink): Promise<boolean> {
  const decision = await authorizeGateways(access, requester, gateways, groups).catch((error: unknown) => {
    sink.onLookupError?.(error);
    return LOOKUP_FAILED;
  });
  if (decision.allowed) return true;
  await sink.reply(md`🚫 Not allowed: ${decision.reason}.`);
  await sink.audit(`refused: ${plainOf(decision.reason)}`);
  return false;
}
