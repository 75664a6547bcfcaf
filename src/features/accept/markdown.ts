import type { Checklist, ChecklistLine, LineStatus } from './checklist.js';
import { summaryOf } from './checklist.js';

/**
 * The checklist as Markdown to paste into a change ticket (GitHub, GitLab, Jira's Markdown). PURE.
 *
 * Evidence is outside text (addresses, Serve targets, policy rules, Gateway replies): every
 * character Markdown or HTML would read is backslash-escaped, `&` becomes `&amp;`, and line
 * breaks are folded, so a value cannot open a link, an image, raw HTML, a heading, a list or a code
 * span, or end a list item. The actions are our own words with code spans; only the characters
 * that could start HTML are escaped there.
 */
// Emphasis, code, links/images (`[`), raw HTML and autolinks (`<`), table cells, strikethrough, GitHub math.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|~$]/g;
const MAX_VALUE = 600;

export function escapeMarkdown(text: string): string {
  // Control characters dropped (they are never part of a value a ticket should show).
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
  const bounded = flat.length > MAX_VALUE ? `${flat.slice(0, MAX_VALUE - 1)}…` : flat;
  return bounded.replace(/&/g, '&amp;').replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}

/** Our own sentences: code spans kept, anything that could start HTML or break the item escaped. */
function ownText(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const MARK: Record<LineStatus, { box: string; word: string }> = {
  pass: { box: '[x]', word: 'PASS' },
  fail: { box: '[ ]', word: 'FAIL' },
  unchecked: { box: '[ ]', word: 'NOT CHECKED' },
  'not-applicable': { box: '[x]', word: 'N/A' },
};

function item(entry: ChecklistLine, index: number): string[] {
  const mark = MARK[entry.status];
  const out = [`- ${mark.box} **${mark.word}** ${index + 1}. ${escapeMarkdown(entry.title)}`];
  for (const evidence of entry.evidence) out.push(`  - evidence: ${escapeMarkdown(evidence)}`);
  if (entry.action) out.push(`  - ${entry.status === 'unchecked' ? 'to check it' : 'to do'}: ${ownText(entry.action)}`);
  return out;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function renderChecklistMarkdown(checklist: Checklist): string {
  const lines = [
    `### Acceptance checklist: ${escapeMarkdown(checklist.gateway)}`,
    '',
    `${escapeMarkdown(checklist.url)} · run ${escapeMarkdown(utc(checklist.checkedAt))} by clawops ${escapeMarkdown(checklist.clientVersion)}`,
    '',
    `**${escapeMarkdown(summaryOf(checklist))}**`,
    '',
    ...checklist.lines.flatMap(item),
    '',
    checklist.allPassed
      ? '_Every line was checked now and passed._'
      : '_A line not checked counts as not passed: configure what it names and run `clawops accept` again._',
  ];
  return `${lines.join('\n')}\n`;
}
