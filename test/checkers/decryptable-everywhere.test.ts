// Proves the decryptable-everywhere checker accepts a ciphertext that decrypts in every allowed
// region (or gets the error its key's state calls for), and flags a region that cannot decrypt, a
// wrong plaintext, a decryption outside the policy, a missing attempt and a state error that hides
// missing material.
import { describe, expect, it } from 'vitest';
import { checkDecryptableEverywhere, type DecryptAttempt } from './decryptable-everywhere.ts';
import { KEY, view } from './test-fixtures.ts';

const ciphertexts = [{ ciphertextId: 'ct1', keyId: KEY, keyVersion: 2, plaintextDigest: 'p' }];
const ok = (region: string): DecryptAttempt => ({ region, ciphertextId: 'ct1', outcome: 'ok', plaintextDigest: 'p' });
const error = (region: string, code: string): DecryptAttempt => ({ region, ciphertextId: 'ct1', outcome: 'error', code });
const regions = ['a', 'b', 'c'];
const check = (attempts: DecryptAttempt[], keyOverrides = {}) =>
  checkDecryptableEverywhere({ ciphertexts, keys: [view(keyOverrides)], attempts }, regions).violations;

describe('decryptable-everywhere', () => {
  it('passes when every allowed region decrypts and the others refuse', () => {
    expect(check([ok('a'), ok('b'), error('c', 'KeyNotAllowedInRegionException')])).toEqual([]);
  });

  it('flags an allowed region that cannot decrypt', () => {
    expect(check([ok('a'), error('b', 'KMSInternalException')])).toEqual([expect.stringMatching(/in b: answered KMSInternalException, expected ok/)]);
  });

  it('flags a wrong plaintext and a decryption outside the policy', () => {
    const attempts = [ok('a'), { ...ok('b'), plaintextDigest: 'q' }, ok('c')];
    expect(check(attempts)).toEqual([expect.stringMatching(/in b: decrypted to a different plaintext/), expect.stringMatching(/in c: decrypted outside the policy/)]);
  });

  it('flags an allowed region never tried', () => {
    expect(check([ok('a')])).toEqual([expect.stringMatching(/in b: never tried/)]);
  });

  it('expects the state error for a disabled key, not a missing-material error', () => {
    expect(check([error('a', 'DisabledException'), error('b', 'DisabledException')], { keyState: 'Disabled' })).toEqual([]);
    expect(check([error('a', 'DisabledException'), error('b', 'NotFoundException')], { keyState: 'Disabled' })).toHaveLength(1);
  });

  it('expects KeyVersionRetiredException below the minimum decryption version, and nothing for a destroyed key', () => {
    expect(check([error('a', 'KeyVersionRetiredException'), error('b', 'KeyVersionRetiredException')], { minDecryptionVersion: 3 })).toEqual([]);
    expect(check([], { keyState: 'Destroyed' })).toEqual([]);
  });
});
