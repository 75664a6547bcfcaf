/**
 * The Block Kit limits Slack enforces on messages, checked the way Slack reports them
 * (`invalid_blocks` with `errors` naming a json-pointer). Only the limits a chat-ops bot can
 * plausibly hit are here; the point is that a renderer which overflows fails in tests, not in
 * a channel during an incident.
 */
const MAX_BLOCKS = 50;
const MAX_BLOCK_ID = 255;
const MAX_SECTION_TEXT = 3000;
const MAX_SECTION_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;
const MAX_HEADER_TEXT = 150;
const MAX_CONTEXT_ELEMENTS = 10;
const MAX_ACTIONS_ELEMENTS = 25;
const MAX_BUTTON_TEXT = 75;
const MAX_ACTION_ID = 255;
const MAX_BUTTON_VALUE = 2000;
const MAX_BUTTON_URL = 3000;
const MAX_CONFIRM_TITLE = 100;
const MAX_CONFIRM_TEXT = 300;
const MAX_CONFIRM_BUTTON = 30;

const KNOWN_BLOCK_TYPES = new Set(['actions', 'context', 'divider', 'file', 'header', 'image', 'input', 'markdown', 'rich_text', 'section', 'table', 'video']);

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

class Problems {
  readonly list: string[] = [];
  add(message: string, pointer: string): void {
    this.list.push(`${message} [json-pointer:${pointer}]`);
  }
  /** A text object: `{type: plain_text|mrkdwn, text}` with 1..max characters. */
  textObject(value: unknown, pointer: string, max: number, plainOnly = false): void {
    if (!isObject(value)) return this.add('must provide an object', pointer);
    const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (typeof value.type !== 'string' || !allowed.includes(value.type)) {
      this.add(`must be one of: ${allowed.join(', ')}`, `${pointer}/type`);
    }
    this.length(value.text, `${pointer}/text`, max, 1);
  }
  length(value: unknown, pointer: string, max: number, min = 0): void {
    if (typeof value !== 'string') return this.add('must be a string', pointer);
    if (value.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
    if (value.length < min) this.add(`must be more than ${min - 1} characters`, pointer);
  }
  optionalLength(value: unknown, pointer: string, max: number): void {
    if (value !== undefined) this.length(value, pointer, max);
  }
}

/** Problems with a message's `blocks`, empty when Slack would accept them. */
export function blockKitProblems(blocks: unknown): string[] {
  const problems = new Problems();
  if (!Array.isArray(blocks)) {
    problems.add('must provide an array', '/blocks');
    return problems.list;
  }
  if (blocks.length > MAX_BLOCKS) problems.add(`no more than ${MAX_BLOCKS} items allowed`, '/blocks');
  const actionIds = new Set<string>();
  blocks.forEach((block, index) => checkBlock(block, `/blocks/${index}`, problems, actionIds));
  return problems.list;
}

function checkBlock(block: unknown, pointer: string, problems: Problems, actionIds: Set<string>): void {
  if (!isObject(block)) return problems.add('must provide an object', pointer);
  if (typeof block.type !== 'string' || !KNOWN_BLOCK_TYPES.has(block.type)) {
    return problems.add('failed to match all allowed schemas', pointer);
  }
  problems.optionalLength(block.block_id, `${pointer}/block_id`, MAX_BLOCK_ID);
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined) {
        problems.add('must provide either text or fields', pointer);
      }
      if (block.text !== undefined) problems.textObject(block.text, `${pointer}/text`, MAX_SECTION_TEXT);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) problems.add('must provide an array', `${pointer}/fields`);
        else {
          if (block.fields.length > MAX_SECTION_FIELDS) {
            problems.add(`no more than ${MAX_SECTION_FIELDS} items allowed`, `${pointer}/fields`);
          }
          block.fields.forEach((field, i) => problems.textObject(field, `${pointer}/fields/${i}`, MAX_FIELD_TEXT));
        }
      }
      if (block.accessory !== undefined) checkElement(block.accessory, `${pointer}/accessory`, problems, actionIds);
      return;
    case 'header':
      return problems.textObject(block.text, `${pointer}/text`, MAX_HEADER_TEXT, true);
    case 'context':
      if (!Array.isArray(block.elements)) return problems.add('must provide an array', `${pointer}/elements`);
      if (block.elements.length > MAX_CONTEXT_ELEMENTS) {
        problems.add(`no more than ${MAX_CONTEXT_ELEMENTS} items allowed`, `${pointer}/elements`);
      }
      return;
    case 'actions':
      if (!Array.isArray(block.elements)) return problems.add('must provide an array', `${pointer}/elements`);
      if (block.elements.length > MAX_ACTIONS_ELEMENTS) {
        problems.add(`no more than ${MAX_ACTIONS_ELEMENTS} items allowed`, `${pointer}/elements`);
      }
      block.elements.forEach((element, i) => checkElement(element, `${pointer}/elements/${i}`, problems, actionIds));
      return;
    default:
      return;
  }
}

function checkElement(element: unknown, pointer: string, problems: Problems, actionIds: Set<string>): void {
  if (!isObject(element)) return problems.add('must provide an object', pointer);
  if (typeof element.action_id === 'string') {
    problems.length(element.action_id, `${pointer}/action_id`, MAX_ACTION_ID);
    // Slack refuses a message whose interactive elements share an action_id.
    if (actionIds.has(element.action_id)) problems.add('duplicate action_id', `${pointer}/action_id`);
    actionIds.add(element.action_id);
  }
  if (element.type !== 'button') return;
  problems.textObject(element.text, `${pointer}/text`, MAX_BUTTON_TEXT, true);
  problems.optionalLength(element.value, `${pointer}/value`, MAX_BUTTON_VALUE);
  problems.optionalLength(element.url, `${pointer}/url`, MAX_BUTTON_URL);
  if (element.confirm !== undefined) {
    const confirm = element.confirm;
    const at = `${pointer}/confirm`;
    if (!isObject(confirm)) return problems.add('must provide an object', at);
    problems.textObject(confirm.title, `${at}/title`, MAX_CONFIRM_TITLE, true);
    problems.textObject(confirm.text, `${at}/text`, MAX_CONFIRM_TEXT);
    problems.textObject(confirm.confirm, `${at}/confirm`, MAX_CONFIRM_BUTTON, true);
    problems.textObject(confirm.deny, `${at}/deny`, MAX_CONFIRM_BUTTON, true);
  }
}
