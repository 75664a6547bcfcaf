/**
 * `30m`, `2h`, `1h30m`, `1d`, `90min` → milliseconds, PURE. Undefined when it is not a duration.
 * Units: s, m/min, h, d, w; combined largest first.
 */
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function parseDuration(text: string): number | undefined {
  const input = text.trim().toLowerCase();
  if (!/^(\d+(s|min|m|h|d|w))+$/.test(input)) return undefined;
  let total = 0;
  for (const [, amount, unit] of input.matchAll(/(\d+)(min|s|m|h|d|w)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return total > 0 ? total : undefined;
}
