import { authorizeGateways, type Requester } from '../src/slack/authorize.js';
import { renderCheckFailed, renderCheckPending } from '../src/render/check-blocks.js';
import { describeSlackFailure, SlackCallError, SlackRefusedError } from '../src/slack/slack-error.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { md, plainOf } from '../src/render/slack-text.js';
import { writeAudit } from '../src/state/audit.js';

/**
 * How long posting the "checking…" placeholder may take: rate limits waited out (Retry-After),
 * lost answers looked up before posting again. The command was acknowledged long before.
 */
export const PLACEHOLDER_DEADLINE_MS = 20_000;

/**
 * The path a typed `/gateway check` and a Re-run click share: authorize, post the placeholder,
 * enqueue, and audit — whatever happens, the person hears back.
 */
export async function requestCheck(
  deps: CommandDeps,
  request: { requester: Requester; gateways: string[]; source: 'command' | 'button'; commandText: string; reply: ReplyEphemeral; threadTs?: string },
): Promise<void> {
  const started = deps.now();
  const { requester, gateways } = request;
  const audit = async (outcome: string, jobId?: string) => {
    await writeAudit(deps.audit, deps.logger, {
      at: deps.now(),
      user: requester.userId,
      channel: requester.channelId,
      command: request.commandText,
      target: gateways.join(','),
      jobId,
      outcome,
      durationMs: deps.now() - started,
    });
    deps.logger.info(
      { user: requester.userId, channel: requester.channelId, command: request.commandText, gateways, jobId, outcome, source: request.source },
      'gateway command',
    );
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

  // The request id is known before anything is posted: it tags the placeholder, so that a post
  // whose answer was lost (a 5xx after Slack took it) is found again instead of posted twice.
  const requestId = deps.newId();
  let placeholder: { channel: string; ts: string } | undefined;
  let slackTrouble: string | undefined;
  let mayHavePosted = false;
  try {
    placeholder = await deps.poster.postOnce(
      { channel: requester.channelId, ...(request.threadTs ? { threadTs: request.threadTs } : {}) },
      renderCheckPending(gateways, requester.userId),
      { key: requestId, state: 'pending', deadlineMs: PLACEHOLDER_DEADLINE_MS },
    );
  } catch (error) {
    if (error instanceof SlackRefusedError) {
      await request.reply(md`⚠️ I could not post in this channel: ${error.description}.`);
      await audit(`failed: placeholder ${error.code}`);
      return;
    }
    // Slack is slow or down, not refusing: the check runs anyway, and its answer is posted when Slack takes it.
    slackTrouble = describeSlackFailure(error);
    mayHavePosted = error instanceof SlackCallError && error.ambiguous;
    deps.logger.warn({ err: error, requestId }, 'could not post the placeholder: checking anyway');
  }

  try {
    const jobId = await deps.producer.enqueueCheck({
      requestId,
      gateways,
      requestedAt: deps.now(),
      requestedBy: requester.userId,
      source: request.source,
      slack: {
        channel: placeholder?.channel ?? requester.channelId,
        ...(placeholder ? { ts: placeholder.ts } : {}),
        ...(request.threadTs ? { threadTs: request.threadTs } : {}),
      },
    });
    if (placeholder) {
      await deps.pending
        ?.add({ requestId, channel: placeholder.channel, ts: placeholder.ts, gateways, requestedBy: requester.userId, postedAt: deps.now() })
        .catch((error: unknown) => deps.logger.debug({ err: error, requestId }, 'pending check kept in memory only'));
    } else {
      const placeholderFate = mayHavePosted ? 'the "checking…" message may not have been posted' : 'I could not post the "checking…" message';
      await request
        .reply(
          md`⏳ ${slackTrouble ?? 'Slack did not answer'}: ${placeholderFate}. The check of ${gateways.join(', ')} runs anyway, and its answer is posted here when Slack takes it.`,
        )
        .catch(() => undefined);
    }
    await audit('accepted', jobId);
  } catch (error) {
    deps.logger.error({ err: error, requestId }, 'could not enqueue the check');
    const why =
      'the check queue is unavailable (Redis did not answer). Try again in a minute, or run `clawops check ' + gateways.join(' ') + '` on the bot node';
    if (placeholder)
      await deps.poster
        .update(placeholder.channel, placeholder.ts, renderCheckFailed(gateways, why), { key: requestId, state: 'answered' })
        .catch(() => request.reply(md`⚠️ Could not check: ${why}.`));
    else await request.reply(md`⚠️ Could not check: ${why}.`).catch(() => undefined);
    await audit('failed: queue unavailable');
  }
}
