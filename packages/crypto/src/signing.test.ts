// Proves sign/verify for every signing algorithm of every key spec in core's KEY_SPEC_INFO:
// RAW signatures verify here and in an independent verifier (crypto.verify on the PEM public key
// with the algorithm's own parameters); DIGEST signatures made from the hash verify as RAW over the
// original message, and independently made RAW signatures verify as DIGEST; changed messages and
// signatures are rejected; garbage signatures return false, never throw; wrong algorithms are
// InvalidKeyUsageException; DIGEST for Ed25519/ML-DSA and digests of the wrong length are
// ValidationException; a public-only key verifies but cannot sign.
import { constants, createHash, createPrivateKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import {
  HASH_LENGTH_BYTES, KEY_SPECS, KEY_SPEC_INFO, SIGNING_ALGORITHMS, SIGNING_HASH,
  type KeySpec, type MessageType, type SigningAlgorithm,
} from '@latchkey/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPublicKey } from './loaded-key.ts';
import { publicKeyPem } from './public-key-pem.ts';
import { sign, verify } from './signing.ts';
import { SEED, expectLatchkeyError, testKey } from './test-keys.test-support.ts';

const SIGNING_SPECS = KEY_SPECS.filter((spec) => KEY_SPEC_INFO[spec].signingAlgorithms.length > 0);
const CASES: Array<[KeySpec, SigningAlgorithm]> = SIGNING_SPECS.flatMap((spec) =>
  KEY_SPEC_INFO[spec].signingAlgorithms.map((algorithm): [KeySpec, SigningAlgorithm] => [spec, algorithm]));
const DIGEST_CASES = CASES.filter(([, algorithm]) => SIGNING_HASH[algorithm] !== null);
const RAW_ONLY_CASES = CASES.filter(([, algorithm]) => SIGNING_HASH[algorithm] === null);

/** The algorithm spelled out independently of signing.ts, as crypto.sign/verify options. */
function independentOptions(algorithm: SigningAlgorithm): { hash: string | null; padding?: number; saltLength?: number; dsaEncoding?: 'der' } {
  const hash = algorithm.match(/SHA_(256|384|512)$/)?.[1];
  if (algorithm.startsWith('RSASSA_PSS_')) return { hash: `sha${hash}`, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(hash) / 8 };
  if (algorithm.startsWith('RSASSA_PKCS1_V1_5_')) return { hash: `sha${hash}`, padding: constants.RSA_PKCS1_PADDING };
  if (algorithm.startsWith('ECDSA_')) return { hash: `sha${hash}`, dsaEncoding: 'der' };
  return { hash: null };
}

function independentVerify(pem: string, algorithm: SigningAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  const { hash, ...options } = independentOptions(algorithm);
  return nodeVerify(hash, message, { key: pem, ...options }, signature);
}

function independentSign(pkcs8: Uint8Array, algorithm: SigningAlgorithm, message: Uint8Array): Uint8Array {
  const { hash, ...options } = independentOptions(algorithm);
  return nodeSign(hash, message, { key: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }), ...options });
}

function flipped(bytes: Uint8Array, at: number, mask: number): Buffer {
  const copy = Buffer.from(bytes);
  const index = at % copy.length;
  copy[index] = (copy[index] ?? 0) ^ mask;
  return copy;
}

/** Large RSA keys are slow per signature; fewer runs keep the file fast without losing coverage. */
function runs(spec: KeySpec): number {
  return spec.startsWith('RSA_') ? 8 : 25;
}

const message = fc.uint8Array({ minLength: 1, maxLength: 1024 });
const flip = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 }));

describe.each(CASES)('%s %s with RAW messages', (spec, algorithm) => {
  const hash = SIGNING_HASH[algorithm];

  it('verifies here and independently; a changed message or signature does not', () => {
    const { key, material } = testKey(spec);
    const pem = publicKeyPem(material.publicKey ?? new Uint8Array(0));
    fc.assert(
      fc.property(message, flip, (msg, [at, mask]) => {
        const signature = sign(key, algorithm, msg, 'RAW');
        expect(verify(key, algorithm, msg, 'RAW', signature)).toBe(true);
        expect(independentVerify(pem, algorithm, msg, signature)).toBe(true);
        expect(verify(key, algorithm, flipped(msg, at, mask), 'RAW', signature)).toBe(false);
        expect(verify(key, algorithm, msg, 'RAW', flipped(signature, at, mask))).toBe(false);
      }),
      { seed: SEED, numRuns: runs(spec) },
    );
  });

  it('returns false, never throws, for garbage signatures', () => {
    const { key } = testKey(spec);
    const types: MessageType[] = hash === null ? ['RAW'] : ['RAW', 'DIGEST'];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1100 }), fc.constantFrom(...types), (garbage, messageType) => {
        const msg = messageType === 'DIGEST' ? new Uint8Array(HASH_LENGTH_BYTES[hash ?? 'sha256']) : Buffer.from('m');
        expect(verify(key, algorithm, msg, messageType, garbage)).toBe(false);
      }),
      { seed: SEED, numRuns: 50 },
    );
  });

  it('verifies with the public key alone, which cannot sign', () => {
    const { key, material } = testKey(spec);
    const publicOnly = loadPublicKey(spec, material.publicKey ?? new Uint8Array(0));
    const signature = sign(key, algorithm, Buffer.from('release v1.2.3'), 'RAW');
    expect(verify(publicOnly, algorithm, Buffer.from('release v1.2.3'), 'RAW', signature)).toBe(true);
    expectLatchkeyError(() => sign(publicOnly, algorithm, Buffer.from('x'), 'RAW'), 'UnsupportedOperationException');
  });
});

describe.each(DIGEST_CASES)('%s %s with DIGEST messages', (spec, algorithm) => {
  const hash = SIGNING_HASH[algorithm];

  it('a signature over the hash is a RAW signature over the message, and the other way round', () => {
    const { key, material } = testKey(spec);
    const pem = publicKeyPem(material.publicKey ?? new Uint8Array(0));
    const hashName = hash ?? 'sha256';
    fc.assert(
      fc.property(message, flip, (msg, [at, mask]) => {
        const digest = createHash(hashName).update(msg).digest();
        const fromDigest = sign(key, algorithm, digest, 'DIGEST');
        expect(verify(key, algorithm, digest, 'DIGEST', fromDigest)).toBe(true);
        expect(verify(key, algorithm, msg, 'RAW', fromDigest)).toBe(true);
        expect(independentVerify(pem, algorithm, msg, fromDigest)).toBe(true);
        const independent = independentSign(material.secret, algorithm, msg);
        expect(verify(key, algorithm, digest, 'DIGEST', independent)).toBe(true);
        expect(verify(key, algorithm, flipped(digest, at, mask), 'DIGEST', independent)).toBe(false);
        expect(verify(key, algorithm, digest, 'DIGEST', flipped(independent, at, mask))).toBe(false);
        // A digest is not a message: signing it as RAW signs its hash, which is something else.
        expect(verify(key, algorithm, digest, 'RAW', fromDigest)).toBe(false);
      }),
      { seed: SEED, numRuns: runs(spec) },
    );
  });

  it('refuses a digest of the wrong length', () => {
    const { key } = testKey(spec);
    const length = HASH_LENGTH_BYTES[hash ?? 'sha256'];
    for (const wrong of [0, 20, length - 1, length + 1]) {
      expectLatchkeyError(() => sign(key, algorithm, new Uint8Array(wrong), 'DIGEST'), 'ValidationException');
      expectLatchkeyError(() => verify(key, algorithm, new Uint8Array(wrong), 'DIGEST', new Uint8Array(64)), 'ValidationException');
    }
  });
});

describe.each(RAW_ONLY_CASES)('%s %s with DIGEST messages', (spec, algorithm) => {
  it('is refused: this algorithm signs RAW messages only', () => {
    const { key } = testKey(spec);
    expectLatchkeyError(() => sign(key, algorithm, new Uint8Array(64), 'DIGEST'), 'ValidationException');
    expectLatchkeyError(() => verify(key, algorithm, new Uint8Array(64), 'DIGEST', new Uint8Array(64)), 'ValidationException');
  });
});

describe('signing algorithm checks', () => {
  it('refuses every algorithm that is not valid for the key spec', () => {
    for (const spec of KEY_SPECS) {
      const { key } = testKey(spec);
      for (const algorithm of SIGNING_ALGORITHMS) {
        if (KEY_SPEC_INFO[spec].signingAlgorithms.includes(algorithm)) continue;
        expectLatchkeyError(() => sign(key, algorithm, Buffer.from('m'), 'RAW'), 'InvalidKeyUsageException');
        expectLatchkeyError(() => verify(key, algorithm, Buffer.from('m'), 'RAW', new Uint8Array(64)), 'InvalidKeyUsageException');
      }
    }
  });

  it('refuses an unknown message type', () => {
    const { key } = testKey('ECC_NIST_P256');
    expectLatchkeyError(() => sign(key, 'ECDSA_SHA_256', Buffer.from('m'), 'EXTERNAL_MU' as MessageType), 'ValidationException');
  });

  it('publishes PEM public keys that parse back, and refuses non-SPKI input', () => {
    const pem = publicKeyPem(testKey('ECC_NIST_P256').material.publicKey ?? new Uint8Array(0));
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    expectLatchkeyError(() => publicKeyPem(Buffer.from('not a key')), 'ValidationException');
  });
});
