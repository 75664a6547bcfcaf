/**
 * Finding a button on a stored message, so a test can "click" what the app actually rendered
 * (its block_id, value and label) instead of hand-writing a payload that may have drifted.
 */
import type { ActionInput } from './payloads.js';

type Element = Record<string, unknown>;

function interactiveElements(blocks: unknown[]): Array<{ blockId: string; element: Element }> {
  const found: Array<{ blockId: string; element: Element }> = [];
  for (const block of blocks as Element[]) {
    const blockId = typeof block.block_id === 'string' ? block.block_id : '';
    const elements = Array.isArray(block.elements) ? (block.elements as Element[]) : [];
    const accessory = typeof block.accessory === 'object' && block.accessory !== null ? [block.accessory as Element] : [];
    for (const element of [...elements, ...accessory]) if (typeof element.action_id === 'string') found.push({ blockId, element });
  }
  return found;
}

export function listActionIds(blocks: unknown[]): string[] {
  return interactiveElements(blocks).map((e) => String(e.element.action_id));
}

export function findAction(blocks: unknown[], actionId: string): ActionInput | undefined {
  const hit = interactiveElements(blocks).find((e) => e.element.action_id === actionId);
  if (hit === undefined) return undefined;
  const text = (hit.element.text as { text?: unknown } | undefined)?.text;
  return {
    action_id: actionId,
    block_id: hit.blockId,
    type: String(hit.element.type ?? 'button'),
    ...(typeof hit.element.value === 'string' ? { value: hit.element.value } : {}),
    ...(typeof text === 'string' ? { text } : {}),
  };
}
