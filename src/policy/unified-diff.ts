/**
 * A small unified diff of two texts, for showing a policy edit in Slack or a pull request before
 * it is applied. Line-based LCS on the region between the common prefix and suffix; a policy edit
 * touches few lines, so that region stays small.
 */

type Op = { kind: ' ' | '-' | '+'; line: string };

const MAX_LCS_CELLS = 4_000_000;

function middleOps(before: string[], after: string[]): Op[] {
  const n = before.length;
  const m = after.length;
  if (n * m > MAX_LCS_CELLS) {
    // Too large to align: show the region as replaced rather than spend seconds aligning it.
    return [...before.map((line): Op => ({ kind: '-', line })), ...after.map((line): Op => ({ kind: '+', line }))];
  }
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = before[i] === after[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && before[i] === after[j]) {
      ops.push({ kind: ' ', line: before[i++]! });
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      // Removals before additions, as diff(1) prints them.
      ops.push({ kind: '-', line: before[i++]! });
    } else {
      ops.push({ kind: '+', line: after[j++]! });
    }
  }
  return ops;
}

export function unifiedDiff(beforeText: string, afterText: string, options: { name?: string; context?: number } = {}): string {
  if (beforeText === afterText) return '';
  const name = options.name ?? 'policy.hujson';
  const context = options.context ?? 3;
  const before = beforeText.split('\n');
  const after = afterText.split('\n');
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < before.length - prefix && suffix < after.length - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) {
    suffix++;
  }
  const ops: Op[] = [
    ...before.slice(0, prefix).map((line): Op => ({ kind: ' ', line })),
    ...middleOps(before.slice(prefix, before.length - suffix), after.slice(prefix, after.length - suffix)),
    ...before.slice(before.length - suffix).map((line): Op => ({ kind: ' ', line })),
  ];
  return [`--- a/${name}`, `+++ b/${name}`, ...hunks(ops, context)].join('\n') + '\n';
}

function hunks(ops: Op[], context: number): string[] {
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const out: string[] = [];
  let cursor = 0;
  while (cursor < changed.length) {
    const start = Math.max(0, changed[cursor]! - context);
    let end = changed[cursor]!;
    while (cursor < changed.length && changed[cursor]! - end <= 2 * context) end = changed[cursor++]!;
    const stop = Math.min(ops.length, end + context + 1);
    const oldStart = ops.slice(0, start).filter((op) => op.kind !== '+').length + 1;
    const newStart = ops.slice(0, start).filter((op) => op.kind !== '-').length + 1;
    const body = ops.slice(start, stop);
    const oldCount = body.filter((op) => op.kind !== '+').length;
    const newCount = body.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`, ...body.map((op) => op.kind + op.line));
  }
  return out;
}
