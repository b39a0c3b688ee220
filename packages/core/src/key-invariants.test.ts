// Proves each key-record invariant fires on a record that breaks it, stays quiet on records the
// machine makes, and that a record of any shape (a corrupt store) yields problems, not a TypeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatchkeyError, assertKeyRecord, createKeyRecord, keyRecordViolations, type KeyRecord } from './index.ts';

const SEED = Number(process.env.LATCHKEY_SEED ?? 20_261_128);
const sound = createKeyRecord({ keyId: 'k-1', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' }, 1000);
const broken = (change: Record<string, unknown>): KeyRecord => ({ ...sound, ...change }) as KeyRecord;

describe('keyRecordViolations', () => {
  it('is empty for a fresh key', () => {
    expect(keyRecordViolations(sound)).toEqual([]);
  });

  it.each([
    ['unknown spec', { keySpec: 'AES_999' }, /unknown keySpec/],
    ['prototype spec', { keySpec: 'constructor' }, /unknown keySpec/],
    ['usage not allowed by spec', { keyUsage: 'SIGN_VERIFY' }, /keyUsage/],
    ['unknown state', { keyState: 'Frozen' }, /unknown keyState/],
    ['versions shorter than current', { currentVersion: 2 }, /versions length/],
    ['version numbering gap', { currentVersion: 2, versions: [sound.versions[0], { keyVersion: 3, creationDateMs: 1, rotationType: 'ON_DEMAND' }] }, /index 1 is 3/],
    ['second INITIAL version', { currentVersion: 2, versions: [sound.versions[0], { keyVersion: 2, creationDateMs: 1, rotationType: 'INITIAL' }] }, /rotationType INITIAL/],
    ['min decryption above current', { minDecryptionVersion: 2 }, /minDecryptionVersion/],
    ['min decryption fractional', { minDecryptionVersion: 0.5 }, /minDecryptionVersion/],
    ['deletion date while enabled', { deletionDateMs: 5, pendingWindowDays: 7 }, /deletionDateMs/],
    ['pending without date', { keyState: 'PendingDeletion', pendingWindowDays: 7 }, /deletionDateMs/],
    ['window without date', { pendingWindowDays: 7 }, /pendingWindowDays/],
    ['rotation on without period', { rotationEnabled: true, nextRotationDateMs: 5 }, /without period/],
    ['rotation on a destroyed key', { keyState: 'Destroyed', deletionDateMs: 5, pendingWindowDays: 7, rotationEnabled: true, rotationPeriodDays: 90, nextRotationDateMs: 5 }, /destroyed/],
    ['too many tags', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, ''])) }, /tags/],
    ['revision zero', { revision: 0 }, /revision/],
  ])('reports %s', (_name, change, message) => {
    const problems = keyRecordViolations(broken(change));
    expect(problems.join('; ')).toMatch(message);
    expect(() => assertKeyRecord(broken(change))).toThrow(expect.objectContaining({ code: 'KMSInternalException' }));
  });

  it('reports rotation on a key spec that does not rotate', () => {
    const ec = createKeyRecord({ keyId: 'k-2', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }, 0);
    expect(keyRecordViolations({ ...ec, rotationEnabled: true, rotationPeriodDays: 90, nextRotationDateMs: 1 })).toEqual(['rotation enabled on non-rotatable ECC_NIST_P256']);
  });

  it('property "corrupt records are reported, never crash": any JSON shape gives a list', () => {
    const shapes = fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom(...Object.keys(sound)), fc.jsonValue()).map((patch) => ({ ...sound, ...patch })));
    fc.assert(fc.property(shapes, (value) => {
      expect(Array.isArray(keyRecordViolations(value as KeyRecord))).toBe(true);
      try {
        assertKeyRecord(value as KeyRecord);
      } catch (err) {
        expect(err).toBeInstanceOf(LatchkeyError);
      }
    }), { seed: SEED, numRuns: 1000 });
  });
});
