// Proves the hand-held curve arithmetic behind prehashed ECDSA verification against OpenSSL: for
// every curve, G lies on the curve, n*G is the point at infinity, and d*G equals the public point
// OpenSSL computed for a key it generated (which checks p, a, b, G and the formulas at once);
// addition agrees with scalar multiplication (a*G + b*G = (a+b)*G).
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToBigInt, mod } from './bigint-bytes.ts';
import { CURVES, type CurveName } from './ec-curves.ts';
import { generator, isOnCurve, linearCombination } from './ec-point.ts';
import { SEED } from './test-keys.test-support.ts';

function jwkNumber(value: string | undefined): bigint {
  return bytesToBigInt(Buffer.from(value ?? '', 'base64url'));
}

describe.each(Object.keys(CURVES) as CurveName[])('%s', (name) => {
  const curve = CURVES[name];
  const g = generator(curve);

  it('has its base point on the curve and of order n', () => {
    expect(isOnCurve(curve, g)).toBe(true);
    expect(linearCombination(curve, curve.n, g, 0n, g)).toBeNull();
    expect(linearCombination(curve, curve.n - 1n, g, 0n, g)).toEqual({ x: curve.gx, y: curve.p - curve.gy });
  });

  it('computes the same public point as OpenSSL for OpenSSL-generated keys', () => {
    for (let i = 0; i < 5; i++) {
      const jwk = generateKeyPairSync('ec', { namedCurve: name }).privateKey.export({ format: 'jwk' });
      const expected = { x: jwkNumber(jwk.x), y: jwkNumber(jwk.y) };
      expect(isOnCurve(curve, expected)).toBe(true);
      expect(linearCombination(curve, jwkNumber(jwk.d), g, 0n, g)).toEqual(expected);
      expect(jwkNumber(jwk.x).toString(16).length).toBeLessThanOrEqual(curve.byteLength * 2);
    }
  });

  it('adds consistently: a*G + b*Q with Q = G equals (a+b)*G', () => {
    const scalar = fc.bigInt({ min: 1n, max: curve.n - 1n });
    fc.assert(
      fc.property(scalar, scalar, (a, b) => {
        const sum = mod(a + b, curve.n);
        const expected = sum === 0n ? null : linearCombination(curve, sum, g, 0n, g);
        expect(linearCombination(curve, a, g, b, g)).toEqual(expected);
      }),
      { seed: SEED, numRuns: 20 },
    );
  });

  it('rejects points off the curve', () => {
    expect(isOnCurve(curve, { x: curve.gx, y: mod(curve.gy + 1n, curve.p) })).toBe(false);
    expect(isOnCurve(curve, { x: curve.gx + curve.p, y: curve.gy })).toBe(false);
  });
});
