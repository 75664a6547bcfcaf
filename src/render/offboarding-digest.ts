import type { Offboarding } from '../offboarding/model.js';
import type { DigestSection } from './digest-section.js';
import { context, section, truncate } from './blocks.js';
import { formatAge, summaryLine } from './offboarding-summary.js';

/** The digest's offboarding section: each open checklist with its age and what is left. PURE. */
export const DIGEST_LINES = 10;

export function renderOffboardingDigest(open: readonly Offboarding[], options: { now: number; linkFor?: (offboarding: Offboarding) => string | undefined }): DigestSection | undefined {
  if (open.length === 0) return undefined;
  const oldestFirst = [...open].sort((a, b) => a.openedAt - b.openedAt);
  const shown = oldestFirst.slice(0, DIGEST_LINES);
  const line = (offboarding: Offboarding, format: 'mrkdwn' | 'plain') => {
    const link = format === 'mrkdwn' ? options.linkFor?.(offboarding) : undefined;
    return `• open ${formatAge(options.now - offboarding.openedAt)} · ${summaryLine(offboarding, { now: options.now, format })}${link ? ` · <${link}|checklist>` : ''}`;
  };
  const more = open.length - shown.length;
  return {
    title: `Open offboardings (${open.length})`,
    blocks: [section(truncate(shown.map((offboarding) => line(offboarding, 'mrkdwn')).join('\n'), 2_900)), ...(more > 0 ? [context([`…and ${more} more: \`/gateway\` verdicts carry the reminder with a button to all checklists`])] : [])],
    text: [`${open.length} offboarding(s) open:`, ...shown.map((offboarding) => truncate(line(offboarding, 'plain'), 200)), ...(more > 0 ? [`…and ${more} more`] : [])].join('\n'),
  };
}
