/**
 * A read that many scrapes share: at most one runs at a time, and its result is reused for `ttlMs`.
 * Scrapes then cost Redis one round of reads per interval however many Prometheus servers (or
 * people with curl) ask, never one per scrape per job.
 */
export function cachedRefresh(read: () => Promise<void>, ttlMs: number, now: () => number = Date.now): () => Promise<void> {
  let running: Promise<void> | undefined;
  let doneAt = -Infinity;
  return () => {
    if (running) return running;
    if (now() - doneAt < ttlMs) return Promise.resolve();
    running = read().finally(() => {
      doneAt = now();
      running = undefined;
    });
    return running;
  };
}
