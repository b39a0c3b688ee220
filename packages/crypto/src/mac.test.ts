// Proves HMAC generation and verification for every HMAC key spec: MACs equal an independent
// HMAC built from its definition (RFC 2104, H((K^opad) || H((K^ipad) || m)) with createHash);
// any changed message or MAC, and any truncated or extended MAC, fails to verify; algorithms of
// another spec and keys of another kind are InvalidKeyUsageException.
import { createHash } from 'node:crypto';
import { KEY_SPEC_INFO, MAC_ALGORITHMS, MAC_HASH, type HashName, type KeySpec, type MacAlgorithm } from '@latchkey/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateMac, verifyMac } from './mac.ts';
import { SEED, expectLatchkeyError, testKey } from './test-keys.test-support.ts';

const HMAC_SPECS = ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const;
const BLOCK_BYTES: Record<HashName, number> = { sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

/** HMAC from RFC 2104's definition, sharing no code with mac.ts. */
function referenceHmac(hash: HashName, key: Uint8Array, message: Uint8Array): Buffer {
  const block = Buffer.alloc(BLOCK_BYTES[hash]);
  block.set(key.length > block.length ? createHash(hash).update(key).digest() : key);
  const inner = Buffer.from(block.map((b) => b ^ 0x36));
  const outer = Buffer.from(block.map((b) => b ^ 0x5c));
  return createHash(hash).update(outer).update(createHash(hash).update(inner).update(message).digest()).digest();
}

/** Each HMAC spec has exactly one MAC algorithm in core's table. */
function algorithmOf(spec: KeySpec): MacAlgorithm {
  const algorithms = KEY_SPEC_INFO[spec].macAlgorithms;
  expect(algorithms).toHaveLength(1);
  return algorithms[0] as MacAlgorithm;
}

describe.each(HMAC_SPECS)('%s', (spec) => {
  const algorithm = algorithmOf(spec);
  const hash = MAC_HASH[algorithm];

  it('matches RFC 2104 computed independently, and verifies', () => {
    const { key, material } = testKey(spec);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (message) => {
        const mac = generateMac(key, algorithm, message);
        expect(Buffer.from(mac).equals(referenceHmac(hash, material.secret, message))).toBe(true);
        expect(verifyMac(key, algorithm, message, mac)).toBe(true);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('rejects a changed message, a changed MAC, and a MAC of another length', () => {
    const { key } = testKey(spec);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (message, at, flip) => {
        const mac = Buffer.from(generateMac(key, algorithm, message));
        const changedMessage = Buffer.from(message);
        changedMessage[at % changedMessage.length] = (changedMessage[at % changedMessage.length] ?? 0) ^ flip;
        expect(verifyMac(key, algorithm, changedMessage, mac)).toBe(false);
        const changedMac = Buffer.from(mac);
        changedMac[at % changedMac.length] = (changedMac[at % changedMac.length] ?? 0) ^ flip;
        expect(verifyMac(key, algorithm, message, changedMac)).toBe(false);
        expect(verifyMac(key, algorithm, message, mac.subarray(0, at % mac.length))).toBe(false);
        expect(verifyMac(key, algorithm, message, Buffer.concat([mac, Buffer.of(flip)]))).toBe(false);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('refuses the MAC algorithms of other specs', () => {
    const { key } = testKey(spec);
    for (const other of MAC_ALGORITHMS.filter((a) => a !== algorithm)) {
      expectLatchkeyError(() => generateMac(key, other, Buffer.from('m')), 'InvalidKeyUsageException');
      expectLatchkeyError(() => verifyMac(key, other, Buffer.from('m'), new Uint8Array(32)), 'InvalidKeyUsageException');
    }
  });
});

describe('MAC key checks', () => {
  it('refuses keys that are not HMAC keys', () => {
    for (const spec of ['SYMMETRIC_DEFAULT', 'ECC_NIST_P256'] as const) {
      expectLatchkeyError(() => generateMac(testKey(spec).key, 'HMAC_SHA_256', Buffer.from('m')), 'InvalidKeyUsageException');
    }
  });
});
