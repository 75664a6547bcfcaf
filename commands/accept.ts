import type { SlackMessage } from '../src/render/blocks.js';
import { md } from '../src/render/slack-text.js';
import type { Requester } from '../src/slack/authorize.js';
import { commandAudit } from './command-audit.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';

/** `/gateway accept <name>`: the acceptance checklist (src/features/accept/), answered to the person who asked. */
export async function handleAccept(
  deps: CommandDeps,
  input: { requester: Requester; gateway: string; text: string; reply: ReplyEphemeral; replyMessage: (message: SlackMessage) => Promise<void> },
): Promise<void> {
  const commandText = `/gateway ${input.text}`.trim();
  if (!deps.accept) {
    await input.reply(md`The acceptance checklist is not available in this process: run \`clawops accept ${input.gateway}\` on the bot node.`);
    await commandAudit(deps, input.requester, commandText, input.gateway)('failed: accept unavailable');
    return;
  }
  await deps.accept.handleSlashCommand({
    requester: input.requester,
    gateway: input.gateway,
    commandText,
    reply: input.reply,
    replyMessage: input.replyMessage,
  });
}
