import { context, header, message, section, type Block, type SlackMessage } from '../../render/blocks.js';
import { code, joinText, md, slackDate, utcText } from '../../render/slack-text.js';
import { visible } from '../../render/terminal.js';
import { changePieces, joinPieces, type Piece } from './change-text.js';
import type { FingerprintChange } from './model.js';
import { markdownPieces, slackPieces, terminalPieces } from './render.js';
import { fingerprintLines, type FingerprintView } from './view.js';

/**
 * The fingerprint view for Slack (an ephemeral message of blocks), the terminal and Markdown (the
 * ticket bundle). PURE; outside names go through the medium's own escaping (render.ts).
 */
const STATE_ICON = { healthy: '✅', degraded: '🟡', unhealthy: '🔴' } as const;

export function renderFingerprintSlack(view: FingerprintView): SlackMessage {
  const blocks: Block[] = [header(md`🧬 ${view.gateway} fingerprint`)];
  if (!view.current && !view.lastGood) {
    const text = md`No fingerprint of ${code(view.gateway)} yet: it is taken after every check that is up. Run ${code(`/gateway check ${view.gateway}`)}.`;
    return message(text, [...blocks, section(text)]);
  }
  if (view.current) {
    const current = view.current;
    blocks.push(
      section(
        joinText(
          [
            md`*Current* (${STATE_ICON[current.state]} ${current.state}, ${slackDate(current.at)})`,
            ...fingerprintLines(current).map((line) => slackPieces(line)),
          ],
          '\n',
        ),
      ),
    );
  }
  if (view.lastGood) {
    const same = view.current && view.changes.length === 0;
    const good = view.lastGood;
    const title = md`*Last good* (first seen ${slackDate(good.firstSeenAt)}, last ${slackDate(good.lastSeenAt)})`;
    blocks.push(
      section(
        same ? md`${title}: the same as the current one` : joinText([title, ...fingerprintLines(good.fingerprint).map((line) => slackPieces(line))], '\n'),
      ),
    );
  }
  if (view.current && view.lastGood && view.changes.length) blocks.push(section(md`*What changed since last good:* ${slackChanges(view.changes)}`));
  if (view.previous)
    blocks.push(
      context([
        md`changed at ${slackDate(view.previous.changedAt)} from the good one before (${slackDate(view.previous.good.lastSeenAt)}): ${
          view.previous.changes.length ? slackChanges(view.previous.changes) : md`nothing both recorded`
        }`,
      ]),
    );
  if (!view.lastGood) blocks.push(context([md`no good check recorded yet: nothing to compare with`]));
  const text = md`🧬 ${view.gateway} fingerprint${view.changes.length ? md`: ${view.changes.length} change(s) since last good` : ''}`;
  return message(text, blocks);
}

function slackChanges(changes: FingerprintChange[]) {
  return slackPieces(joinPieces(changes.map(changePieces), ' · '));
}

export function renderFingerprintTerminal(view: FingerprintView): string {
  const lines: string[] = [`${visible(view.gateway)} fingerprint`];
  if (!view.current && !view.lastGood) return `${lines[0]}\n  none yet: it is taken after every check that is up (clawops check ${visible(view.gateway)})\n`;
  if (view.current) {
    lines.push(
      `  current (${view.current.state}, ${utcText(view.current.at)})`,
      ...fingerprintLines(view.current).map((line) => `    ${terminalPieces(line)}`),
    );
  }
  if (view.lastGood) {
    const good = view.lastGood;
    const title = `  last good (first seen ${utcText(good.firstSeenAt)}, last ${utcText(good.lastSeenAt)})`;
    if (view.current && view.changes.length === 0) lines.push(`${title}: the same as the current one`);
    else lines.push(title, ...fingerprintLines(good.fingerprint).map((line) => `    ${terminalPieces(line)}`));
  } else lines.push('  no good check recorded yet: nothing to compare with');
  if (view.current && view.lastGood && view.changes.length)
    lines.push('  changed since last good:', ...view.changes.map((change) => `    ${terminalPieces(changePieces(change))}`));
  if (view.previous)
    lines.push(
      `  changed at ${utcText(view.previous.changedAt)} from the good one before:`,
      ...(view.previous.changes.length ? view.previous.changes.map((change) => `    ${terminalPieces(changePieces(change))}`) : ['    nothing both recorded']),
    );
  return `${lines.join('\n')}\n`;
}

export function renderFingerprintMarkdown(view: FingerprintView): string {
  const lines: string[] = [];
  const list = (pieces: Piece[][]) => pieces.map((line) => `- ${markdownPieces(line)}`);
  if (view.current) lines.push(`**Current** (${view.current.state}, ${utcText(view.current.at)})`, '', ...list(fingerprintLines(view.current)), '');
  if (view.lastGood) {
    const good = view.lastGood;
    lines.push(`**Last good** (first seen ${utcText(good.firstSeenAt)}, last ${utcText(good.lastSeenAt)})`, '');
    lines.push(...(view.current && view.changes.length === 0 ? ['- the same as the current one'] : list(fingerprintLines(good.fingerprint))), '');
  } else lines.push('No good check recorded yet: nothing to compare with.', '');
  if (view.current && view.lastGood)
    lines.push('**What changed since last good**', '', ...(view.changes.length ? list(view.changes.map(changePieces)) : ['- nothing']), '');
  if (view.previous)
    lines.push(
      `**Changed at ${utcText(view.previous.changedAt)}** from the good one before`,
      '',
      ...(view.previous.changes.length ? list(view.previous.changes.map(changePieces)) : ['- nothing both recorded']),
      '',
    );
  return lines.join('\n');
}
