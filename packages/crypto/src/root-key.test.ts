// Proves the root key wraps and unwraps any material under any AAD; that unwrapping fails with
// KMSInternalException for another AAD, another root key, or any changed byte; that the wrapped
// form is exactly the documented one (an independent WebCrypto decryption reads it); and that the
// fingerprint is stable, distinct per key, and reveals neither the root bytes nor the wrapping key.
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rootKeyFromBase64, rootKeyFromBytes } from './root-key.ts';
import { SEED, expectLatchkeyError, mentionsBytes } from './test-keys.test-support.ts';

const rootBytes = randomBytes(32);
const rootKey = rootKeyFromBytes(rootBytes);
const other = rootKeyFromBytes(randomBytes(32));

const material = fc.uint8Array({ maxLength: 8000 });
const aad = fc.uint8Array({ maxLength: 200 });

describe('root key wrapping', () => {
  it('round-trips any material under any AAD', () => {
    fc.assert(
      fc.property(material, aad, (plaintext, data) => {
        const wrapped = rootKey.wrap(plaintext, data);
        expect(wrapped.length).toBe(1 + 12 + 16 + plaintext.length);
        expect(wrapped[0]).toBe(1);
        expect(Buffer.from(rootKey.unwrap(wrapped, data)).equals(Buffer.from(plaintext))).toBe(true);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('binds the AAD: any other AAD fails', () => {
    fc.assert(
      fc.property(material, aad, aad, (plaintext, a, b) => {
        fc.pre(!Buffer.from(a).equals(Buffer.from(b)));
        expectLatchkeyError(() => rootKey.unwrap(rootKey.wrap(plaintext, a), b), 'KMSInternalException');
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('fails when any byte of the wrapped form changes, or it is truncated', () => {
    fc.assert(
      fc.property(material, fc.nat(), fc.integer({ min: 1, max: 255 }), (plaintext, at, flip) => {
        const wrapped = Buffer.from(rootKey.wrap(plaintext, Buffer.from('aad')));
        const tampered = Buffer.from(wrapped);
        const index = at % wrapped.length;
        tampered[index] = (tampered[index] ?? 0) ^ flip;
        expectLatchkeyError(() => rootKey.unwrap(tampered, Buffer.from('aad')), 'KMSInternalException');
        expectLatchkeyError(() => rootKey.unwrap(wrapped.subarray(0, index), Buffer.from('aad')), 'KMSInternalException');
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('fails under another root key', () => {
    const wrapped = rootKey.wrap(Buffer.from('secret'), Buffer.from('aad'));
    expectLatchkeyError(() => other.unwrap(wrapped, Buffer.from('aad')), 'KMSInternalException');
  });

  it('uses a fresh IV every time', () => {
    const a = rootKey.wrap(Buffer.from('same'), Buffer.alloc(0));
    const b = rootKey.wrap(Buffer.from('same'), Buffer.alloc(0));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('writes the documented format: HKDF-SHA256 wrapping key, AES-256-GCM, AAD = version || aad', async () => {
    const plaintext = Buffer.from('key material');
    const data = Buffer.from('latchkey/material/v1/k/1');
    const wrapped = Buffer.from(rootKey.wrap(plaintext, data));
    const subtle = webcrypto.subtle;
    const base = await subtle.importKey('raw', rootBytes, 'HKDF', false, ['deriveKey']);
    const aesKey = await subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: Buffer.from('latchkey/root-key/v1'), info: Buffer.from('latchkey/root-key/v1/wrapping-key') },
      base, { name: 'AES-GCM', length: 256 }, false, ['decrypt'],
    );
    const iv = wrapped.subarray(1, 13);
    const tag = wrapped.subarray(13, 29);
    const body = wrapped.subarray(29);
    const decrypted = await subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: Buffer.concat([Buffer.of(1), data]), tagLength: 128 },
      aesKey, Buffer.concat([body, tag]),
    );
    expect(Buffer.from(decrypted).equals(plaintext)).toBe(true);
  });
});

describe('root key identity', () => {
  it('has a stable hex fingerprint that differs per key and is not a hash of the raw bytes', () => {
    expect(rootKey.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(rootKeyFromBytes(rootBytes).fingerprint).toBe(rootKey.fingerprint);
    expect(other.fingerprint).not.toBe(rootKey.fingerprint);
    expect(rootKey.fingerprint).not.toBe(createHash('sha256').update(rootBytes).digest('hex'));
    expect(mentionsBytes(rootKey.fingerprint, rootBytes)).toBe(false);
  });

  it('keeps working after the caller zeroes its copy of the bytes', () => {
    const bytes = randomBytes(32);
    const key = rootKeyFromBytes(bytes);
    const wrapped = key.wrap(Buffer.from('x'), Buffer.alloc(0));
    bytes.fill(0);
    expect(Buffer.from(key.unwrap(wrapped, Buffer.alloc(0))).toString()).toBe('x');
  });

  it('accepts exactly 32 bytes', () => {
    expectLatchkeyError(() => rootKeyFromBytes(randomBytes(31)), 'ValidationException');
    expectLatchkeyError(() => rootKeyFromBytes(randomBytes(33)), 'ValidationException');
  });
});

describe('rootKeyFromBase64', () => {
  it('reads standard and URL-safe base64, with or without padding or a trailing newline', () => {
    const expected = rootKey.fingerprint;
    for (const text of [
      rootBytes.toString('base64'),
      rootBytes.toString('base64url'),
      rootBytes.toString('base64').replace(/=+$/, ''),
      `${rootBytes.toString('base64')}\n`,
    ]) {
      expect(rootKeyFromBase64(text).fingerprint).toBe(expected);
    }
  });

  it('refuses other lengths and non-base64 without echoing the value', () => {
    const short = randomBytes(16).toString('base64');
    for (const text of [short, randomBytes(48).toString('base64'), '', 'not base64 at all!', `${rootBytes.toString('base64')}*`]) {
      const error = expectLatchkeyError(() => rootKeyFromBase64(text), 'ValidationException');
      if (text.length > 0) expect(error.message).not.toContain(text);
    }
  });
});
