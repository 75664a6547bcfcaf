import { describe, expect, it } from 'vitest';
import { describeRefusal, formatBytes, jsonDepth, jsonRefusal, parseBoundedJson } from '../../src/bounded-json.js';
import { jsonBomb } from '../support/fake-gateway.js';

const LIMITS = { maxBytes: 1024 * 1024, maxDepth: 64 };

describe('the size and depth guard before JSON.parse', () => {
  it.each([
    ['flat', '{"a":1}', 1],
    ['nested', '{"a":[{"b":[1,2,{"c":{}}]}]}', 6],
    ['brackets inside strings do not count', '{"a":"[[[[{{{{","b":"\\"[[[["}', 1],
    ['an escaped backslash before a quote ends the string', '{"a":"\\\\","b":[[1]]}', 3],
    ['scalars', '"x"', 0],
  ])('%s', (_label, text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
    expect(parseBoundedJson(text, LIMITS)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it('steps over strings as a character-by-character scan does: escapes, backslash runs, an unclosed string', () => {
    // The scan before strings were skipped with indexOf, kept here as the reference.
    const reference = (text: string): number => {
      let depth = 0;
      let deepest = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === '\\') i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') deepest = Math.max(deepest, ++depth);
        else if (c === '}' || c === ']') depth = Math.max(0, depth - 1);
      }
      return deepest;
    };
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const alphabet = ['"', '\\', '{', '}', '[', ']', 'a', ','];
    for (let n = 0; n < 2_000; n++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(jsonDepth(text), text).toBe(reference(text));
    }
    expect(jsonDepth('["\\\\\\"[[[[",[1]]')).toBe(2);
    expect(jsonDepth('["unclosed [[[[')).toBe(1);
    // Long backslash runs: an odd run escapes the quote after it, an even one does not.
    const odd = `["${'\\'.repeat(999)}"[[[",[]]`;
    const even = `["${'\\'.repeat(1_000)}",[[[]]]]`;
    expect([jsonDepth(odd), reference(odd)]).toEqual([2, 2]);
    expect([jsonDepth(even), reference(even)]).toEqual([4, 4]);
  });

  it('skips HuJSON comments only when asked', () => {
    const hujson = '{ // [[[[ not nesting\n "a": [1], /* {{{{ */ "b": 2 }';
    expect(jsonDepth(hujson, { comments: true })).toBe(2);
    expect(jsonDepth(hujson)).toBeGreaterThan(2);
  });

  it('refuses a bomb by depth, with the numbers, without parsing it', () => {
    const bomb = jsonBomb(400_000);
    const result = parseBoundedJson(bomb, LIMITS);
    expect(result).toEqual({ ok: false, refused: { reason: 'too-deep', bytes: 800_000, depth: 400_000, limits: LIMITS } });
    if (!result.ok && 'refused' in result)
      expect(describeRefusal('a health reply', result.refused)).toBe(
        'a health reply of 781 KiB nested 400,000 deep: refused (clawops reads at most 64 levels)',
      );
  });

  it('refuses by size before scanning', () => {
    const big = `[${'1,'.repeat(600_000)}1]`;
    const refused = jsonRefusal(big, LIMITS);
    expect(refused).toMatchObject({ reason: 'too-large', bytes: big.length });
    expect(describeRefusal('a frame', refused!)).toBe('a frame of 1.1 MiB: refused (clawops reads at most 1 MiB)');
    // Multi-byte characters count as bytes, not UTF-16 units.
    expect(jsonRefusal(`"${'é'.repeat(600_000)}"`, LIMITS)).toMatchObject({ reason: 'too-large', bytes: 1_200_002 });
  });

  it('says not JSON for what is not JSON, and never throws', () => {
    expect(parseBoundedJson('<html>', LIMITS)).toEqual({ ok: false, notJson: true });
    expect(parseBoundedJson('{"a":', LIMITS)).toEqual({ ok: false, notJson: true });
    expect(formatBytes(312)).toBe('312 bytes');
    expect(formatBytes(16 * 1024)).toBe('16 KiB');
  });
});
