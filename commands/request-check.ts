import { authorizeGateways, type Requester } from '../src/slack/authorize.js';
import { renderCheckFailed, renderCheckPending } from '../src/render/check-blocks.js';
import { slackErrorCode } from '../src/slack/poster.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { md, plainOf } from '../src/render/slack-text.js';

/**
 * The path a typed `/gateway check` and a Re-run click share: authorize, post the placeholder,
 * enqueue, and audit — whatever happens, the person hears back.
 */
export async function requestCheck(
  deps: CommandDeps,
  request: { requester: Requester; gateways: string[]; source: 'command' | 'button'; commandText: string; reply: ReplyEphemeral },
): Promise<void> {
  const started = deps.now();
  const { requester, gateways } = request;
  const audit = async (outcome: string, jobId?: string) => {
    try {
      await deps.audit.append({ at: deps.now(), user: requester.userId, channel: requester.channelId, command: request.commandText, target: gateways.join(','), jobId, outcome, durationMs: deps.now() - started });
    } catch (error) {
      deps.logger.warn({ err: error }, 'audit append failed');
    }
    deps.logger.info({ user: requester.userId, channel: requester.channelId, command: request.commandText, gateways, jobId, outcome, source: request.source }, 'gateway command');
  };

  const decision = await authorizeGateways(deps.config.access, requester, gateways, deps.groups).catch((error: unknown) => {
    deps.logger.warn({ err: error }, 'authorization lookup failed');
    return { allowed: false as const, reason: md`could not verify your user groups with Slack right now: try again in a moment` };
  });
  if (!decision.allowed) {
    await request.reply(md`🚫 Not allowed: ${decision.reason}.`);
    await audit(`refused: ${plainOf(decision.reason)}`);
    return;
  }

  let placeholder: { channel: string; ts: string };
  try {
    placeholder = await deps.poster.post({ channel: requester.channelId }, renderCheckPending(gateways, requester.userId));
  } catch (error) {
    const code = slackErrorCode(error) ?? (error instanceof Error ? error.message : 'error');
    const hint = /not_in_channel|channel_not_found/.test(code) ? ' Invite me to this channel (`/invite @clawops`) and try again.' : '';
    await request.reply(md`⚠️ I could not post in this channel (${code}).${hint}`);
    await audit(`failed: placeholder ${code}`);
    return;
  }

  const requestId = deps.newId();
  try {
    const jobId = await deps.producer.enqueueCheck({
      requestId,
      gateways,
      requestedAt: deps.now(),
      requestedBy: requester.userId,
      source: request.source,
      slack: { channel: placeholder.channel, ts: placeholder.ts },
    });
    await audit('accepted', jobId);
  } catch (error) {
    deps.logger.error({ err: error, requestId }, 'could not enqueue the check');
    const why = 'the check queue is unavailable (Redis did not answer). Try again in a minute, or run `clawops check ' + gateways.join(' ') + '` on the bot node';
    await deps.poster.update(placeholder.channel, placeholder.ts, renderCheckFailed(gateways, why)).catch(() => request.reply(md`⚠️ Could not check: ${why}.`));
    await audit('failed: queue unavailable');
  }
}
