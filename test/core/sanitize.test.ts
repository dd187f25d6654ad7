import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InboundMessageSchema, MAX_TEXT_CHARS } from '../../src/core/messages.ts';
import { jsonDepth, MAX_JSON_DEPTH, sanitizeJson, sanitizeText } from '../../src/core/sanitize.ts';

// Any UTF-16 code unit, lone surrogates and NUL included: what a hostile or broken client can send.
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n));
const anyText = fc.string({ unit: fc.oneof(anyCodeUnit, fc.constantFrom('\u0000', '\ud800', '\udfff', '😀', 'é', '中')), maxLength: 200 });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What PostgreSQL can store: no NUL in text, no lone surrogate in jsonb. */
function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

describe('sanitizeText', () => {
  it('always gives storable text, keeps ordinary text as it is, and is idempotent', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const clean = sanitizeText(text);
        expect(storable(clean)).toBe(true);
        expect(sanitizeText(clean)).toBe(clean);
        // One U+FFFD per bad code unit or noncharacter code point (a surrogate pair's one): never longer.
        expect(clean.length).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 2_000 },
    );
    expect(sanitizeText('How do I reset my password? 中文 😀\n\tok')).toBe('How do I reset my password? 中文 😀\n\tok');
    expect(sanitizeText('a\u0000b\ud800c')).toBe('a\ufffdb\ufffdc');
    // A plane-end noncharacter (U+EFFFF, a surrogate pair) is one code point: one U+FFFD.
    expect(sanitizeText('x\u{EFFFF}y')).toBe('x\ufffdy');
  });
});

/** Every string of a JSON value, keys included. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...stringsIn(item)]);
}

describe('sanitizeJson', () => {
  it('gives a JSON value that serialises, is storable everywhere, and nests at most MAX_JSON_DEPTH', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), anyText, (value, text) => {
        const clean = sanitizeJson({ value, [text]: text });
        expect(stringsIn(clean).every(storable)).toBe(true);
        expect(JSON.parse(JSON.stringify(clean))).toEqual(clean);
        expect(jsonDepth(clean)).toBeLessThanOrEqual(MAX_JSON_DEPTH + 1);
      }),
      { numRuns: 500 },
    );
  });

  it('cuts absurd nesting without blowing the stack', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonDepth(deep)).toBe(100_000);
    expect(jsonDepth(sanitizeJson(deep))).toBe(MAX_JSON_DEPTH);
  });
});

describe('InboundMessageSchema', () => {
  it('takes any text a platform sends: cleaned, cut to the limit, and the same when parsed again', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 3 }), (text, repeat) => {
        const long = text.repeat(repeat * 60);
        const parsed = InboundMessageSchema.parse({
          channel: 'test',
          externalUserId: 'u',
          externalChatId: 'c',
          platformMessageId: 'm',
          text: long,
          sender: { displayName: text },
          raw: { text: long },
        });
        expect(storable(parsed.text)).toBe(true);
        expect(parsed.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
        // What the inbox stores is parsed again by the processor: nothing may change then.
        const again = InboundMessageSchema.parse(JSON.parse(JSON.stringify(parsed)));
        expect(again).toEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });
});
