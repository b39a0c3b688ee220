// Proves RSAES-OAEP for RSA_2048/3072/4096 with SHA-1 and SHA-256: any plaintext up to the
// documented maximum round-trips, one byte more is a ValidationException, an independent WebCrypto
// RSA-OAEP (same hash for OAEP and MGF1) decrypts ours and we decrypt its; tampered, wrong-length
// or other-hash ciphertexts fail with InvalidCiphertextException; wrong keys and algorithms are
// InvalidKeyUsageException; a public-only key encrypts but cannot decrypt.
import { webcrypto } from 'node:crypto';
import { rsaOaepMaxPlaintextBytes, type EncryptionAlgorithm } from '@latchkey/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptRsaOaep, encryptRsaOaep } from './asymmetric-encryption.ts';
import { loadPublicKey } from './loaded-key.ts';
import { SEED, expectLatchkeyError, testKey } from './test-keys.test-support.ts';

const SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
const ALGORITHMS = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const;
const WEBCRYPTO_HASH = { RSAES_OAEP_SHA_1: 'SHA-1', RSAES_OAEP_SHA_256: 'SHA-256' } as const;

function bits(spec: (typeof SPECS)[number]): number {
  return Number(spec.slice(4));
}

describe.each(SPECS)('%s', (spec) => {
  describe.each(ALGORITHMS)('%s', (algorithm) => {
    const max = rsaOaepMaxPlaintextBytes(bits(spec), algorithm);

    it('round-trips any plaintext up to the maximum length', () => {
      const { key } = testKey(spec);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: max }), (plaintext) => {
          const ciphertext = encryptRsaOaep(key, algorithm, plaintext);
          expect(ciphertext.length).toBe(bits(spec) / 8);
          expect(Buffer.from(decryptRsaOaep(key, algorithm, ciphertext)).equals(Buffer.from(plaintext))).toBe(true);
        }),
        { seed: SEED, numRuns: 15 },
      );
      const full = new Uint8Array(max).fill(7);
      expect(Buffer.from(decryptRsaOaep(key, algorithm, encryptRsaOaep(key, algorithm, full))).equals(Buffer.from(full))).toBe(true);
      expectLatchkeyError(() => encryptRsaOaep(key, algorithm, new Uint8Array(max + 1)), 'ValidationException');
    });

    it('interoperates with WebCrypto RSA-OAEP in both directions', async () => {
      const { key, material } = testKey(spec);
      const hash = WEBCRYPTO_HASH[algorithm];
      const subtle = webcrypto.subtle;
      const publicKey = await subtle.importKey('spki', Buffer.from(material.publicKey ?? []), { name: 'RSA-OAEP', hash }, false, ['encrypt']);
      const privateKey = await subtle.importKey('pkcs8', Buffer.from(material.secret), { name: 'RSA-OAEP', hash }, false, ['decrypt']);
      const message = Buffer.from('a data key, 32 bytes long......!');
      const theirs = new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, message));
      expect(Buffer.from(decryptRsaOaep(key, algorithm, theirs)).equals(message)).toBe(true);
      const ours = encryptRsaOaep(key, algorithm, message);
      expect(Buffer.from(await subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, ours)).equals(message)).toBe(true);
    });

    it('fails with InvalidCiphertextException for tampered or wrong-length ciphertexts', () => {
      const { key } = testKey(spec);
      const ciphertext = Buffer.from(encryptRsaOaep(key, algorithm, Buffer.from('secret')));
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (at, flip) => {
          const tampered = Buffer.from(ciphertext);
          const index = at % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ flip;
          expectLatchkeyError(() => decryptRsaOaep(key, algorithm, tampered), 'InvalidCiphertextException');
        }),
        { seed: SEED, numRuns: 10 },
      );
      expectLatchkeyError(() => decryptRsaOaep(key, algorithm, ciphertext.subarray(1)), 'InvalidCiphertextException');
      expectLatchkeyError(() => decryptRsaOaep(key, algorithm, Buffer.concat([ciphertext, Buffer.of(0)])), 'InvalidCiphertextException');
      const otherAlgorithm = algorithm === 'RSAES_OAEP_SHA_1' ? 'RSAES_OAEP_SHA_256' : 'RSAES_OAEP_SHA_1';
      expectLatchkeyError(() => decryptRsaOaep(key, otherAlgorithm, ciphertext), 'InvalidCiphertextException');
    });
  });
});

describe('RSA-OAEP refusals', () => {
  it('refuses algorithms and keys that cannot do RSA-OAEP', () => {
    const rsa = testKey('RSA_2048').key;
    expectLatchkeyError(() => encryptRsaOaep(rsa, 'SYMMETRIC_DEFAULT', Buffer.from('x')), 'InvalidKeyUsageException');
    expectLatchkeyError(() => decryptRsaOaep(rsa, 'SYMMETRIC_DEFAULT', new Uint8Array(256)), 'InvalidKeyUsageException');
    expectLatchkeyError(() => encryptRsaOaep(rsa, 'RSAES_OAEP_SHA_512' as EncryptionAlgorithm, Buffer.from('x')), 'InvalidKeyUsageException');
    for (const spec of ['SYMMETRIC_DEFAULT', 'ECC_NIST_P256', 'HMAC_256'] as const) {
      expectLatchkeyError(() => encryptRsaOaep(testKey(spec).key, 'RSAES_OAEP_SHA_256', Buffer.from('x')), 'InvalidKeyUsageException');
    }
  });

  it('encrypts with a public-only key but cannot decrypt with it', () => {
    const { key, material } = testKey('RSA_2048');
    const publicOnly = loadPublicKey('RSA_2048', material.publicKey ?? new Uint8Array(0));
    const ciphertext = encryptRsaOaep(publicOnly, 'RSAES_OAEP_SHA_256', Buffer.from('x'));
    expect(Buffer.from(decryptRsaOaep(key, 'RSAES_OAEP_SHA_256', ciphertext)).toString()).toBe('x');
    expectLatchkeyError(() => decryptRsaOaep(publicOnly, 'RSAES_OAEP_SHA_256', ciphertext), 'UnsupportedOperationException');
  });
});
