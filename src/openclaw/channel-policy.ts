import { isConfigObject, type ConfigObject } from './config-object.js';

/**
 * Who may talk to a channel account, from the Gateway's own config (`config.get`, operator.read;
 * or openclaw.json on the host). The Gateway's `channels.status` does not carry the policy (on
 * 2026.9.6 an `allowlist` with an empty `allowFrom` reads `running: true, issues: []`), so this is
 * the only place a client sees that every DM is dropped. PURE, and reads only the policy keys: a
 * channel's bot token sits beside them in the same object and is never copied.
 *
 * Resolution as OpenClaw documents it (docs/channels/telegram.md, gateway/config-channels/
 * shared-policies.md): an account's omitted `dmPolicy`, `groupPolicy`, `allowFrom`,
 * `groupAllowFrom` inherit the channel root (not `accounts.default`); unset everywhere, DMs use
 * `pairing` and groups `allowlist` (`channels.defaults.groupPolicy` first, where set).
 */

export interface AccountPolicy {
  dmPolicy: string;
  /** The config path the DM policy came from (`channels.telegram.accounts.ops.dmPolicy`), or `default`. */
  dmPolicyAt: string;
  groupPolicy: string;
  groupPolicyAt: string;
  /** Entries in the effective `allowFrom` (absent: none configured). */
  allowFromCount?: number;
  allowFromAt?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 && value.length <= 64 ? value : undefined);

/** The channel's config block (`channels.<name>`), or undefined when the config does not name it. */
function channelBlock(config: unknown, channel: string): ConfigObject | undefined {
  const channels = isConfigObject(config) ? config.channels : undefined;
  const block = isConfigObject(channels) ? channels[channel] : undefined;
  return isConfigObject(block) ? block : undefined;
}

/** The effective policy of one account, or undefined when the config has no block for its channel. */
/** Channel and account ids as OpenClaw makes them; anything else is not looked up (it would land in evidence text). */
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function resolveAccountPolicy(config: unknown, channel: string, accountId: string): AccountPolicy | undefined {
  if (!ID.test(channel) || !ID.test(accountId)) return undefined;
  const root = channelBlock(config, channel);
  if (!root) return undefined;
  const accounts = isConfigObject(root.accounts) ? root.accounts : {};
  const account = isConfigObject(accounts[accountId]) ? accounts[accountId] : {};
  const base = `channels.${channel}`;
  const accountPath = `${base}.accounts.${accountId}`;
  const pick = (key: string, read: (value: unknown) => unknown): { value: unknown; at: string } | undefined => {
    if (read(account[key]) !== undefined) return { value: read(account[key]), at: `${accountPath}.${key}` };
    if (read(root[key]) !== undefined) return { value: read(root[key]), at: `${base}.${key}` };
    return undefined;
  };
  const channelsDefaults =
    isConfigObject(config) && isConfigObject(config.channels) && isConfigObject(config.channels.defaults) ? config.channels.defaults : {};
  const dm = pick('dmPolicy', text);
  const group =
    pick('groupPolicy', text) ??
    (text(channelsDefaults.groupPolicy) ? { value: text(channelsDefaults.groupPolicy), at: 'channels.defaults.groupPolicy' } : undefined);
  const allowFrom = pick('allowFrom', (value) => (Array.isArray(value) ? value : undefined));
  return {
    dmPolicy: (dm?.value as string | undefined) ?? 'pairing',
    dmPolicyAt: dm?.at ?? 'default',
    groupPolicy: (group?.value as string | undefined) ?? 'allowlist',
    groupPolicyAt: group?.at ?? 'default',
    ...(allowFrom ? { allowFromCount: (allowFrom.value as unknown[]).length, allowFromAt: allowFrom.at } : {}),
  };
}

/** What the policy does to inbound messages, worded for the evidence; empty when it lets them in. */
export function policyProblems(policy: AccountPolicy): string[] {
  const problems: string[] = [];
  if (policy.dmPolicy === 'allowlist' && !policy.allowFromCount) {
    problems.push(
      `dmPolicy allowlist with an empty allowFrom (${policy.allowFromAt ?? policy.dmPolicyAt.replace(/dmPolicy$/, 'allowFrom')}): every DM is dropped`,
    );
  }
  if (policy.dmPolicy === 'disabled') problems.push(`dmPolicy disabled (${policy.dmPolicyAt}): every DM is ignored`);
  if (policy.groupPolicy === 'disabled') problems.push(`groupPolicy disabled (${policy.groupPolicyAt}): every group message is blocked`);
  return problems;
}

/** The enabled channel accounts a config names (`accounts.<id>`; `default` for a root-only block). */
export function configuredAccounts(config: unknown): Array<{ channel: string; account: string }> {
  const channels = isConfigObject(config) && isConfigObject(config.channels) ? config.channels : {};
  const out: Array<{ channel: string; account: string }> = [];
  for (const [channel, block] of Object.entries(channels)) {
    // `channels.defaults` and `channels.modelByChannel` are settings, not channels.
    if (!isConfigObject(block) || channel === 'defaults' || channel === 'modelByChannel' || block.enabled === false) continue;
    const accounts = isConfigObject(block.accounts)
      ? Object.entries(block.accounts)
          .filter(([, value]) => isConfigObject(value) && value.enabled !== false)
          .map(([id]) => id)
      : [];
    for (const account of accounts.length > 0 ? accounts : ['default']) out.push({ channel, account });
  }
  return out;
}
