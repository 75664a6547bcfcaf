import { actions, button, context, message, section, type SlackMessage } from './blocks.js';
import { RERUN_ACTION_ID } from './check-blocks.js';
import { bold, code, joinText, md, mention } from './slack-text.js';

/**
 * What replaces a "⏳ Checking…" that no answer will reach: said plainly — why, as far as clawops
 * can tell — with a Re-run button, so nobody in an incident waits on a message that never changes.
 * PURE.
 */
export function renderCheckUnanswered(input: { gateways: string[]; why: string; waitedMs: number; requestedBy?: string }): SlackMessage {
  const names = joinText(input.gateways.map(code), ', ');
  const waited = `${Math.round(input.waitedMs / 1_000)} s`;
  const locally = code(`clawops check ${input.gateways.join(' ')}`);
  const text = md`⚠️ No answer for ${input.gateways.join(', ')} after ${waited}: ${input.why}. Re-run it, or run ${locally} on a worker node.`;
  return message(text, [
    section(md`⚠️ ${bold(md`No answer for ${names}`)} after ${waited}: ${input.why}.`),
    context([md`Re-run it, or run ${locally} on a worker node.${input.requestedBy ? md` · requested by ${mention(input.requestedBy)}` : ''}`]),
    actions('check_actions', [button({ actionId: RERUN_ACTION_ID, text: md`↻ Re-run`, value: JSON.stringify({ gateways: input.gateways }).slice(0, 2000) })]),
  ]);
}
