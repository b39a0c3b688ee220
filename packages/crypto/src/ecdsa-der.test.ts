// Proves the ECDSA DER codec: any pair (r, s) round-trips, OpenSSL's own DER signatures decode and
// re-encode to the same bytes, and every non-canonical variant (padding zero, negative integer,
// long-form short length, trailing bytes, zero values) is refused.
import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEcdsaSignature, encodeEcdsaSignature } from './ecdsa-der.ts';
import { SEED } from './test-keys.test-support.ts';

const scalar = fc.bigInt({ min: 1n, max: (1n << 528n) - 1n });

describe('ECDSA DER signatures', () => {
  it('round-trips any pair of positive integers up to P-521 size', () => {
    fc.assert(
      fc.property(scalar, scalar, (r, s) => {
        expect(decodeEcdsaSignature(encodeEcdsaSignature(r, s))).toEqual({ r, s });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('reads what OpenSSL writes, on every curve, and writes it back byte for byte', () => {
    for (const namedCurve of ['prime256v1', 'secp384r1', 'secp521r1', 'secp256k1'] as const) {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve });
      for (let i = 0; i < 20; i++) {
        const der = sign('sha256', Buffer.from(`message ${i}`), { key: privateKey, dsaEncoding: 'der' });
        const decoded = decodeEcdsaSignature(der);
        expect(decoded).not.toBeNull();
        expect(Buffer.from(encodeEcdsaSignature(decoded?.r ?? 0n, decoded?.s ?? 0n)).equals(der)).toBe(true);
      }
    }
  });

  it('refuses non-canonical encodings', () => {
    const valid = Buffer.from(encodeEcdsaSignature(0x1234n, 0x7fn));
    expect(valid.toString('hex')).toBe('30070202123402017f');
    const variants = {
      'zero padding in r': '3008020300123402017f',
      'negative r': '30070202923402017f',
      'long-form length for a short sequence': '3081070202123402017f',
      'trailing byte after the sequence': '30070202123402017f00',
      'trailing byte inside the sequence': '30080202123402017f00',
      's = 0': '300702021234020100',
      truncated: '3007020212340201',
      'SET instead of SEQUENCE': '31070202123402017f',
      empty: '',
    };
    for (const [why, hex] of Object.entries(variants)) expect(decodeEcdsaSignature(Buffer.from(hex, 'hex')), why).toBeNull();
    expect(decodeEcdsaSignature(valid)).toEqual({ r: 0x1234n, s: 0x7fn });
  });
});
