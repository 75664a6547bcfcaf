import type { FingerprintFeature } from '../src/features/fingerprint/index.js';
import { renderFingerprintSlack } from '../src/features/fingerprint/render-view.js';
import { md } from '../src/render/slack-text.js';
import { mayUseGateways, type Requester } from '../src/slack/authorize.js';
import { commandAudit } from './command-audit.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import type { ReplyMessage } from './history.js';

/**
 * `/gateway fingerprint <name>`: the current and last good fingerprints and their diff, answered to
 * the person only. Authorized as a check of the same gateway.
 */
export async function handleFingerprint(
  deps: CommandDeps & { fingerprints?: FingerprintFeature },
  input: { requester: Requester; gateway: string; text: string; reply: ReplyEphemeral; replyMessage: ReplyMessage },
): Promise<void> {
  const audit = commandAudit(deps, input.requester, `/gateway ${input.text}`.trim(), input.gateway);
  if (!deps.fingerprints) {
    await input.reply(md`Fingerprints are not available in this process.`);
    await audit('failed: fingerprints unavailable');
    return;
  }
  if (!(await mayUseGateways(deps.config.access, input.requester, [input.gateway], deps.groups, { reply: input.reply, audit }))) return;
  let view;
  try {
    view = await deps.fingerprints.view(input.gateway);
  } catch (error) {
    deps.logger.warn({ err: error, gateway: input.gateway }, 'reading fingerprints failed');
    await input.reply(md`⚠️ Fingerprints are unavailable right now (Redis did not answer). Try again in a minute.`);
    await audit('failed: fingerprints unavailable');
    return;
  }
  await input.replyMessage(renderFingerprintSlack(view));
  await audit('answered');
}
