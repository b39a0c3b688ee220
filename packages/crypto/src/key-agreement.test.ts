// Proves ECDH for every KEY_AGREEMENT key spec: two of our keys derive the same secret from each
// other's public key, and it equals what an independent node:crypto ECDH peer computes; peer keys
// on another curve, of another type, malformed or off the curve are ValidationException; keys
// without key agreement are InvalidKeyUsageException.
import { createECDH, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { KEY_SPECS, KEY_SPEC_INFO } from '@latchkey/core';
import { describe, expect, it } from 'vitest';
import { deriveSharedSecret } from './key-agreement.ts';
import { generateKeyMaterial } from './key-material.ts';
import { loadKey } from './loaded-key.ts';
import { expectLatchkeyError, testKey } from './test-keys.test-support.ts';

const ECDH_SPECS = KEY_SPECS.filter((spec) => KEY_SPEC_INFO[spec].keyAgreementAlgorithms.includes('ECDH'));

describe.each(ECDH_SPECS)('%s', (spec) => {
  const curve = KEY_SPEC_INFO[spec].curve ?? '';

  it('derives the same secret on both sides, equal to an independent ECDH', () => {
    for (let i = 0; i < 5; i++) {
      const a = generateKeyMaterial(spec);
      const b = generateKeyMaterial(spec);
      const keyA = loadKey(spec, a.secret);
      const keyB = loadKey(spec, b.secret);
      const ab = Buffer.from(deriveSharedSecret(keyA, b.publicKey ?? new Uint8Array(0)));
      const ba = Buffer.from(deriveSharedSecret(keyB, a.publicKey ?? new Uint8Array(0)));
      expect(ab.equals(ba)).toBe(true);

      const peer = createECDH(curve);
      const peerPublic = peer.generateKeys();
      const ours = Buffer.from(deriveSharedSecret(keyA, pointToSpki(peerPublic, curve)));
      const theirs = peer.computeSecret(spkiToPoint(a.publicKey ?? new Uint8Array(0)));
      expect(ours.equals(theirs)).toBe(true);
    }
  });

  it('refuses peer keys on another curve, of another type, malformed, or off the curve', () => {
    const { key } = testKey(spec);
    const otherCurve = spec === 'ECC_NIST_P384' ? 'prime256v1' : 'secp384r1';
    const peers = {
      'another curve': generateKeyPairSync('ec', { namedCurve: otherCurve }).publicKey.export({ format: 'der', type: 'spki' }),
      Ed25519: generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }),
      X25519: generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' }),
      garbage: randomBytes(91),
      empty: Buffer.alloc(0),
      'off the curve': offCurve(testKey(spec).material.publicKey ?? new Uint8Array(0)),
    };
    for (const [why, spki] of Object.entries(peers)) {
      const error = expectLatchkeyError(() => deriveSharedSecret(key, spki), 'ValidationException');
      expect(error.message, why).toMatch(/peer public key/);
    }
  });
});

describe('key agreement key checks', () => {
  it('refuses keys without KEY_AGREEMENT', () => {
    const peer = testKey('ECC_NIST_P256').material.publicKey ?? new Uint8Array(0);
    for (const spec of ['SYMMETRIC_DEFAULT', 'RSA_2048', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44'] as const) {
      expectLatchkeyError(() => deriveSharedSecret(testKey(spec).key, peer), 'InvalidKeyUsageException');
    }
  });
});

const JWK_CURVE: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp256k1: 'secp256k1' };

/** An uncompressed point (04 || x || y), as createECDH gives it, as DER SPKI. */
function pointToSpki(point: Buffer, curve: string): Buffer {
  const size = (point.length - 1) / 2;
  const x = point.subarray(1, 1 + size).toString('base64url');
  const y = point.subarray(1 + size).toString('base64url');
  return createPublicKey({ key: { kty: 'EC', crv: JWK_CURVE[curve], x, y }, format: 'jwk' }).export({ format: 'der', type: 'spki' });
}

function spkiToPoint(spki: Uint8Array): Buffer {
  const jwk = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' });
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
}

/** The same SPKI with the last byte of y changed: the point no longer satisfies the curve equation. */
function offCurve(spki: Uint8Array): Buffer {
  const copy = Buffer.from(spki);
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 1;
  return copy;
}
