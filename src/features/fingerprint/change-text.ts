import type { FingerprintChange } from './model.js';
import type { SinceLastGood } from './diff.js';

/**
 * A change as words, in pieces: our own text, and names from outside (versions, method names,
 * scopes, paths) kept apart so that each medium shows them safely — Slack through `code()`, the
 * terminal with control characters made visible, Markdown in backticks. PURE.
 */
export type Piece = string | { outside: string } | { when: number };

const LIST_MAX = 3;
const SET_MAX = 5;

export function changePieces(change: FingerprintChange): Piece[] {
  switch (change.kind) {
    case 'value':
      return [`${change.field} `, { outside: change.from }, ' → ', { outside: change.to }];
    case 'set':
      if (change.field === 'methods' || change.field === 'events') {
        const details: Piece[][] = [];
        if (change.removed.length) details.push([...names(change.removed, LIST_MAX), ' gone']);
        if (change.added.length) details.push([...names(change.added, LIST_MAX), ' new']);
        return [`${change.field} +${change.added.length} −${change.removed.length} (`, ...joinPieces(details, '; '), ')'];
      }
      return [`${change.field} [`, ...names(change.from, SET_MAX), '] → [', ...names(change.to, SET_MAX), ']'];
    case 'map': {
      const parts: Piece[][] = change.changed
        .slice(0, LIST_MAX)
        .map((item) => [{ outside: item.key }, ' ', { outside: item.from }, ' → ', { outside: item.to }]);
      if (change.changed.length > LIST_MAX) parts.push([`${change.changed.length - LIST_MAX} more changed`]);
      if (change.added.length) parts.push(['+', ...names(change.added, LIST_MAX)]);
      if (change.removed.length) parts.push(['−', ...names(change.removed, LIST_MAX), ' gone']);
      return ['channels: ', ...joinPieces(parts, ', ')];
    }
  }
}

/** The whole line: "since last good (WHEN): a · b · c", or that nothing changed. */
export function sinceLastGoodPieces(since: SinceLastGood): Piece[] {
  const when: Piece = { when: since.at };
  if (since.changes.length === 0) return ['nothing changed since last good (', when, '): same build, scopes, methods and events'];
  return ['since last good (', when, '): ', ...joinPieces(since.changes.map(changePieces), ' · ')];
}

function names(list: readonly string[], max: number): Piece[] {
  const shown: Piece[][] = list.slice(0, max).map((name) => [{ outside: name }]);
  if (list.length > max) shown.push([`+${list.length - max} more`]);
  return joinPieces(shown, ', ');
}

export function joinPieces(groups: Piece[][], separator: string): Piece[] {
  return groups.flatMap((group, index) => (index === 0 ? group : [separator, ...group]));
}
