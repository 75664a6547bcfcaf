/** settleAll: every write is waited for; the first failure (in the order given) is the answer. */
import { describe, expect, it } from 'vitest';
import { settleAll } from '../../src/settle-all.js';

describe('settleAll', () => {
  it('waits for every promise even when an earlier one fails, and rejects with the first failure', async () => {
    const finished: string[] = [];
    const later = (name: string, ms: number, fail = false) =>
      new Promise<void>((resolve, reject) =>
        setTimeout(() => {
          finished.push(name);
          if (fail) reject(new Error(`${name} failed`));
          else resolve();
        }, ms),
      );
    await expect(settleAll([later('history', 5, true), later('fingerprint', 30), later('exposure', 10, true)])).rejects.toThrow('history failed');
    expect(finished.sort()).toEqual(['exposure', 'fingerprint', 'history']);
  });
  it('resolves when all do', async () => {
    await expect(settleAll([Promise.resolve(1), Promise.resolve('two')])).resolves.toBeUndefined();
  });
});
