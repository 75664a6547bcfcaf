import { capBlocks, codeSection, context, divider, header, LIMITS, message, section, type Block, type SlackMessage } from '../../render/blocks.js';
import { code, joinText, md, mention, slackDate, truncateText, type SlackText } from '../../render/slack-text.js';
import type { Checklist, ChecklistLine, LineStatus } from './checklist.js';
import { summaryOf } from './checklist.js';
import { renderChecklistMarkdown } from './markdown.js';

/**
 * The checklist in Slack: one section per line with its evidence, then the same checklist as a
 * Markdown block ready to paste into the ticket (in code blocks, cut at line boundaries so that
 * each stays inside Slack's section limit). PURE; every outside string goes through md`…`.
 */
const ICON: Record<LineStatus, string> = { pass: '✅', fail: '❌', unchecked: '⚪', 'not-applicable': '➖' };
const WORD: Record<LineStatus, string> = { pass: 'pass', fail: 'FAIL', unchecked: 'not checked', 'not-applicable': 'n/a' };

function lineText(entry: ChecklistLine, index: number): SlackText {
  const evidence = entry.evidence.map((text) => md`\n• ${text}`);
  const action = entry.action ? md`\n_${entry.status === 'unchecked' ? 'to check it' : 'to do'}:_ ${actionText(entry.action)}` : md``;
  return truncateText(joinText([md`${ICON[entry.status]} *${index + 1}. ${entry.title}* — ${WORD[entry.status]}`, ...evidence, action]), LIMITS.sectionText);
}

/** Our own sentences keep their code spans; md escapes whatever else they hold. */
function actionText(text: string): SlackText {
  return joinText(text.split('`').map((part, index) => (index % 2 === 1 ? code(part) : md`${part}`)));
}

/** The Markdown split into code blocks that each fit a section (at line boundaries). */
export function markdownBlocks(markdown: string): Block[] {
  const budget = LIMITS.sectionText - 200;
  const chunks: string[][] = [[]];
  let used = 0;
  for (const text of markdown.replace(/\n$/, '').split('\n')) {
    // Escaping can grow a line (`&` → `&amp;`); count the escaped length.
    const cost = md`${text}`.length + 1;
    if (used + cost > budget && chunks[chunks.length - 1]!.length) {
      chunks.push([]);
      used = 0;
    }
    chunks[chunks.length - 1]!.push(text);
    used += cost;
  }
  return chunks.map((chunk) => codeSection(chunk));
}

export function renderChecklistBlocks(checklist: Checklist, options: { requestedBy?: string } = {}): SlackMessage {
  const summary = summaryOf(checklist);
  const blocks: Block[] = [
    header(md`Acceptance checklist: ${checklist.gateway}`),
    context([
      md`${checklist.url} · ${slackDate(checklist.checkedAt)} · clawops ${checklist.clientVersion}${options.requestedBy ? md` · asked by ${mention(options.requestedBy)}` : md``}`,
    ]),
    section(md`*${summary}*`),
    ...checklist.lines.map((entry, index) => section(lineText(entry, index))),
    divider(),
    section(md`*For the change ticket* (Markdown, paste as is):`),
    ...markdownBlocks(renderChecklistMarkdown(checklist)),
  ];
  const icon = checklist.allPassed ? '✅' : '❌';
  return message(
    md`${icon} ${checklist.gateway} acceptance: ${summary}`,
    capBlocks(blocks, (cut) => md`${cut} more blocks left out: run \`clawops accept ${checklist.gateway} --format markdown\``),
  );
}
