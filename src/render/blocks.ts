/**
 * Block Kit builders that stay inside Slack's limits by construction: section text ≤ 3000,
 * header ≤ 150, ≤ 10 fields of ≤ 2000, ≤ 25 elements per actions block, button value ≤ 2000,
 * ≤ 50 blocks per message. Every message also carries a plain `text` fallback.
 */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  confirmText: 300,
  messageText: 40_000,
} as const;

export type Block = Record<string, unknown>;
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

/** Slack's mrkdwn needs &, < and > escaped in text that came from elsewhere (evidence, names). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } });

export const section = (mrkdwn: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(mrkdwn, LIMITS.sectionText) } });

export const fields = (items: string[]): Block => ({
  type: 'section',
  fields: items.slice(0, LIMITS.fields).map((item) => ({ type: 'mrkdwn', text: truncate(item, LIMITS.fieldText) })),
});

export const context = (items: string[]): Block => ({
  type: 'context',
  elements: items.slice(0, LIMITS.contextElements).map((item) => ({ type: 'mrkdwn', text: truncate(item, LIMITS.sectionText) })),
});

export const divider = (): Block => ({ type: 'divider' });

/** A monospace block for tables; cut at a line boundary so the fence is never broken. */
export function codeSection(lines: string[]): Block {
  const budget = LIMITS.sectionText - 8;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget) {
      kept.push('…');
      break;
    }
    kept.push(line);
    used += line.length + 1;
  }
  return section(`\`\`\`${kept.join('\n')}\`\`\``);
}

export interface ButtonSpec {
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export function button(spec: ButtonSpec): Block {
  if (spec.value.length > LIMITS.buttonValue) throw new RangeError(`button value for ${spec.actionId} is ${spec.value.length} characters (max ${LIMITS.buttonValue})`);
  return {
    type: 'button',
    action_id: spec.actionId,
    text: { type: 'plain_text', text: truncate(spec.text, LIMITS.buttonText), emoji: true },
    value: spec.value,
    ...(spec.style ? { style: spec.style } : {}),
    ...(spec.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: truncate(spec.confirm.title, 100) },
            text: { type: 'mrkdwn', text: truncate(spec.confirm.text, LIMITS.confirmText) },
            confirm: { type: 'plain_text', text: truncate(spec.confirm.confirm, 30) },
            deny: { type: 'plain_text', text: truncate(spec.confirm.deny, 30) },
          },
        }
      : {}),
  };
}

export const actions = (blockId: string, elements: Block[]): Block => ({ type: 'actions', block_id: blockId, elements: elements.slice(0, LIMITS.actionsElements) });

/** Keeps a message within 50 blocks: the tail is replaced by one line saying what was left out. */
export function capBlocks(blocks: Block[], whatWasCut: (cut: number) => string): Block[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const kept = blocks.slice(0, LIMITS.blocks - 1);
  return [...kept, context([whatWasCut(blocks.length - kept.length)])];
}

export function message(text: string, blocks: Block[]): SlackMessage {
  return { text: truncate(text, 3000), blocks };
}
