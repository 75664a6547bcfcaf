import { actions, button, context, escapeMrkdwn, message, section, type SlackMessage } from './blocks.js';
import { RERUN_ACTION_ID } from './check-blocks.js';

/**
 * What replaces a "⏳ Checking…" that no answer will reach: said plainly — why, as far as clawops
 * can tell — with a Re-run button, so nobody in an incident waits on a message that never changes.
 * PURE.
 */
export function renderCheckUnanswered(input: { gateways: string[]; why: string; waitedMs: number; requestedBy?: string }): SlackMessage {
  const names = input.gateways.map((name) => `\`${name}\``).join(', ');
  const waited = `${Math.round(input.waitedMs / 1_000)} s`;
  const text = `⚠️ No answer for ${input.gateways.join(', ')} after ${waited}: ${input.why}. Re-run it, or run \`clawops check ${input.gateways.join(' ')}\` on a worker node.`;
  return message(text, [
    section(`⚠️ *No answer for ${names}* after ${waited}: ${escapeMrkdwn(input.why)}.`),
    context([`Re-run it, or run \`clawops check ${input.gateways.join(' ')}\` on a worker node.${input.requestedBy ? ` · requested by <@${input.requestedBy}>` : ''}`]),
    actions('check_actions', [button({ actionId: RERUN_ACTION_ID, text: '↻ Re-run', value: JSON.stringify({ gateways: input.gateways }).slice(0, 2000) })]),
  ]);
}
