import type { Offboarding } from '../model.js';
import type { DigestSection } from '../../../render/digest-section.js';
import { context, section } from '../../../render/blocks.js';
import { formatAge, summaryLine, summaryText } from './offboarding-summary.js';
import { EMPTY, joinText, link, md, truncateText } from '../../../render/slack-text.js';

/** The digest's offboarding section: each open checklist with its age and what is left. PURE. */
export const DIGEST_LINES = 10;

export function renderOffboardingDigest(
  open: readonly Offboarding[],
  options: { now: number; linkFor?: (offboarding: Offboarding) => string | undefined },
): DigestSection | undefined {
  if (open.length === 0) return undefined;
  const oldestFirst = [...open].sort((a, b) => a.openedAt - b.openedAt);
  const shown = oldestFirst.slice(0, DIGEST_LINES);
  const age = (offboarding: Offboarding) => formatAge(options.now - offboarding.openedAt);
  const line = (offboarding: Offboarding) => {
    const url = options.linkFor?.(offboarding);
    return md`• open ${age(offboarding)} · ${summaryText(offboarding, { now: options.now })}${url ? md` · ${link(url, 'checklist')}` : EMPTY}`;
  };
  const plainLine = (offboarding: Offboarding) => truncateText(md`• open ${age(offboarding)} · ${summaryLine(offboarding, { now: options.now })}`, 200);
  const more = open.length - shown.length;
  return {
    title: `Open offboardings (${open.length})`,
    blocks: [
      section(truncateText(joinText(shown.map(line), '\n'), 2_900)),
      ...(more > 0 ? [context([md`…and ${more} more: \`/gateway\` verdicts carry the reminder with a button to all checklists`])] : []),
    ],
    text: joinText([md`${open.length} offboarding(s) open:`, ...shown.map(plainLine), ...(more > 0 ? [md`…and ${more} more`] : [])], '\n'),
  };
}
