import type { Logger } from '../../log.js';
import type { SlackMessage } from '../../render/blocks.js';
import { md, type SlackText } from '../../render/slack-text.js';
import { mayUseGateways, type GroupMembership, type Requester } from '../../slack/authorize.js';
import { writeAudit, type AuditLog } from '../../state/audit.js';
import { evaluateChecklist, summaryOf, type Checklist } from './checklist.js';
import { renderChecklistBlocks } from './blocks.js';
import { gatherAcceptFacts, type GatherDeps } from './gather.js';

/**
 * `/gateway accept <name>` and `clawops accept <name>`: the change-ticket checklist, run now.
 * Who may run it is who may check the gateway (the same access rules as `/gateway check`): the
 * checklist runs a check and shows what the host agent and the ACL audit see of it.
 */
export interface AcceptFeatureDeps extends GatherDeps {
  groups?: GroupMembership;
  audit?: AuditLog;
  logger: Logger;
}

export interface AcceptSlashInput {
  requester: Requester;
  gateway: string;
  /** The command as typed, for the audit stream. */
  commandText: string;
  reply: (text: SlackText) => Promise<void>;
  replyMessage: (message: SlackMessage) => Promise<void>;
}

export interface AcceptFeature {
  /** Gathers the facts and evaluates the checklist (the terminal and Slack share it). */
  run(gateway: string): Promise<Checklist>;
  /** The Slack command: authorize, run, answer the person who asked (ephemeral), audit. */
  handleSlashCommand(input: AcceptSlashInput): Promise<void>;
}

export function createAcceptFeature(deps: AcceptFeatureDeps): AcceptFeature {
  const run = async (gateway: string) => evaluateChecklist(await gatherAcceptFacts(deps, gateway));
  return {
    run,
    async handleSlashCommand(input) {
      const started = deps.now();
      const { requester, gateway } = input;
      const audit = async (outcome: string) => {
        if (deps.audit)
          await writeAudit(deps.audit, deps.logger, {
            at: deps.now(),
            user: requester.userId,
            channel: requester.channelId,
            command: input.commandText,
            target: gateway,
            outcome,
            durationMs: deps.now() - started,
          });
        deps.logger.info({ user: requester.userId, channel: requester.channelId, command: input.commandText, gateway, outcome }, 'gateway command');
      };
      if (!deps.groups) {
        await input.reply(md`⚠️ The acceptance checklist is not available in this process.`);
        await audit('failed: not wired');
        return;
      }
      if (!(await mayUseGateways(deps.config.access, requester, [gateway], deps.groups, { reply: input.reply, audit }))) return;
      await input
        .reply(md`⏳ Running the acceptance checklist for ${gateway}: a check from this node, the host agent, the public address, the ACL…`)
        .catch(() => undefined);
      let checklist: Checklist;
      try {
        checklist = await run(gateway);
      } catch (error) {
        deps.logger.error({ err: error, gateway }, 'acceptance checklist failed');
        await input.reply(md`⚠️ The checklist could not run; it is logged. Try again, or run \`clawops accept ${gateway}\` on the bot node.`);
        await audit('failed: error inside clawops');
        return;
      }
      await input.replyMessage(renderChecklistBlocks(checklist, { requestedBy: requester.userId }));
      await audit(`answered: ${summaryOf(checklist)}`);
    },
  };
}
