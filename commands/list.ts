import { gatewayNames } from '../src/config/targets.js';
import { authorizeGateway, type Requester } from '../src/slack/authorize.js';
import { commandAudit } from './command-audit.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { code, joinText, md, truncateText } from '../src/render/slack-text.js';
import { STATE_ICON as ICON } from '../src/render/icons.js';

/**
 * `/gateway list` — configured gateways with their last known state. Like the digest, it covers
 * only the gateways this person may check from here (their URL and state are no one else's).
 */
export async function handleList(deps: CommandDeps, input: { requester: Requester; text?: string; reply: ReplyEphemeral }): Promise<void> {
  const audit = commandAudit(deps, input.requester, `/gateway ${input.text ?? 'list'}`.trim());
  const names: string[] = [];
  try {
    for (const gateway of gatewayNames(deps.config)) {
      if ((await authorizeGateway(deps.config.access, input.requester, gateway, deps.groups)).allowed) names.push(gateway);
    }
  } catch {
    await input.reply(md`⚠️ Could not verify your user groups with Slack right now: try again in a moment.`);
    await audit('failed: authorization lookup');
    return;
  }
  if (names.length === 0 && gatewayNames(deps.config).length > 0) {
    await input.reply(md`🚫 Not allowed: you may not check any gateway from here, so there is nothing to list.`);
    await audit('refused: no gateway allowed');
    return;
  }
  const states = await deps.lastState.all().catch(() => undefined);
  const lines = names.map((name) => {
    const gateway = deps.config.gateways[name]!;
    const last = states?.get(name);
    const state = last
      ? `${ICON[last.state]} ${last.state}${last.verdict ? ` (${last.verdict})` : ''}${last.version ? ` · ${last.version}` : ''} · ${last.at.replace('T', ' ').slice(0, 16)} UTC`
      : '— not checked yet';
    return md`• *${name}* ${code(gateway.url)} ${state}`;
  });
  const header = md`*${names.length} gateway(s)*${states ? '' : ' (last states unavailable: Redis did not answer)'}`;
  await input.reply(truncateText(joinText([header, ...lines], '\n'), 3_000));
  await audit(`answered: ${names.length} gateway(s)`);
}
