import { EMPTY, slackText, truncateText, type SlackText } from './slack-text.js';

/**
 * Block Kit builders that stay inside Slack's limits by construction: section text ≤ 3000,
 * header ≤ 150, ≤ 10 fields of ≤ 2000, ≤ 25 elements per actions block, button value ≤ 2000,
 * ≤ 50 blocks per message. Every message also carries a `text` fallback. Every text they take is a
 * `SlackText` (slack-text.ts), escaped by construction: no outside string reaches Slack raw.
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

declare const BLOCK: unique symbol;
declare const MESSAGE: unique symbol;
/** A Block Kit block made by the builders below (never by hand: its text would not be escaped). */
export type Block = Record<string, unknown> & { readonly [BLOCK]: true };
export type SlackMessage = { readonly text: string; readonly blocks: Block[] } & { readonly [MESSAGE]: true };

/** For plain strings that are cut before they are escaped (evidence, names). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1)}…`;
}

const block = (shape: Record<string, unknown>): Block => shape as Block;
/** A mrkdwn object. `verbatim`: Slack links nothing in it by itself, only our own `<…>` tokens. */
const mrkdwn = (text: SlackText, max: number) => ({ type: 'mrkdwn', text: truncateText(text, max).mrkdwn, verbatim: true });
/** A plain_text object: escaped as well (Slack decodes `&amp;`, `&lt;`, `&gt;` there too). */
const plain = (text: SlackText, max: number, emoji = true) => ({ type: 'plain_text', text: truncateText(text, max).mrkdwn, ...(emoji ? { emoji: true } : {}) });

export const header = (text: SlackText): Block => block({ type: 'header', text: plain(text, LIMITS.headerText) });

/** A section; `accessory` is a button made by `button()`. */
export const section = (text: SlackText, accessory?: Block): Block =>
  block({ type: 'section', text: mrkdwn(text, LIMITS.sectionText), ...(accessory ? { accessory } : {}) });

export const fields = (items: SlackText[]): Block =>
  block({ type: 'section', fields: items.slice(0, LIMITS.fields).map((item) => mrkdwn(item, LIMITS.fieldText)) });

export const context = (items: SlackText[]): Block =>
  block({ type: 'context', elements: items.slice(0, LIMITS.contextElements).map((item) => mrkdwn(item, LIMITS.sectionText)) });

export const divider = (): Block => block({ type: 'divider' });

const FENCE = '```';

/**
 * A monospace block for tables of plain lines (escaped here, as every outside string is); cut at a
 * line boundary so the fence is never broken, and a fence inside a line cannot close it early.
 */
export function codeSection(lines: string[]): Block {
  const budget = LIMITS.sectionText - 8;
  const kept: string[] = [];
  let used = 0;
  for (const line of lines) {
    const safe = slackText(line.split(FENCE).join("'''")).mrkdwn;
    if (used + safe.length + 1 > budget) {
      kept.push('…');
      break;
    }
    kept.push(safe);
    used += safe.length + 1;
  }
  return block({ type: 'section', text: { type: 'mrkdwn', text: `${FENCE}${kept.join('\n')}${FENCE}`, verbatim: true } });
}

export interface ButtonSpec {
  actionId: string;
  text: SlackText;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: SlackText; text: SlackText; confirm: SlackText; deny: SlackText };
}

export function button(spec: ButtonSpec): Block {
  if (spec.value.length > LIMITS.buttonValue)
    throw new RangeError(`button value for ${spec.actionId} is ${spec.value.length} characters (max ${LIMITS.buttonValue})`);
  return block({
    type: 'button',
    action_id: spec.actionId,
    text: plain(spec.text, LIMITS.buttonText),
    value: spec.value,
    ...(spec.style ? { style: spec.style } : {}),
    ...(spec.confirm
      ? {
          confirm: {
            title: plain(spec.confirm.title, 100, false),
            text: mrkdwn(spec.confirm.text, LIMITS.confirmText),
            confirm: plain(spec.confirm.confirm, 30, false),
            deny: plain(spec.confirm.deny, 30, false),
          },
        }
      : {}),
  });
}

export const actions = (blockId: string, elements: Block[]): Block =>
  block({ type: 'actions', block_id: blockId, elements: elements.slice(0, LIMITS.actionsElements) });

/** Keeps a message within 50 blocks: the tail is replaced by one line saying what was left out. */
export function capBlocks(blocks: Block[], whatWasCut: (cut: number) => SlackText): Block[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const kept = blocks.slice(0, LIMITS.blocks - 1);
  return [...kept, context([whatWasCut(blocks.length - kept.length)])];
}

const fallbacks = new WeakMap<SlackMessage, SlackText>();

/** The only way to a message. The `text` fallback is escaped text too: Slack parses it alike. */
export function message(text: SlackText, blocks: Block[]): SlackMessage {
  const built = { text: truncateText(text, 3000).mrkdwn, blocks } as unknown as SlackMessage;
  fallbacks.set(built, text);
  return built;
}

/** The fallback a message was built with, to extend it (a footer, a problem) without escaping it twice. */
export function fallbackOf(built: SlackMessage): SlackText {
  return fallbacks.get(built) ?? EMPTY;
}
