/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment), for
 * "did you mean" on gateway names, config keys and subcommands: `prdo` is one slip from `prod`.
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The closest candidate within a distance that still reads as a typo (about a third of the word). */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const lower = name.toLowerCase();
    // A truncated or misspelt start (`tokn` for `tokenEnv`) counts as close to the whole name.
    const prefixDistance = lower.length > needle.length ? editDistance(needle, lower.slice(0, needle.length)) + 0.5 : Infinity;
    const distance = Math.min(editDistance(needle, lower), needle.length >= 3 ? prefixDistance : Infinity);
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return undefined;
  const allowed = Math.max(1, Math.floor(Math.max(needle.length, best.name.length) / 3));
  return best.distance <= allowed ? best.name : undefined;
}
