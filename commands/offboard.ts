import type { Requester } from '../src/slack/authorize.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';

/** `/gateway offboard @person | e-mail | login` — hands off to offboarding, answers ephemerally. */
export async function handleOffboard(deps: CommandDeps, input: { requester: Requester; target: string; reply: ReplyEphemeral }): Promise<void> {
  if (!deps.offboarding) {
    await input.reply('Offboarding is not configured here: add an `offboarding:` section to clawops.yaml (see examples/clawops.yaml).');
    return;
  }
  await input.reply(await deps.offboarding.offboard({ userId: input.requester.userId, channelId: input.requester.channelId, target: input.target }));
}
