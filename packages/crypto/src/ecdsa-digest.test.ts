// Proves the prehashed ECDSA path on its own terms, beyond the key specs' fixed hash/curve pairs:
// digests longer than the curve order are truncated as SEC 1 says (a SHA-512 digest on P-256
// verifies with OpenSSL's ECDSA-with-SHA512), signatures are randomized, and verification refuses
// out-of-range or non-canonical (r, s) that OpenSSL also refuses.
import { createHash, generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CURVES } from './ec-curves.ts';
import { decodeEcdsaSignature, encodeEcdsaSignature } from './ecdsa-der.ts';
import { signEcdsaDigest, verifyEcdsaDigest } from './ecdsa-digest.ts';

describe('prehashed ECDSA', () => {
  it('truncates digests longer than the order (SHA-512 on P-256, SHA-384 on secp256k1)', () => {
    for (const [namedCurve, hash] of [['prime256v1', 'sha512'], ['secp256k1', 'sha384'], ['secp384r1', 'sha512']] as const) {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
      const message = Buffer.from(`truncation on ${namedCurve}`);
      const digest = createHash(hash).update(message).digest();
      const signature = signEcdsaDigest(privateKey, CURVES[namedCurve], digest);
      expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      const theirs = nodeSign(hash, message, { key: privateKey, dsaEncoding: 'der' });
      expect(verifyEcdsaDigest(publicKey, CURVES[namedCurve], digest, theirs)).toBe(true);
    }
  });

  it('makes a different signature every time (fresh nonce)', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const digest = createHash('sha256').update('same').digest();
    const a = Buffer.from(signEcdsaDigest(privateKey, CURVES.prime256v1, digest));
    const b = Buffer.from(signEcdsaDigest(privateKey, CURVES.prime256v1, digest));
    expect(a.equals(b)).toBe(false);
  });

  it('refuses r or s outside [1, n-1] and a padded encoding of a valid signature', () => {
    const curve = CURVES.prime256v1;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const message = Buffer.from('range');
    const digest = createHash('sha256').update(message).digest();
    const signature = signEcdsaDigest(privateKey, curve, digest);
    const { r, s } = decodeEcdsaSignature(signature) ?? { r: 0n, s: 0n };
    expect(verifyEcdsaDigest(publicKey, curve, digest, signature)).toBe(true);
    // (r, n - s) is the well-known second valid form of an ECDSA signature; both sides accept it.
    const mirrored = encodeEcdsaSignature(r, curve.n - s);
    expect(verifyEcdsaDigest(publicKey, curve, digest, mirrored)).toBe(nodeVerify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, mirrored));
    for (const [badR, badS] of [[r + curve.n, s], [r, s + curve.n], [curve.n, s], [r, curve.n]] as const) {
      const bad = encodeEcdsaSignature(badR, badS);
      expect(verifyEcdsaDigest(publicKey, curve, digest, bad)).toBe(false);
      expect(nodeVerify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, bad)).toBe(false);
    }
  });
});
