// Proves the material that leaves the service: every data key pair spec yields a PKCS#8 private key
// of the right type with its matching SPKI public key (a signature made with one verifies with the
// other), unsupported specs are ValidationException; randomBytes gives the asked-for number of
// fresh bytes and refuses nonsense counts; sha256Hex matches the FIPS 180 test vector for text and bytes.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { DATA_KEY_PAIR_SPECS, KEY_SPEC_INFO, type DataKeyPairSpec } from '@latchkey/core';
import { describe, expect, it } from 'vitest';
import { generateDataKeyPair } from './data-keys.ts';
import { randomBytes } from './random.ts';
import { sha256Hex } from './sha256-hex.ts';
import { expectLatchkeyError } from './test-keys.test-support.ts';

describe.each(DATA_KEY_PAIR_SPECS)('data key pair %s', (spec) => {
  it('is a matching PKCS#8 / SPKI pair of the right type', () => {
    const pair = generateDataKeyPair(spec);
    const privateKey = createPrivateKey({ key: Buffer.from(pair.privateKey), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: Buffer.from(pair.publicKey), format: 'der', type: 'spki' });
    const info = KEY_SPEC_INFO[spec];
    expect(privateKey.asymmetricKeyType).toBe(info.family);
    if (info.curve !== undefined) expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe(info.curve);
    if (info.rsaBits !== undefined) expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(info.rsaBits);
    const hash = info.family === 'ed25519' ? null : 'sha256';
    const signature = sign(hash, Buffer.from('m'), privateKey);
    expect(verify(hash, Buffer.from('m'), publicKey, signature)).toBe(true);
  });
});

describe('data key pair checks', () => {
  it('refuses key specs that are not data key pair specs', () => {
    for (const spec of ['SYMMETRIC_DEFAULT', 'HMAC_256', 'ML_DSA_44', 'RSA_1024']) {
      expectLatchkeyError(() => generateDataKeyPair(spec as DataKeyPairSpec), 'ValidationException');
    }
  });
});

describe('randomBytes', () => {
  it('returns fresh bytes of the asked-for length', () => {
    for (const n of [0, 1, 16, 32, 1024]) expect(randomBytes(n).length).toBe(n);
    expect(Buffer.from(randomBytes(32)).equals(Buffer.from(randomBytes(32)))).toBe(false);
  });

  it('refuses negative, fractional and non-numeric counts', () => {
    for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '32' as unknown as number]) {
      expectLatchkeyError(() => randomBytes(n), 'ValidationException');
    }
  });
});

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 "abc" vector for text and bytes alike', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(sha256Hex('abc')).toBe(abc);
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(abc);
  });
});
