import { gatewayNames } from '../src/config/targets.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';

const ICON = { healthy: '✅', degraded: '🟡', unhealthy: '🔴' } as const;

/** `/gateway list` — configured gateways with their last known state. */
export async function handleList(deps: CommandDeps, input: { reply: ReplyEphemeral }): Promise<void> {
  const names = gatewayNames(deps.config);
  const states = await deps.lastState.all().catch(() => undefined);
  const lines = names.map((name) => {
    const gateway = deps.config.gateways[name]!;
    const last = states?.get(name);
    const state = last ? `${ICON[last.state]} ${last.state}${last.verdict ? ` (${last.verdict})` : ''}${last.version ? ` · ${last.version}` : ''} · ${last.at.replace('T', ' ').slice(0, 16)} UTC` : '— not checked yet';
    return `• *${name}* \`${gateway.url}\` ${state}`;
  });
  const header = `*${names.length} gateway(s)*${states ? '' : ' (last states unavailable: Redis did not answer)'}`;
  await input.reply([header, ...lines].join('\n').slice(0, 3_000));
}
