import { describe, expect, it } from 'vitest';
import { confirmationVerdict, servingVersion, type ConfirmationInput } from './version-confirmation.ts';

const base: ConfirmationInput = { heldHere: true, keyVersion: 2, subjectSeq: 10, appliedSeq: 12, stream: { seq: 10, carriesVersion: true, sameSecret: true } };
const withStream = (stream: ConfirmationInput['stream'], over: Partial<ConfirmationInput> = {}): ConfirmationInput => ({ ...base, ...over, stream });

describe('confirmationVerdict', () => {
  it('confirms when the stream carries the version with the same secret, at any later sequence too', () => {
    expect(confirmationVerdict(base)).toEqual({ kind: 'confirmed', keyVersion: 2 });
    expect(confirmationVerdict(withStream({ seq: 30, carriesVersion: true, sameSecret: true }))).toEqual({ kind: 'confirmed', keyVersion: 2 });
  });

  it('has nothing to confirm for a key whose material does not live here', () => {
    expect(confirmationVerdict({ ...base, heldHere: false, stream: null })).toEqual({ kind: 'not-held' });
  });

  it('waits while the stream holds a newer change this region has not reached', () => {
    expect(confirmationVerdict(withStream({ seq: 20, carriesVersion: false, sameSecret: null }))).toEqual({ kind: 'behind' });
    expect(confirmationVerdict(withStream({ seq: 20, carriesVersion: true, sameSecret: false }))).toEqual({ kind: 'behind' });
  });

  it('a key the stream never had is divergent and cannot be repaired from it', () => {
    expect(confirmationVerdict(withStream(null))).toMatchObject({ kind: 'divergent', repairable: false });
  });

  it('another secret for the version at the same sequence (a change the stream did not keep) is repairable', () => {
    expect(confirmationVerdict(withStream({ seq: 10, carriesVersion: true, sameSecret: false }))).toMatchObject({ kind: 'divergent', repairable: true });
  });

  it('a version the stream does not carry (a rotation applied here only) is repairable', () => {
    expect(confirmationVerdict(withStream({ seq: 9, carriesVersion: false, sameSecret: null }))).toMatchObject({ kind: 'divergent', repairable: true });
  });

  it('a stream change this region passed over without applying it is repairable', () => {
    const verdict = confirmationVerdict(withStream({ seq: 11, carriesVersion: false, sameSecret: null }));
    expect(verdict).toMatchObject({ kind: 'divergent', repairable: true });
    expect(verdict.kind === 'divergent' && verdict.reason).toMatch(/moved past/);
  });
});

describe('servingVersion', () => {
  it('uses the current version once confirmed', () => {
    expect(servingVersion({ currentVersion: 3, minDecryptionVersion: 1 }, 3)).toBe(3);
  });

  it('keeps using the last confirmed version until a rotation is confirmed', () => {
    expect(servingVersion({ currentVersion: 3, minDecryptionVersion: 1 }, 2)).toBe(2);
  });

  it('never serves a version that may no longer be decrypted, nor one never confirmed', () => {
    expect(servingVersion({ currentVersion: 3, minDecryptionVersion: 3 }, 2)).toBeNull();
    expect(servingVersion({ currentVersion: 1, minDecryptionVersion: 1 }, 0)).toBeNull();
  });
});
