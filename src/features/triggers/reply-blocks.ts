import { actions, button, context, fields, message, section, type Block, type SlackMessage } from '../../render/blocks.js';
import { code, md, mention } from '../../render/slack-text.js';
import { SYMPTOM_TABLE, type SymptomId } from '../../diagnosis/symptom-table.js';

/**
 * The one threaded reply to a pasted symptom: the runbook row in its three columns and a way to
 * check — a button per gateway the message names, else a select of the gateways its author may
 * check. PURE; the phrase echoed back is outside text and goes through md`…`.
 */
export const TRIGGER_CHECK_ACTION_ID = 'trigger_check';
export const TRIGGER_SELECT_ACTION_ID = 'trigger_check_select';
const MAX_BUTTONS = 5;
/** Slack's limit for a static select's options. */
const MAX_OPTIONS = 100;

export interface RowValues {
  port: string;
  gatewayPort: string;
  host: string;
  tokenEnv: string;
}

export function fillRow(text: string, values: RowValues): string {
  const table: Record<string, string> = { ...values, deviceId: "clawops' device id (shown by `/gateway check`)" };
  return text.replace(/\{(port|gatewayPort|host|tokenEnv|deviceId)\}/g, (_, key: string) => table[key] ?? key);
}

export interface TriggerReplyInput {
  symptom: SymptomId;
  phrase: string;
  author: string;
  /** Gateways the message names (buttons). */
  named: string[];
  /** When none is named: the gateways the author may check (a select). */
  selectable: string[];
  values: RowValues;
}

export function checkButtonValue(gateway: string): string {
  return JSON.stringify({ gateway });
}

export function renderTriggerReply(input: TriggerReplyInput): SlackMessage {
  const row = SYMPTOM_TABLE[input.symptom];
  const blocks: Block[] = [
    section(md`📖 That looks like the runbook's *${row.title}* (${code(input.symptom)}), from ${code(input.phrase)} in ${mention(input.author)}'s message.`),
    fields([md`*What you see*\n${fillRow(row.see, input.values)}`, md`*Suspect first*\n${fillRow(row.suspect, input.values)}`]),
    section(md`*What to do*\n${fillRow(row.do, input.values)}`),
  ];
  if (input.named.length) {
    blocks.push(
      actions(
        'trigger_check',
        input.named.slice(0, MAX_BUTTONS).map((gateway) =>
          button({
            actionId: input.named.length === 1 ? TRIGGER_CHECK_ACTION_ID : `${TRIGGER_CHECK_ACTION_ID}:${gateway}`,
            text: md`Check ${gateway}`,
            value: checkButtonValue(gateway),
            style: 'primary',
          }),
        ),
      ),
    );
  } else if (input.selectable.length) {
    blocks.push(actions('trigger_check', [staticSelect(input.selectable.slice(0, MAX_OPTIONS))]));
  } else {
    blocks.push(context([md`No gateway named in the message, and none you may check from here: \`/gateway list\` shows them.`]));
  }
  blocks.push(context([md`clawops answers one paste per thread. \`/gateway help verdicts\` lists every row.`]));
  return message(md`📖 Runbook: ${row.title} (${input.symptom})`, blocks);
}

/** Block Kit's static_select, built from escaped text only (gateway names are config names). */
function staticSelect(gateways: string[]): Block {
  const option = (gateway: string) => ({ text: { type: 'plain_text', text: md`${gateway}`.mrkdwn, emoji: false }, value: gateway });
  return {
    type: 'static_select',
    action_id: TRIGGER_SELECT_ACTION_ID,
    placeholder: { type: 'plain_text', text: 'Check a gateway…', emoji: false },
    options: gateways.map(option),
  } as unknown as Block;
}
