/** Levenshtein distance, for "did you mean" on gateway names, config keys and subcommands. */
export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
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
