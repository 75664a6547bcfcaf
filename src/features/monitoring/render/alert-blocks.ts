import type { CheckResult } from '../../../check/checker.js';
import type { AlertPost } from '../alerts/policy.js';
import { capBlocks, context, message, section, type Block, type SlackMessage } from '../../../render/blocks.js';
import { code, md, type SlackText } from '../../../render/slack-text.js';
import { renderCheckResults, verdictBlocks } from '../../../render/check-blocks.js';
import { formatDuration, slackDate, utcText } from '../../../render/time-text.js';

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
  /** Lines shown beside the verdict (the fingerprint's "since last good"), from the check enrichment. */
  annotations?: readonly SlackText[];
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
      const lead = md`🚨 *${name} is DOWN* — ${code(post.verdict)} · ${post.failures} scheduled checks failed in a row since ${slackDate(post.startedAt)}. Follow-ups go in this thread.`;
      const text = md`🚨 ${name} is DOWN: ${ctx.result?.diagnosis.headline ?? post.verdict} (since ${utcText(post.startedAt)})`;
      const annotations = ctx.annotations?.length ? new Map([[name, [...ctx.annotations]]]) : undefined;
      const body = ctx.result ? renderCheckResults([ctx.result], { rerun: { gateways: [name] }, ...(annotations ? { annotations } : {}) }).blocks : [];
      return message(
        text,
        capBlocks([section(lead), ...body], (cut) => md`…${cut} more block(s) left out: run ${code(`/gateway check ${name}`)}`),
      );
    }
    case 'reminder': {
      const lead = md`⏰ *${name}* is still DOWN — ${code(post.verdict)} for ${formatDuration(post.at - post.startedAt)} (since ${slackDate(post.startedAt)}).`;
      const every = ctx.reminderIntervalMs ? ` · reminders at most every ${formatDuration(ctx.reminderIntervalMs)}` : '';
      return message(md`⏰ ${name} still DOWN (${post.verdict}) for ${formatDuration(post.at - post.startedAt)}`, [
        section(lead),
        context([md`reminder ${post.n}${every} · ${code(`/gateway history ${name}`)} for the timeline`]),
      ]);
    }
    case 'verdict-changed': {
      const lead = md`🔁 *${name}* is still DOWN, and the verdict changed: ${code(post.from)} → ${code(post.verdict)}.`;
      const primary = ctx.result?.diagnosis.verdicts[0];
      const blocks: Block[] = [section(lead), ...(primary ? verdictBlocks(primary) : []), ...(ctx.annotations?.length ? [context([...ctx.annotations])] : [])];
      return message(md`🔁 ${name}: verdict changed ${post.from} → ${post.verdict}`, blocks);
    }
    case 'resolved': {
      const lead = md`✅ *${name} recovered* — it was down for ${formatDuration(post.endedAt - post.startedAt)} (${code(post.verdict)}), back since ${slackDate(post.endedAt)}.`;
      return message(md`✅ ${name} recovered after ${formatDuration(post.endedAt - post.startedAt)} (was ${post.verdict})`, [section(lead)]);
    }
  }
}

function networkPost(post: AlertPost, ctx: AlertRenderContext): SlackMessage {
  switch (post.kind) {
    case 'alert': {
      const lead = md`📡 *clawops lost its network* — ${networkWhat(post.verdict)}. Gateway alerts are held until it is back (probing goes on). One alert for all of them; follow-ups go in this thread.`;
      const primary = ctx.result?.diagnosis.verdicts[0];
      const evidence = ctx.result ? [context([md`latest: ${ctx.result.diagnosis.headline}`])] : [];
      return message(md`📡 clawops lost its network: ${networkWhat(post.verdict)} (since ${utcText(post.startedAt)})`, [
        section(lead),
        ...(primary && post.verdict === 'bot-node-offline' ? verdictBlocks(primary) : []),
        ...evidence,
      ]);
    }
    case 'reminder':
      return message(md`⏰ clawops still has no network (${formatDuration(post.at - post.startedAt)})`, [
        section(md`⏰ clawops still cannot reach any gateway — for ${formatDuration(post.at - post.startedAt)} (since ${slackDate(post.startedAt)}).`),
        context([md`reminder ${post.n}`]),
      ]);
    case 'verdict-changed':
      return message(md`🔁 clawops network: ${post.from} → ${post.verdict}`, [section(md`🔁 Still no network; now: ${networkWhat(post.verdict)}.`)]);
    case 'resolved':
      return message(md`✅ clawops has its network back after ${formatDuration(post.endedAt - post.startedAt)}`, [
        section(
          md`✅ *clawops has its network back* — gateways answer again after ${formatDuration(post.endedAt - post.startedAt)}. Gateway alerts resume with the next checks.`,
        ),
      ]);
  }
}
