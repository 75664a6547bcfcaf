import { config } from 'zod/mini';
import { globalConfig } from 'zod/v4/core';
import en from 'zod/v4/locales/en.js';

/**
 * zod's mini API, for the schemas on `clawops check`'s path (frames, RPC payloads, the device
 * identity, the config fields, the fingerprint state file). Same core, same parsing, same issues;
 * functions (`z.optional(s)`, `s.check(z.maxLength(n))`) instead of methods. A one-shot check builds
 * each schema once and parses it once or twice: the classic API costs it twice the CPU to build a
 * schema (every node carries the whole method table) and four times the code to load, and a check
 * loaded nothing else of zod. Schemas elsewhere stay classic; both kinds compose (a classic
 * `z.object` takes a mini schema as a field, `z.optional(mini)` works in either).
 *
 * The classic API installs zod's English messages when its first schema is built; mini leaves
 * messages to the caller, so this module does the same, and a process that loads only mini
 * schemas reports the same messages as one that loads both.
 */
if (!globalConfig.localeError) config(en());

export * from 'zod/mini';
