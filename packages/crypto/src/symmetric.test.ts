// Proves AES-256-GCM encryption under SYMMETRIC_DEFAULT keys: any plaintext, key id, key version
// and encryption context round-trip; the blob names its key and version and an independent
// WebCrypto decryption (AAD = header || canonical context) reads it; flipping any byte, truncating,
// changing the context or using another key fails with InvalidCiphertextException; context order
// does not matter; and non-AES keys are refused with InvalidKeyUsageException.
import { randomBytes, webcrypto } from 'node:crypto';
import { encodeEncryptionContext, peekCiphertextKey, type EncryptionContext } from '@latchkey/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadKey } from './loaded-key.ts';
import { decryptSymmetric, encryptSymmetric } from './symmetric.ts';
import { SEED, expectLatchkeyError, testKey } from './test-keys.test-support.ts';

const { key, material } = testKey('SYMMETRIC_DEFAULT');
const otherKey = loadKey('SYMMETRIC_DEFAULT', randomBytes(32));

const plaintextArb = fc.uint8Array({ maxLength: 4096 });
const contextArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 40 }), { maxKeys: 5 });
const keyIdArb = fc.uuid();
const keyVersionArb = fc.integer({ min: 1, max: 0xffff_ffff });

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}

function sameContext(a: EncryptionContext, b: EncryptionContext): boolean {
  return sameBytes(encodeEncryptionContext(a), encodeEncryptionContext(b));
}

describe('encryptSymmetric / decryptSymmetric', () => {
  it('round-trips any plaintext, key id, key version and context, and names the key in the blob', () => {
    fc.assert(
      fc.property(plaintextArb, keyIdArb, keyVersionArb, contextArb, (plaintext, keyId, keyVersion, context) => {
        const blob = encryptSymmetric(key, keyId, keyVersion, plaintext, context);
        expect(peekCiphertextKey(blob)).toEqual({ keyId, keyVersion });
        expect(sameBytes(decryptSymmetric(key, blob, context), plaintext)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('is readable by an independent AES-GCM implementation with AAD = header || canonical context', async () => {
    const aes = await webcrypto.subtle.importKey('raw', Buffer.from(material.secret), 'AES-GCM', false, ['decrypt']);
    const samples = fc.sample(fc.tuple(plaintextArb, keyIdArb, keyVersionArb, contextArb), { seed: SEED, numRuns: 50 });
    for (const [plaintext, keyId, keyVersion, context] of samples) {
      const blob = Buffer.from(encryptSymmetric(key, keyId, keyVersion, plaintext, context));
      const headerLength = 8 + keyId.length;
      const iv = blob.subarray(headerLength, headerLength + 12);
      const tag = blob.subarray(headerLength + 12, headerLength + 28);
      const body = blob.subarray(headerLength + 28);
      const additionalData = Buffer.concat([blob.subarray(0, headerLength), encodeEncryptionContext(context)]);
      const decrypted = await webcrypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData }, aes, Buffer.concat([body, tag]));
      expect(sameBytes(new Uint8Array(decrypted), plaintext)).toBe(true);
    }
  });

  it('fails with InvalidCiphertextException when any byte is flipped', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (plaintext, context, at, flip) => {
        const blob = Buffer.from(encryptSymmetric(key, 'key-1', 3, plaintext, context));
        const index = at % blob.length;
        blob[index] = (blob[index] ?? 0) ^ flip;
        expectLatchkeyError(() => decryptSymmetric(key, blob, context), 'InvalidCiphertextException');
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('fails with InvalidCiphertextException when truncated or extended', () => {
    fc.assert(
      fc.property(plaintextArb, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 }), (plaintext, cut, extra) => {
        const blob = Buffer.from(encryptSymmetric(key, 'key-1', 1, plaintext, {}));
        expectLatchkeyError(() => decryptSymmetric(key, blob.subarray(0, cut % blob.length), {}), 'InvalidCiphertextException');
        expectLatchkeyError(() => decryptSymmetric(key, Buffer.concat([blob, extra]), {}), 'InvalidCiphertextException');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('fails with InvalidCiphertextException under any other encryption context', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, contextArb, (plaintext, context, otherContext) => {
        fc.pre(!sameContext(context, otherContext));
        const blob = encryptSymmetric(key, 'key-1', 1, plaintext, context);
        expectLatchkeyError(() => decryptSymmetric(key, blob, otherContext), 'InvalidCiphertextException');
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('fails for a context that differs in one value, one extra pair, or one missing pair', () => {
    const blob = encryptSymmetric(key, 'key-1', 1, Buffer.from('pii'), { tenant: 'a', purpose: 'backup' });
    const others: EncryptionContext[] = [{ tenant: 'b', purpose: 'backup' }, { tenant: 'a', purpose: 'backup', x: '' }, { tenant: 'a' }, {}];
    for (const context of others) {
      expectLatchkeyError(() => decryptSymmetric(key, blob, context), 'InvalidCiphertextException');
    }
    expect(Buffer.from(decryptSymmetric(key, blob, { purpose: 'backup', tenant: 'a' })).toString()).toBe('pii');
  });

  it('fails with InvalidCiphertextException under another key', () => {
    const blob = encryptSymmetric(key, 'key-1', 1, Buffer.from('x'), {});
    expectLatchkeyError(() => decryptSymmetric(otherKey, blob, {}), 'InvalidCiphertextException');
  });

  it('never repeats a ciphertext for the same input', () => {
    const a = encryptSymmetric(key, 'key-1', 1, Buffer.from('same'), {});
    const b = encryptSymmetric(key, 'key-1', 1, Buffer.from('same'), {});
    expect(sameBytes(a, b)).toBe(false);
  });

  it('refuses keys that are not SYMMETRIC_DEFAULT', () => {
    for (const spec of ['HMAC_256', 'ECC_NIST_P256', 'ML_DSA_44'] as const) {
      const other = testKey(spec).key;
      expectLatchkeyError(() => encryptSymmetric(other, 'key-1', 1, Buffer.from('x'), {}), 'InvalidKeyUsageException');
      const blob = encryptSymmetric(key, 'key-1', 1, Buffer.from('x'), {});
      expectLatchkeyError(() => decryptSymmetric(other, blob, {}), 'InvalidKeyUsageException');
    }
  });
});
