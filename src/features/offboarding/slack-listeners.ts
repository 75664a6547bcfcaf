import type { App } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { applyPolicyChange, showPolicyChange } from './actions/policy-change.js';
import type { ChecklistDeps, Click } from './actions/context.js';
import { deleteDevice } from './actions/delete-device.js';
import { markDone } from './actions/mark-done.js';
import { openChecklist } from './actions/open-checklist.js';
import { tickTokenRotated } from './actions/token-rotated.js';
import { CHECKLIST_ACTION_PATTERN, actionKind, parseButtonValue, type ChecklistAction } from './button-value.js';
import { md, type SlackText } from '../../render/slack-text.js';

/**
 * Registration only: the `user_change` event and the checklist's buttons. Every button acks first
 * (Slack allows 3 s), then parses its value and hands off; replies are ephemeral to the clicker.
 */
const HANDLERS: Record<ChecklistAction, (deps: ChecklistDeps, click: Click) => Promise<void>> = {
  deleteDevice,
  showPolicy: showPolicyChange,
  applyPolicy: applyPolicyChange,
  tokenRotated: tickTokenRotated,
  markDone,
  openChecklist,
};

export function registerOffboardingListeners(
  app: App,
  deps: { checklist: ChecklistDeps; onUserChange: (input: { eventId?: string; event: unknown }) => Promise<unknown>; logger: Logger },
): void {
  app.event('user_change', async ({ event, body }) => {
    try {
      await deps.onUserChange({ eventId: typeof body.event_id === 'string' ? body.event_id : undefined, event });
    } catch (error) {
      deps.logger.error({ err: error }, 'user_change handling failed');
    }
  });

  app.action({ action_id: CHECKLIST_ACTION_PATTERN }, async ({ ack, body, action, respond }) => {
    await ack();
    const reply = async (text: SlackText) => {
      await respond({ response_type: 'ephemeral', replace_original: false, text: text.mrkdwn });
    };
    try {
      const actionId = 'action_id' in action ? String(action.action_id) : '';
      const kind = actionKind(actionId);
      const value = parseButtonValue('value' in action ? action.value : undefined);
      if (!kind || !value) {
        await reply(md`⚠️ This button is out of date.`);
        return;
      }
      const channel = 'channel' in body ? (body.channel as { id?: string } | undefined) : undefined;
      await HANDLERS[kind](deps.checklist, { userId: body.user.id, ...(channel?.id ? { channelId: channel.id } : {}), value, reply });
    } catch (error) {
      deps.logger.error({ err: error }, 'offboarding action failed');
      await reply(md`⚠️ Something went wrong inside clawops; it is logged. Nothing was done that is not said in the thread.`).catch(() => undefined);
    }
  });
}
