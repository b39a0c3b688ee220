// Proves that generateKeyMaterial makes, for every key spec, material of the documented shape
// (raw AES/HMAC bytes of the right length; PKCS#8 private key of the right type and size with its
// SPKI public key), that loadKey accepts exactly that and refuses material that does not fit the
// spec with a ValidationException that does not quote the material.
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { KEY_SPECS, KEY_SPEC_INFO, type KeySpec } from '@latchkey/core';
import { describe, expect, it } from 'vitest';
import { generateKeyMaterial } from './key-material.ts';
import { loadKey, loadPublicKey } from './loaded-key.ts';
import { expectLatchkeyError, mentionsBytes, testKey } from './test-keys.test-support.ts';

const SECRET_BYTES: Partial<Record<KeySpec, number>> = { SYMMETRIC_DEFAULT: 32, HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

describe.each(KEY_SPECS)('%s material', (spec) => {
  const info = KEY_SPEC_INFO[spec];

  it('has the documented shape and loads', () => {
    const { material, key } = testKey(spec);
    expect(key.keySpec).toBe(spec);
    if (info.family === 'aes' || info.family === 'hmac') {
      expect(material.secret.length).toBe(SECRET_BYTES[spec]);
      expect(material.publicKey).toBeNull();
      expect(key.secretKey?.symmetricKeySize).toBe(SECRET_BYTES[spec]);
      return;
    }
    const privateKey = createPrivateKey({ key: Buffer.from(material.secret), format: 'der', type: 'pkcs8' });
    const expectedType = info.family === 'ml-dsa' ? info.mlDsa : info.family;
    expect(privateKey.asymmetricKeyType).toBe(expectedType);
    if (info.rsaBits !== undefined) expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(info.rsaBits);
    if (info.curve !== undefined) expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe(info.curve);
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    expect(material.publicKey && Buffer.from(material.publicKey).equals(spki)).toBe(true);
    expect(loadPublicKey(spec, spki).privateKey).toBeNull();
  });

  it('generates different material every time', () => {
    if (info.rsaBits !== undefined && info.rsaBits > 2048) return; // slow, and RSA-2048 covers the path
    expect(Buffer.from(generateKeyMaterial(spec).secret).equals(Buffer.from(testKey(spec).material.secret))).toBe(false);
  });
});

describe('loadKey refuses material that does not fit the spec', () => {
  const cases: Array<[KeySpec, Uint8Array, string]> = [
    ['SYMMETRIC_DEFAULT', randomBytes(16), 'AES key of 16 bytes'],
    ['SYMMETRIC_DEFAULT', randomBytes(33), 'AES key of 33 bytes'],
    ['HMAC_256', randomBytes(31), 'HMAC_256 key shorter than the hash'],
    ['HMAC_256', randomBytes(65), 'HMAC_256 key longer than the block'],
    ['HMAC_512', randomBytes(63), 'HMAC_512 key shorter than the hash'],
    ['RSA_3072', testKey('RSA_2048').material.secret, 'RSA-2048 material as RSA_3072'],
    ['ECC_NIST_P384', testKey('ECC_NIST_P256').material.secret, 'P-256 material as P-384'],
    ['ECC_NIST_P256', testKey('ECC_SECG_P256K1').material.secret, 'secp256k1 material as P-256'],
    ['ECC_NIST_EDWARDS25519', testKey('ECC_NIST_P256').material.secret, 'EC material as Ed25519'],
    ['ML_DSA_65', testKey('ML_DSA_44').material.secret, 'ML-DSA-44 material as ML_DSA_65'],
    ['RSA_2048', randomBytes(1200), 'random bytes as RSA'],
    ['RSA_2048', new Uint8Array(0), 'empty RSA material'],
  ];
  it.each(cases)('%s: %#', (spec, material, why) => {
    const error = expectLatchkeyError(() => loadKey(spec, material), 'ValidationException');
    expect(error.message, why).toContain(spec);
    expect(mentionsBytes(error.message, material)).toBe(false);
  });

  it('accepts HMAC keys from the hash length up to the block size (imported keys)', () => {
    expect(loadKey('HMAC_224', randomBytes(28)).secretKey?.symmetricKeySize).toBe(28);
    expect(loadKey('HMAC_224', randomBytes(64)).secretKey?.symmetricKeySize).toBe(64);
    expect(loadKey('HMAC_384', randomBytes(128)).secretKey?.symmetricKeySize).toBe(128);
  });

  it('refuses a public key for a symmetric spec and a mismatched public key', () => {
    expectLatchkeyError(() => loadPublicKey('SYMMETRIC_DEFAULT', new Uint8Array(10)), 'ValidationException');
    const p256 = testKey('ECC_NIST_P256').material.publicKey ?? new Uint8Array(0);
    expectLatchkeyError(() => loadPublicKey('ECC_NIST_P384', p256), 'ValidationException');
    expectLatchkeyError(() => loadPublicKey('RSA_2048', randomBytes(300)), 'ValidationException');
  });

  it('refuses an unknown spec', () => {
    expectLatchkeyError(() => loadKey('AES_512' as KeySpec, randomBytes(64)), 'ValidationException');
    expectLatchkeyError(() => generateKeyMaterial('AES_512' as KeySpec), 'ValidationException');
  });
});
