import { describe, expect, it } from 'vitest';
import { reconcileSinceFor } from '../../src/queue/reconcile-since.js';

describe('reconcileSinceFor: when a job looks for the keyed post it may have made', () => {
  const created = 1_700_000_000_000;
  it('a first run does not look', () => {
    expect(reconcileSinceFor({ timestamp: created, attemptsMade: 0, attemptsStarted: 1 })).toBeUndefined();
  });
  it('a retry after a failure, or a second start after a stall (no failure counted), looks from the job’s creation', () => {
    expect(reconcileSinceFor({ timestamp: created, attemptsMade: 1, attemptsStarted: 2 })).toBe(created);
    expect(reconcileSinceFor({ timestamp: created, attemptsMade: 0, attemptsStarted: 2 })).toBe(created);
  });
});
