import { ensureBuilt } from '../../../bench/support/build.js';

/**
 * The drills run the shipped bin (dist/bundle/clawops.js), so it must be built from the current
 * source: built once here, before any drill starts (CI's .ci/run has built it already, and then
 * this is a freshness check).
 */
export default async function setup(): Promise<void> {
  const why = await ensureBuilt();
  if (why) process.stderr.write(`drills: built dist/ (${why.split('\n')[0]})\n`);
}
