/**
 * Waits for every promise, then rejects with the first failure (in the order given), if any:
 * independent writes go out together, and one that fails neither stops nor hides the others'
 * outcome from the caller the way an early `await` or `Promise.all` would.
 */
export async function settleAll(work: readonly Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(work);
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
