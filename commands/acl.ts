import type { types } from '@slack/bolt';
import { renderAclAudit } from '../src/features/acl/render/acl-blocks.js';
import type { SlackMessage } from '../src/render/blocks.js';
import { mayUseGateways, type Requester } from '../src/slack/authorize.js';
import { aclFindingCount } from '../src/features/acl/acl-service.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { md } from '../src/render/slack-text.js';
import { writeAudit } from '../src/state/audit.js';

/** A reply with blocks to the person who asked (Bolt's `respond`, ephemeral). */
export type ReplyMessage = (message: SlackMessage) => Promise<void>;

/** Our builders keep to Block Kit's shapes and limits; Bolt types blocks more narrowly. */
export function respondBody(message: SlackMessage): { response_type: 'ephemeral'; text: string; blocks: types.KnownBlock[] } {
  return { response_type: 'ephemeral', text: message.text, blocks: message.blocks as unknown as types.KnownBlock[] };
}

/**
 * `/gateway acl [<name> …]`: the tailnet ACL audit, answered ephemerally. It lists who (logins,
 * group members) can reach each gateway port and where the policy is open: a map of the weak
 * spots that the person who asked can share on purpose, not one that lands in a channel for
 * everyone in it. Authorized as a check of the same gateways; audited either way.
 */
export async function handleAcl(
  deps: CommandDeps,
  input: { requester: Requester; gateways: string[]; text: string; reply: ReplyEphemeral; replyMessage: ReplyMessage },
): Promise<void> {
  const started = deps.now();
  const { requester, gateways } = input;
  const command = `/gateway ${input.text}`.trim();
  const audit = async (outcome: string) => {
    await writeAudit(deps.audit, deps.logger, {
      at: deps.now(),
      user: requester.userId,
      channel: requester.channelId,
      command,
      target: gateways.join(','),
      outcome,
      durationMs: deps.now() - started,
    });
    deps.logger.info({ user: requester.userId, channel: requester.channelId, command, gateways, outcome }, 'gateway command');
  };

  const onLookupError = (error: unknown) => deps.logger.warn({ err: error }, 'authorization lookup failed');
  if (!(await mayUseGateways(deps.config.access, requester, gateways, deps.groups, { reply: input.reply, audit, onLookupError }))) return;
  if (!deps.acl) {
    await input.reply(
      md`The ACL audit is not configured: add \`tailscale.adminApi\` (baseUrl and apiKeyEnv, or oauthClientIdEnv + oauthClientSecretEnv) to clawops.yaml.`,
    );
    await audit('failed: not configured');
    return;
  }

  const result = await deps.acl.audit({ gateways });
  await input.replyMessage(renderAclAudit(result, { requestedBy: requester.userId }));
  await audit(result.ok ? `ok: ${aclFindingCount(result)} finding(s)` : `failed: ${result.stage}`);
}
