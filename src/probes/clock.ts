/** Monotonic milliseconds, injectable so that layer timings are testable. */
export type MonotonicClock = () => number;
export const performanceClock: MonotonicClock = () => performance.now();

export function roundMs(value: number): number {
  return Math.max(0, Math.round(value * 10) / 10);
}
