// Proves the canonical encryption-context encoding: it ignores the order in which pairs were given,
// it is injective (a test-side decoder recovers every context from its bytes, and two different
// contexts never share bytes), and validation refuses what the encoding cannot bind faithfully.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatchkeyError, encodeEncryptionContext, validateEncryptionContext, type EncryptionContext } from './index.ts';

const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);

/** Reads the canonical bytes back; written from the documented layout, not from the encoder. */
function decodeContext(bytes: Uint8Array): Record<string, string> {
  const text = new TextDecoder('utf-8', { fatal: true });
  let at = 0;
  const u16 = (): number => {
    const n = (bytes[at]! << 8) | bytes[at + 1]!;
    at += 2;
    return n;
  };
  const str = (): string => {
    const n = u16();
    at += n;
    return text.decode(bytes.subarray(at - n, at));
  };
  const count = u16();
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const key = str();
    out[key] = str();
  }
  expect(at).toBe(bytes.length);
  return out;
}

/** Well-formed strings of any Unicode, including astral characters. */
const wellFormed = fc.string({ unit: 'grapheme', maxLength: 12 });
const contextArb = fc.dictionary(wellFormed.filter((k) => k.length > 0), wellFormed, { maxKeys: 8 });
/** A two-letter alphabet makes boundary ambiguities such as {a: "bc"} versus {ab: "c"} common. */
const tiny = fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 3 });
const tinyContextArb = fc.dictionary(tiny.filter((k) => k.length > 0), tiny, { maxKeys: 3 });

const sameContext = (a: EncryptionContext, b: EncryptionContext): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

describe('encryption context encoding', () => {
  it('property "order independence": any insertion order gives the same bytes', () => {
    fc.assert(fc.property(contextArb.chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray(Object.entries(c), { minLength: Object.keys(c).length }))),
      ([context, shuffled]) => {
        expect(encodeEncryptionContext(Object.fromEntries(shuffled))).toEqual(encodeEncryptionContext(context));
      }), { seed: SEED, numRuns: 500 });
  });

  it('property "injective": the bytes decode back to exactly the context', () => {
    fc.assert(fc.property(contextArb, (context) => {
      expect(decodeContext(encodeEncryptionContext(context))).toEqual(context);
    }), { seed: SEED, numRuns: 500 });
  });

  it('property "injective": different contexts never share bytes', () => {
    fc.assert(fc.property(tinyContextArb, tinyContextArb, (a, b) => {
      const equalBytes = Buffer.from(encodeEncryptionContext(a)).equals(encodeEncryptionContext(b));
      expect(equalBytes).toBe(sameContext(a, b));
    }), { seed: SEED, numRuns: 3000 });
  });

  it('refuses lone surrogates, which UTF-8 would turn into the same U+FFFD', () => {
    expect(() => encodeEncryptionContext({ a: '\uD800' })).toThrow(expect.objectContaining({ code: 'ValidationException' }));
    expect(() => validateEncryptionContext({ '\uDC00': 'x' })).toThrow(expect.objectContaining({ code: 'ValidationException' }));
    expect(encodeEncryptionContext({ a: '\uFFFD' })).toEqual(encodeEncryptionContext({ a: '\uFFFD' }));
    expect(validateEncryptionContext({ a: '\u{1F511}' })).toEqual({ a: '\u{1F511}' });
  });

  it('refuses a field too long for its u16 length instead of truncating it', () => {
    expect(() => encodeEncryptionContext({ a: 'x'.repeat(65_536) })).toThrow(expect.objectContaining({ code: 'ValidationException' }));
  });
});

describe('validateEncryptionContext', () => {
  const invalid = expect.objectContaining({ code: 'ValidationException' });

  it('treats a missing context as empty and returns a detached copy', () => {
    expect(validateEncryptionContext(undefined)).toEqual({});
    expect(validateEncryptionContext(null)).toEqual({});
    const given = { tenant: 'acme' };
    const validated = validateEncryptionContext(given);
    given.tenant = 'evil';
    expect(validated).toEqual({ tenant: 'acme' });
  });

  it('refuses non-objects, non-string values, empty keys and oversize contexts', () => {
    for (const bad of ['x', 1, true, ['a'], { a: 1 }, { a: null }, { a: {} }, { '': 'x' }]) {
      expect(() => validateEncryptionContext(bad)).toThrow(invalid);
    }
    expect(validateEncryptionContext({ k: 'v'.repeat(8191) })).toEqual({ k: 'v'.repeat(8191) });
    expect(() => validateEncryptionContext({ k: 'v'.repeat(8192) })).toThrow(invalid);
    // The limit counts UTF-8 bytes, not UTF-16 units: 2731 three-byte characters exceed 8192 bytes.
    expect(() => validateEncryptionContext({ k: '€'.repeat(2731) })).toThrow(invalid);
  });

  it('property "bad input never hurts": any JSON value is accepted or refused with ValidationException', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      try {
        const context = validateEncryptionContext(value);
        encodeEncryptionContext(context);
      } catch (err) {
        expect(err).toBeInstanceOf(LatchkeyError);
        expect((err as LatchkeyError).code).toBe('ValidationException');
      }
    }), { seed: SEED, numRuns: 1000 });
  });
});
