// Imported first, for its effect: zod's JIT off before any schema is built (zod-one-shot.ts says why).
import './zod-one-shot.js';

/**
 * The entry of the one-shot bundle, `dist/bundle/clawops-one-shot.cjs`: the commands that answer
 * and end (one-shot-cli.ts), built as CommonJS so that the bin can load them through V8's code
 * cache (compile-cache.ts says why). The long-running processes stay in the ES module bundle.
 */
export { runOneShotCli } from './one-shot-cli.js';
