/**
 * JSON from outside (a gateway's frames and health bodies, tailscaled, the Tailscale admin API)
 * is measured before it is parsed. `JSON.parse` of a few megabytes nested a million levels deep
 * costs hundreds of megabytes, and the recursive readers after it (zod, `JSON.stringify`, the
 * HuJSON parser) overflow the stack; no real answer comes near either limit. One linear scan,
 * without allocating, counts the bytes and the nesting outside strings (and, for HuJSON, outside
 * comments); a payload beyond the limits is refused with the numbers, never parsed. PURE.
 */
export interface JsonLimits {
  maxBytes: number;
  maxDepth: number;
}

export interface JsonRefusal {
  reason: 'too-large' | 'too-deep';
  /** UTF-8 bytes of the payload. */
  bytes: number;
  /** Deepest nesting (objects and arrays), when it was measured. */
  depth?: number;
  limits: JsonLimits;
}

export type BoundedJson = { ok: true; value: unknown } | { ok: false; refused: JsonRefusal } | { ok: false; notJson: true };

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;

/**
 * Where the string opened by the quote at `open` ends: the index of its closing quote, or the
 * text's length when it is never closed. A quote closes it unless an odd number of backslashes
 * precede it. Strings are most of a frame's bytes, and `indexOf` steps over them natively where a
 * loop over every character runs in V8's interpreter in a one-shot process (~5 ms per check).
 * Linear: each backslash run is counted once, for the quote that ends it.
 */
function stringEnd(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote === -1) return text.length;
    let backslashes = 0;
    while (quote - backslashes - 1 > open && text.charCodeAt(quote - backslashes - 1) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** The deepest nesting of `{` and `[` outside strings (and comments, with `comments: true`). */
export function jsonDepth(text: string, options: { comments?: boolean } = {}): number {
  let depth = 0;
  let deepest = 0;
  const comments = options.comments === true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth = Math.max(0, depth - 1);
    else if (comments && c === SLASH) {
      const next = text.charCodeAt(i + 1);
      if (next === SLASH) {
        const end = text.indexOf('\n', i + 2);
        i = end === -1 ? text.length : end;
      } else if (next === STAR) {
        const end = text.indexOf('*/', i + 2);
        i = end === -1 ? text.length : end + 1;
      }
    }
  }
  return deepest;
}

/** The refusal for a payload beyond the limits, or undefined when it may be parsed. */
export function jsonRefusal(text: string, limits: JsonLimits, options: { comments?: boolean } = {}): JsonRefusal | undefined {
  // Cheap first: a string never has more UTF-8 bytes than 3 per UTF-16 unit, nor fewer than 1.
  if (text.length > limits.maxBytes) return { reason: 'too-large', bytes: Buffer.byteLength(text), limits };
  if (text.length * 3 > limits.maxBytes) {
    const bytes = Buffer.byteLength(text);
    if (bytes > limits.maxBytes) return { reason: 'too-large', bytes, limits };
  }
  const depth = jsonDepth(text, options);
  if (depth > limits.maxDepth) return { reason: 'too-deep', bytes: Buffer.byteLength(text), depth, limits };
  return undefined;
}

/** `JSON.parse` behind the limits. Never throws. */
export function parseBoundedJson(text: string, limits: JsonLimits): BoundedJson {
  const refused = jsonRefusal(text, limits);
  if (refused) return { ok: false, refused };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, notJson: true };
  }
}

const number = (n: number) => n.toLocaleString('en-US');

const MIB = 1024 * 1024;

/** `3.8 MiB`, `1 MiB`, `16 KiB`, `312 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 10 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${number(bytes)} bytes`;
}

/** "the gateway sent a 4.0 MB reply nested 2,000,000 deep: refused (at most 64 levels)". */
export function describeRefusal(what: string, refusal: JsonRefusal): string {
  if (refusal.reason === 'too-deep') {
    return `${what} of ${formatBytes(refusal.bytes)} nested ${number(refusal.depth ?? 0)} deep: refused (clawops reads at most ${refusal.limits.maxDepth} levels)`;
  }
  return `${what} of ${formatBytes(refusal.bytes)}: refused (clawops reads at most ${formatBytes(refusal.limits.maxBytes)})`;
}
