import type { Requester } from '../src/slack/authorize.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { md } from '../src/render/slack-text.js';
import { writeAudit } from '../src/state/audit.js';

/** `/gateway offboard @person | e-mail | login` — hands off to offboarding, answers ephemerally. */
export async function handleOffboard(deps: CommandDeps, input: { requester: Requester; target: string; reply: ReplyEphemeral }): Promise<void> {
  if (!deps.offboarding) {
    await input.reply(
      md`Offboarding is not configured here: add an \`offboarding:\` section to clawops.yaml (see examples/clawops.yaml), then \`/gateway offboard @name\`.`,
    );
    await writeAudit(deps.audit, deps.logger, {
      at: deps.now(),
      user: input.requester.userId,
      channel: input.requester.channelId,
      command: '/gateway offboard',
      target: input.target,
      outcome: 'failed: offboarding not configured',
    });
    return;
  }
  await input.reply(await deps.offboarding.offboard({ userId: input.requester.userId, channelId: input.requester.channelId, target: input.target }));
}
