import { visible } from '../../render/terminal.js';
import type { Checklist, LineStatus } from './checklist.js';
import { summaryOf } from './checklist.js';

/** The checklist for a terminal (`clawops accept <name>`): outside text with control characters made visible. PURE. */
const MARK: Record<LineStatus, { text: string; colour: number }> = {
  pass: { text: '✓ PASS', colour: 32 },
  fail: { text: '✗ FAIL', colour: 31 },
  unchecked: { text: '? NOT CHECKED', colour: 33 },
  'not-applicable': { text: '– N/A', colour: 2 },
};

export function renderChecklistForTerminal(checklist: Checklist, options: { color: boolean }): string {
  const paint = (colour: number, text: string) => (options.color ? `\u001b[${colour}m${text}\u001b[0m` : text);
  const out = [`${visible(checklist.gateway)}  ${visible(checklist.url)}  ${paint(checklist.allPassed ? 32 : 31, summaryOf(checklist))}`];
  checklist.lines.forEach((line, index) => {
    const mark = MARK[line.status];
    out.push(`  ${paint(mark.colour, mark.text)}  ${index + 1}. ${visible(line.title)}`);
    for (const evidence of line.evidence) out.push(`      ${visible(evidence)}`);
    if (line.action) out.push(`      ${line.status === 'unchecked' ? 'to check it' : 'to do'}: ${visible(line.action)}`);
  });
  return `${out.join('\n')}\n`;
}
