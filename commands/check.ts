import type { Requester } from '../src/slack/authorize.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { requestCheck } from './request-check.js';

/** `/gateway check <name>…|all` */
export async function handleCheck(deps: CommandDeps, input: { requester: Requester; gateways: string[]; text: string; reply: ReplyEphemeral }): Promise<void> {
  await requestCheck(deps, {
    requester: input.requester,
    gateways: input.gateways,
    source: 'command',
    commandText: `/gateway ${input.text}`.trim(),
    reply: input.reply,
  });
}
