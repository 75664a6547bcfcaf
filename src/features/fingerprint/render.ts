import { visible } from '../../render/terminal.js';
import { code, joinText, md, slackDate, utcText, type SlackText } from '../../render/slack-text.js';
import { sinceLastGoodPieces, type Piece } from './change-text.js';
import type { SinceLastGood } from './diff.js';

/**
 * "since last good (Tue 09:12): version 2026.9.2 → 2026.9.6 · methods +4 −1 (`sessions.reset` gone)"
 * for Slack (outside names through `code()`, the time as a Slack date), the terminal and Markdown.
 * PURE.
 */
export function sinceLastGoodSlack(since: SinceLastGood): SlackText {
  return md`🧬 ${slackPieces(sinceLastGoodPieces(since))}`;
}

export function sinceLastGoodTerminal(since: SinceLastGood): string {
  return terminalPieces(sinceLastGoodPieces(since));
}

export function sinceLastGoodMarkdown(since: SinceLastGood): string {
  return markdownPieces(sinceLastGoodPieces(since));
}

export function slackPieces(pieces: Piece[]): SlackText {
  return joinText(pieces.map((piece) => (typeof piece === 'string' ? piece : 'when' in piece ? slackDate(piece.when) : code(piece.outside))));
}

export function terminalPieces(pieces: Piece[]): string {
  return pieces.map((piece) => (typeof piece === 'string' ? piece : 'when' in piece ? utcText(piece.when) : visible(piece.outside))).join('');
}

export function markdownPieces(pieces: Piece[]): string {
  return pieces.map((piece) => (typeof piece === 'string' ? piece : 'when' in piece ? utcText(piece.when) : markdownCode(piece.outside))).join('');
}

/** Inline code in Markdown: a backtick inside could close the span, so it becomes `'`. */
export function markdownCode(text: string): string {
  return `\`${visible(text).replace(/`/g, "'")}\``;
}
