import { gatewayNames } from '../src/config/targets.js';
import { authorizeGateway, type Requester } from '../src/slack/authorize.js';
import { commandAudit } from './command-audit.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import type { ReplyMessage } from './history.js';
import { md } from '../src/render/slack-text.js';

/**
 * `/gateway digest [period]`: the health digest now, for the person who asked only. Ephemeral on
 * purpose: the scheduled digest is what the channel reads every morning; an on-demand one is
 * somebody looking something up, and a 50-block message dropped into an incident channel would
 * push the incident out of view. It covers the gateways this person may check.
 */
export async function handleDigest(
  deps: CommandDeps,
  input: { requester: Requester; periodMs: number; text: string; reply: ReplyEphemeral; replyMessage: ReplyMessage },
): Promise<void> {
  const audit = commandAudit(deps, input.requester, `/gateway ${input.text}`.trim());
  if (!deps.monitoring) {
    await input.reply(md`The digest is not available in this process (no monitoring store).`);
    await audit('failed: monitoring unavailable');
    return;
  }
  const allowed: string[] = [];
  try {
    for (const gateway of gatewayNames(deps.config)) {
      if ((await authorizeGateway(deps.config.access, input.requester, gateway, deps.groups)).allowed) allowed.push(gateway);
    }
  } catch {
    await input.reply(md`⚠️ Could not verify your user groups with Slack right now: try again in a moment.`);
    await audit('failed: authorization lookup');
    return;
  }
  if (allowed.length === 0) {
    await input.reply(md`🚫 Not allowed: you may not check any gateway from here, so there is no digest to show.`);
    await audit('refused: no gateway allowed');
    return;
  }
  const toMs = deps.now();
  try {
    const message = await deps.monitoring.digest({ gateways: allowed, fromMs: toMs - input.periodMs, toMs, title: 'on demand' });
    await input.replyMessage(message);
  } catch (error) {
    deps.logger.warn({ err: error }, 'building the digest failed');
    await input.reply(md`⚠️ The digest is unavailable right now (Redis did not answer). Try again in a minute.`);
    await audit('failed: digest unavailable');
    return;
  }
  await audit(`answered: ${allowed.length} gateway(s)`);
}
