import type { App } from '@slack/bolt';
import { gatewayNames } from '../src/config/targets.js';
import { RERUN_ACTION_ID } from '../src/render/check-blocks.js';
import { isDirectMessageChannel } from '../src/slack/authorize.js';
import type { CommandDeps, ReplyEphemeral } from './deps.js';
import { parseGatewayCommand } from './parse.js';
import { handleCheck } from './check.js';
import { handleList } from './list.js';
import { handleHelp } from './help.js';
import { handleAcl, respondBody } from './acl.js';
import { handleRerun } from './rerun.js';
import { handleOffboard } from './offboard.js';
import { handleHistory } from './history.js';
import { handleMaintenance } from './maintenance.js';
import { handleDigest } from './digest.js';
import { handleAccept } from './accept.js';
import { handleFingerprint } from './fingerprint.js';
import { handleTicket } from './ticket.js';
import { md } from '../src/render/slack-text.js';
import { writeAudit } from '../src/state/audit.js';

/**
 * Registration only: `/gateway` and the Re-run button. Every listener acks first (Slack allows
 * 3 s), then parses and hands off; nothing unhandled reaches a person as a stack trace.
 */
/**
 * Yields to the event loop once after an ack: when a burst of commands arrives together, every
 * one of them is acknowledged before any starts its Slack and Redis round trips (acks are
 * microtask-quick; the work after them is not).
 */
function afterPendingAcks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function registerCommands(app: App, deps: CommandDeps): void {
  app.command('/gateway', async ({ command, ack, respond }) => {
    await ack();
    await afterPendingAcks();
    const reply: ReplyEphemeral = async (text) => {
      await respond({ response_type: 'ephemeral', text: text.mrkdwn });
    };
    // For the outcomes no handler audits itself (usage, help, a failure inside clawops).
    const audit = (outcome: string) =>
      writeAudit(deps.audit, deps.logger, { at: deps.now(), user: command.user_id, channel: command.channel_id, command: `/gateway ${command.text}`, outcome });
    try {
      const parsed = parseGatewayCommand(command.text, gatewayNames(deps.config));
      if (!parsed.ok) {
        await reply(md`${parsed.message}`);
        await audit('usage');
        return;
      }
      const requester = {
        userId: command.user_id,
        channelId: command.channel_id,
        channelName: command.channel_name,
        isDirectMessage: isDirectMessageChannel(command.channel_id, command.channel_name),
      };
      switch (parsed.command.kind) {
        case 'check':
          return await handleCheck(deps, { requester, gateways: parsed.command.gateways, text: command.text, reply });
        case 'list':
          return await handleList(deps, { requester, text: command.text, reply });
        case 'acl':
          return await handleAcl(deps, {
            requester,
            gateways: parsed.command.gateways,
            text: command.text,
            reply,
            replyMessage: async (message) => void (await respond(respondBody(message))),
          });
        case 'history':
          return await handleHistory(deps, {
            requester,
            gateway: parsed.command.gateway,
            text: command.text,
            reply,
            replyMessage: async (message) => void (await respond(respondBody(message))),
          });
        case 'maintenance':
          return await handleMaintenance(deps, { requester, command: parsed.command, text: command.text, reply });
        case 'digest':
          return await handleDigest(deps, {
            requester,
            periodMs: parsed.command.periodMs,
            text: command.text,
            reply,
            replyMessage: async (message) => void (await respond(respondBody(message))),
          });
        case 'accept':
          return await handleAccept(deps, {
            requester,
            gateway: parsed.command.gateway,
            text: command.text,
            reply,
            replyMessage: async (message) => void (await respond(respondBody(message))),
          });
        case 'offboard':
          return await handleOffboard(deps, { requester, target: parsed.command.target, reply });
        case 'fingerprint':
          return await handleFingerprint(deps, {
            requester,
            gateway: parsed.command.gateway,
            text: command.text,
            reply,
            replyMessage: async (message) => void (await respond(respondBody(message))),
          });
        case 'ticket':
          return await handleTicket(deps, { requester, gateway: parsed.command.gateway, text: command.text, reply });
        case 'help':
          await handleHelp({ topic: parsed.command.topic, reply });
          await audit('answered: help');
          return;
        default: {
          // Every subcommand the parser knows is answered above: a new one fails to compile until it is.
          const unhandled: never = parsed.command;
          throw new Error(`unhandled /gateway subcommand ${JSON.stringify(unhandled)}`);
        }
      }
    } catch (error) {
      deps.logger.error({ err: error, command: command.text }, 'gateway command failed');
      await reply(md`⚠️ Something went wrong inside clawops; it is logged. Try again, or run \`clawops check\` on the bot node.`).catch(() => undefined);
      await audit('failed: error inside clawops');
    }
  });

  app.action(RERUN_ACTION_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const reply: ReplyEphemeral = async (text) => {
      await respond({ response_type: 'ephemeral', replace_original: false, text: text.mrkdwn });
    };
    try {
      const channel = 'channel' in body ? (body.channel as { id?: string; name?: string } | undefined) : undefined;
      const value = 'value' in action ? action.value : undefined;
      await handleRerun(deps, { userId: body.user.id, channelId: channel?.id, channelName: channel?.name, value, reply });
    } catch (error) {
      deps.logger.error({ err: error }, 're-run failed');
      await reply(md`⚠️ Something went wrong inside clawops; it is logged.`).catch(() => undefined);
    }
  });
}
