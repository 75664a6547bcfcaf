/**
 * An append-only record that tests can wait on. Waiting is event-driven: `push` settles the
 * waiters it matches, so a test never polls or sleeps, and a timeout fails with a description
 * of what *was* seen (the thing you need when a test goes red on a slow machine).
 */
export interface WaitOptions {
  /** Give up after this long. */
  timeoutMs?: number;
  /** Ignore entries recorded before this index (take it from `mark()` before acting). */
  since?: number;
}

interface Waiter<T> {
  match: (entry: T) => boolean;
  resolve: (entry: T) => void;
  reject: (error: Error) => void;
}

export const DEFAULT_WAIT_MS = 5_000;

export class Journal<T> {
  readonly entries: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();
  private closedReason: string | undefined;

  push(entry: T): void {
    this.entries.push(entry);
    for (const waiter of [...this.waiters]) {
      if (waiter.match(entry)) {
        this.waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  }

  /** The index the next entry will get: pass it as `since` to wait only for what happens next. */
  mark(): number {
    return this.entries.length;
  }

  waitFor(match: (entry: T) => boolean, options: WaitOptions, describeTimeout: (timeoutMs: number) => string): Promise<T> {
    const since = options.since ?? 0;
    const existing = this.entries.slice(since).find(match);
    if (existing !== undefined) return Promise.resolve(existing);
    if (this.closedReason !== undefined) return Promise.reject(new Error(this.closedReason));
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(describeTimeout(timeoutMs)));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        match,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Fail every pending wait at once (the emulator is closing; nothing more will arrive). */
  close(reason: string): void {
    this.closedReason = reason;
    for (const waiter of this.waiters) waiter.reject(new Error(reason));
    this.waiters.clear();
  }
}
