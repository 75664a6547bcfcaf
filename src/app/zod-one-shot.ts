import * as z from '../zod-mini.js';

/**
 * Imported (for its effect) by the bin before a one-shot command. zod compiles each object schema
 * into a specialised parser (`new Function`) on its first parse: a long-running worker that parses
 * the same shapes thousands of times gains, but a `clawops check` parses each shape once or twice,
 * and the compiling cost it more CPU than all its parsing (measured: ~40 ms of a check's CPU).
 * Results are the same either way; only how zod gets there differs.
 */
z.config({ jitless: true });
