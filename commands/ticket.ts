import type { TicketFeature } from '../src/features/fingerprint/ticket/index.js';
import { md, plainOf } from '../src/render/slack-text.js';
import { mayUseGateways, type Requester } from '../src/slack/authorize.js';
import { commandAudit } from './command-audit.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';

/**
 * `/gateway ticket <name>`: a line in the channel, the ticket bundle uploaded into its thread.
 * Authorized as a check of the same gateway; a failure is said to the person only.
 */
export async function handleTicket(
  deps: CommandDeps & { tickets?: TicketFeature },
  input: { requester: Requester; gateway: string; text: string; reply: ReplyEphemeral },
): Promise<void> {
  const audit = commandAudit(deps, input.requester, `/gateway ${input.text}`.trim(), input.gateway);
  if (!deps.tickets) {
    await input.reply(md`Ticket bundles are not available in this process.`);
    await audit('failed: tickets unavailable');
    return;
  }
  if (!(await mayUseGateways(deps.config.access, input.requester, [input.gateway], deps.groups, { reply: input.reply, audit }))) return;
  let outcome;
  try {
    outcome = await deps.tickets.postToSlack({ gateway: input.gateway, channel: input.requester.channelId, requestedBy: input.requester.userId });
  } catch (error) {
    deps.logger.warn({ err: error, gateway: input.gateway }, 'ticket bundle failed');
    await input.reply(
      md`⚠️ The ticket bundle could not be posted here (Slack or Redis did not answer). Try again in a minute, or run \`clawops ticket ${input.gateway}\` on the bot node.`,
    );
    await audit('failed: ticket bundle');
    return;
  }
  if (!outcome.ok) {
    await input.reply(md`⚠️ No ticket bundle: ${outcome.reason}.`);
    await audit(`failed: ${plainOf(outcome.reason)}`);
    return;
  }
  await audit('answered: ticket bundle uploaded');
}
