import * as z from 'zod';
import { isDirectMessageChannel, type Requester } from '../src/slack/authorize.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { parseGatewayCommand } from './parse.js';
import { gatewayNames } from '../src/config/targets.js';
import { requestCheck } from './request-check.js';
import { md } from '../src/render/slack-text.js';

const RerunValueSchema = z.object({ gateways: z.array(z.string()).min(1).max(500) });

/** The Re-run button: the same authorization and path as a typed command. */
export async function handleRerun(
  deps: CommandDeps,
  input: { userId: string; channelId: string | undefined; channelName?: string; value: string | undefined; reply: ReplyEphemeral },
): Promise<void> {
  let value: z.infer<typeof RerunValueSchema> | undefined;
  try {
    const parsed = RerunValueSchema.safeParse(JSON.parse(input.value ?? ''));
    value = parsed.success ? parsed.data : undefined;
  } catch {
    value = undefined;
  }
  if (!value || !input.channelId) {
    await input.reply(md`⚠️ This button is out of date: type \`/gateway check <name>\` instead.`);
    return;
  }
  // Re-validate the names against today's config, exactly as a typed command would be.
  const parsed = parseGatewayCommand(`check ${value.gateways.join(' ')}`, gatewayNames(deps.config));
  if (!parsed.ok || parsed.command.kind !== 'check') {
    await input.reply(parsed.ok ? md`Nothing to re-run.` : md`${parsed.message}`);
    return;
  }
  const requester: Requester = {
    userId: input.userId,
    channelId: input.channelId,
    channelName: input.channelName,
    isDirectMessage: isDirectMessageChannel(input.channelId, input.channelName),
  };
  await requestCheck(deps, {
    requester,
    gateways: parsed.command.gateways,
    source: 'button',
    commandText: `re-run ${parsed.command.gateways.join(' ')}`,
    reply: input.reply,
  });
}
