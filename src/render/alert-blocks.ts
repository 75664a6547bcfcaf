import type { CheckResult } from '../check/checker.js';
import type { AlertPost } from '../alerts/policy.js';
import { capBlocks, context, escapeMrkdwn, message, section, type Block, type SlackMessage } from './blocks.js';
import { renderCheckResults, verdictBlocks } from './check-blocks.js';
import { formatDuration, slackDate, utcText } from './time-text.js';

/**
 * The alert and its thread: the alert carries the whole verdict (as a check does, with Re-run);
 * the follow-ups are short and say what changed. clawops' own network has its own words: it is
 * not a gateway. PURE.
 */
export interface AlertRenderContext {
  /** The gateway, or clawops' network. */
  network: boolean;
  /** The result the post is about (the alert; a verdict change). */
  result?: CheckResult;
  reminderIntervalMs?: number;
}

const NETWORK_WHAT: Record<string, string> = {
  'bot-node-offline': "tailscaled on clawops' own node is not running or not logged in",
  unreachable: "every gateway fails below the gateway at once (DNS, the tailnet path or TCP timeouts): the common factor is clawops' own node or its network",
};

function networkWhat(verdict: string): string {
  return NETWORK_WHAT[verdict] ?? verdict;
}

export function renderAlertPost(post: AlertPost, ctx: AlertRenderContext): SlackMessage {
  return ctx.network ? networkPost(post, ctx) : gatewayPost(post, ctx);
}

function gatewayPost(post: AlertPost, ctx: AlertRenderContext): SlackMessage {
  const name = post.subject;
  switch (post.kind) {
    case 'alert': {
      const lead = `🚨 *${name} is DOWN* — \`${post.verdict}\` · ${post.failures} scheduled checks failed in a row since ${slackDate(post.startedAt)}. Follow-ups go in this thread.`;
      const text = `🚨 ${name} is DOWN: ${ctx.result?.diagnosis.headline ?? post.verdict} (since ${utcText(post.startedAt)})`;
      const body = ctx.result ? renderCheckResults([ctx.result], { rerun: { gateways: [name] } }).blocks : [];
      return message(text, capBlocks([section(lead), ...body], (cut) => `…${cut} more block(s) left out: run \`/gateway check ${name}\``));
    }
    case 'reminder': {
      const lead = `⏰ *${name}* is still DOWN — \`${post.verdict}\` for ${formatDuration(post.at - post.startedAt)} (since ${slackDate(post.startedAt)}).`;
      const every = ctx.reminderIntervalMs ? ` · reminders at most every ${formatDuration(ctx.reminderIntervalMs)}` : '';
      return message(`⏰ ${name} still DOWN (${post.verdict}) for ${formatDuration(post.at - post.startedAt)}`, [section(lead), context([`reminder ${post.n}${every} · \`/gateway history ${name}\` for the timeline`])]);
    }
    case 'verdict-changed': {
      const lead = `🔁 *${name}* is still DOWN, and the verdict changed: \`${post.from}\` → \`${post.verdict}\`.`;
      const primary = ctx.result?.diagnosis.verdicts[0];
      const blocks: Block[] = [section(lead), ...(primary ? verdictBlocks(primary) : [])];
      return message(`🔁 ${name}: verdict changed ${post.from} → ${post.verdict}`, blocks);
    }
    case 'resolved': {
      const lead = `✅ *${name} recovered* — it was down for ${formatDuration(post.endedAt - post.startedAt)} (\`${post.verdict}\`), back since ${slackDate(post.endedAt)}.`;
      return message(`✅ ${name} recovered after ${formatDuration(post.endedAt - post.startedAt)} (was ${post.verdict})`, [section(lead)]);
    }
  }
}

function networkPost(post: AlertPost, ctx: AlertRenderContext): SlackMessage {
  switch (post.kind) {
    case 'alert': {
      const lead = `📡 *clawops lost its network* — ${escapeMrkdwn(networkWhat(post.verdict))}. Gateway alerts are held until it is back (probing goes on). One alert for all of them; follow-ups go in this thread.`;
      const primary = ctx.result?.diagnosis.verdicts[0];
      const evidence = ctx.result ? [context([`latest: ${escapeMrkdwn(ctx.result.diagnosis.headline)}`])] : [];
      return message(`📡 clawops lost its network: ${networkWhat(post.verdict)} (since ${utcText(post.startedAt)})`, [section(lead), ...(primary && post.verdict === 'bot-node-offline' ? verdictBlocks(primary) : []), ...evidence]);
    }
    case 'reminder':
      return message(`⏰ clawops still has no network (${formatDuration(post.at - post.startedAt)})`, [section(`⏰ clawops still cannot reach any gateway — for ${formatDuration(post.at - post.startedAt)} (since ${slackDate(post.startedAt)}).`), context([`reminder ${post.n}`])]);
    case 'verdict-changed':
      return message(`🔁 clawops network: ${post.from} → ${post.verdict}`, [section(`🔁 Still no network; now: ${escapeMrkdwn(networkWhat(post.verdict))}.`)]);
    case 'resolved':
      return message(`✅ clawops has its network back after ${formatDuration(post.endedAt - post.startedAt)}`, [section(`✅ *clawops has its network back* — gateways answer again after ${formatDuration(post.endedAt - post.startedAt)}. Gateway alerts resume with the next checks.`)]);
  }
}
