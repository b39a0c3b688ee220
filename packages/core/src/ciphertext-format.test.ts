// Proves the ciphertext blob format: encode then decode returns every field for any key id and key
// version, decode then encode returns the same bytes, and decoding anything else (random bytes,
// truncations, flipped header bytes, non-bytes) fails only with InvalidCiphertextException.
// It also proves the encoder refuses values that would not read back as written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CIPHERTEXT_MAGIC, GCM_IV_BYTES, GCM_TAG_BYTES, LatchkeyError, decodeCiphertext, encodeCiphertext, type CiphertextParts,
  encodeCiphertextHeader, peekCiphertextKey,
} from './index.ts';

const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);

const printableAscii = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));
const keyIdArb = fc.oneof(fc.uuid(), fc.string({ unit: printableAscii, minLength: 1, maxLength: 255 }));
const keyVersionArb = fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 0xffff_ffff }));
const partsArb = fc.record({
  keyId: keyIdArb,
  keyVersion: keyVersionArb,
  iv: fc.uint8Array({ minLength: GCM_IV_BYTES, maxLength: GCM_IV_BYTES }),
  tag: fc.uint8Array({ minLength: GCM_TAG_BYTES, maxLength: GCM_TAG_BYTES }),
  body: fc.uint8Array({ maxLength: 300 }),
});

type Parts = CiphertextParts;

function encode(p: Parts): Uint8Array {
  return encodeCiphertext(encodeCiphertextHeader(p.keyId, p.keyVersion), p.iv, p.tag, p.body);
}

/** Decodes, and insists that any failure is the one typed error a caller may see. */
function decodeOrInvalid(blob: Uint8Array): ReturnType<typeof decodeCiphertext> | 'invalid' {
  try {
    return decodeCiphertext(blob);
  } catch (err) {
    expect(err).toBeInstanceOf(LatchkeyError);
    expect((err as LatchkeyError).code).toBe('InvalidCiphertextException');
    return 'invalid';
  }
}

describe('ciphertext format', () => {
  it('property "round trip": decode(encode(parts)) gives back every part', () => {
    fc.assert(fc.property(partsArb, (p) => {
      const decoded = decodeCiphertext(encode(p));
      expect({ ...decoded, header: undefined }).toEqual({ ...p, header: undefined });
      expect(peekCiphertextKey(encode(p))).toEqual({ keyId: p.keyId, keyVersion: p.keyVersion });
      expect(decoded.header).toEqual(encodeCiphertextHeader(p.keyId, p.keyVersion));
    }), { seed: SEED, numRuns: 500 });
  });

  it('property "only InvalidCiphertextException": random bytes either decode canonically or fail typed', () => {
    // Half the inputs start with a valid magic and format version, so the deeper checks are reached.
    const prefixed = fc.uint8Array({ maxLength: 300 }).map((b) => Uint8Array.of(...CIPHERTEXT_MAGIC, 1, ...b));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), prefixed), (blob) => {
      const decoded = decodeOrInvalid(blob);
      if (decoded === 'invalid') return;
      // Whatever decodes re-encodes to the same bytes: the format has one spelling per ciphertext.
      expect(encode(decoded)).toEqual(blob);
    }), { seed: SEED, numRuns: 2000 });
  });

  it('property "truncation is detected": every prefix shorter than header + iv + tag is invalid', () => {
    fc.assert(fc.property(partsArb, fc.nat(), (p, cut) => {
      const blob = encode(p);
      const minimum = 8 + p.keyId.length + GCM_IV_BYTES + GCM_TAG_BYTES;
      const length = cut % (blob.length + 1);
      const decoded = decodeOrInvalid(blob.subarray(0, length));
      expect(decoded === 'invalid').toBe(length < minimum);
    }), { seed: SEED, numRuns: 500 });
  });

  it('property "corrupt header bytes are detected or read back as what they say"', () => {
    fc.assert(fc.property(partsArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (p, at, xor) => {
      const blob = encode(p).slice();
      const index = at % (8 + p.keyId.length);
      blob[index]! ^= xor;
      const decoded = decodeOrInvalid(blob);
      // Magic and format version are checked; other header bytes are authenticated as AES-GCM AAD.
      if (index < 3) expect(decoded).toBe('invalid');
      if (decoded !== 'invalid') expect(encode(decoded)).toEqual(blob);
    }), { seed: SEED, numRuns: 500 });
  });

  it('decodes from a view into a larger buffer (a pooled Buffer) at a non-zero offset', () => {
    const blob = encodeCiphertext(encodeCiphertextHeader('key-1', 7), new Uint8Array(12), new Uint8Array(16), Uint8Array.of(1, 2, 3));
    const pool = new Uint8Array(blob.length + 13);
    pool.set(blob, 5);
    expect(decodeCiphertext(pool.subarray(5, 5 + blob.length))).toMatchObject({ keyId: 'key-1', keyVersion: 7 });
  });

  it('refuses non-bytes, version 0 and non-ASCII key ids as invalid ciphertext', () => {
    for (const value of ['LK\u0001', null, [0x4c, 0x4b, 1], {}]) expect(decodeOrInvalid(value as unknown as Uint8Array)).toBe('invalid');
    const zero = encodeCiphertext(encodeCiphertextHeader('k', 1), new Uint8Array(12), new Uint8Array(16), new Uint8Array());
    zero[8] = 0;
    expect(decodeOrInvalid(zero)).toBe('invalid');
    const nonAscii = encodeCiphertext(encodeCiphertextHeader('k', 1), new Uint8Array(12), new Uint8Array(16), new Uint8Array());
    nonAscii[4] = 0xe9;
    expect(decodeOrInvalid(nonAscii)).toBe('invalid');
  });

  it('refuses to encode what would not read back as written', () => {
    const internal = expect.objectContaining({ code: 'KMSInternalException' });
    expect(() => encodeCiphertextHeader('é', 1)).toThrow(internal);
    expect(() => encodeCiphertextHeader('', 1)).toThrow(internal);
    expect(() => encodeCiphertextHeader('x'.repeat(256), 1)).toThrow(internal);
    expect(() => encodeCiphertextHeader('k', 0)).toThrow(internal);
    expect(() => encodeCiphertextHeader('k', 2 ** 32)).toThrow(internal);
    expect(() => encodeCiphertextHeader('k', 1.5)).toThrow(internal);
    expect(() => encodeCiphertext(encodeCiphertextHeader('k', 1), new Uint8Array(11), new Uint8Array(16), new Uint8Array())).toThrow(internal);
  });
});
