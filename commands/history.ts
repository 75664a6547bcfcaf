import type { SlackMessage } from '../src/render/blocks.js';
import { renderHistory } from '../src/features/monitoring/render/history-blocks.js';
import { mayUseGateways, type Requester } from '../src/slack/authorize.js';
import { commandAudit } from './command-audit.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { md } from '../src/render/slack-text.js';

/** An ephemeral reply with blocks. */
export type ReplyMessage = (message: SlackMessage) => Promise<void>;

/**
 * `/gateway history <name>`: answered to the person only (a timeline is for reading, not for the
 * channel). Authorized as a check of the same gateway: who may check it may see its past.
 */
export async function handleHistory(
  deps: CommandDeps,
  input: { requester: Requester; gateway: string; text: string; reply: ReplyEphemeral; replyMessage: ReplyMessage },
): Promise<void> {
  const audit = commandAudit(deps, input.requester, `/gateway ${input.text}`.trim(), input.gateway);
  if (!deps.monitoring) {
    await input.reply(md`History is not available in this process (no monitoring store).`);
    await audit('failed: monitoring unavailable');
    return;
  }
  if (!(await mayUseGateways(deps.config.access, input.requester, [input.gateway], deps.groups, { reply: input.reply, audit }))) return;
  let view;
  try {
    view = await deps.monitoring.historyView(input.gateway);
  } catch (error) {
    deps.logger.warn({ err: error, gateway: input.gateway }, 'reading history failed');
    await input.reply(md`⚠️ History is unavailable right now (Redis did not answer). Try again in a minute.`);
    await audit('failed: history unavailable');
    return;
  }
  await input.replyMessage(renderHistory(view));
  await audit('answered');
}
