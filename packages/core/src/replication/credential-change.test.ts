// Proves what applying an AWS credential change decides: a region adopts the secret only when it
// is wrapped for that region (an own property, never an inherited one), a revocation adopts
// nothing, and a malformed or mismatched change is rejected with a reason instead of throwing.
import { describe, expect, it } from 'vitest';
import { decideApply, type LocalItemState } from './apply-decision.ts';
import { credentialSecretAad, credentialTransportAad } from './credential-change.ts';
import { credentialSubject, subjectOf, type ChangeEnvelope, type CredentialChange } from './state-change.ts';

const ID = 'LKIAABCDEFGHIJKLMNOP';
const SUBJECT = credentialSubject(ID);
const NOBODY: LocalItemState = { subjectSeq: 0, record: null, heldVersions: [] };
const DEPLOYMENT = ['a', 'b', 'constructor'];
const blob = (tag: string): Uint8Array => new TextEncoder().encode(tag);

function issued(regions: readonly string[]): CredentialChange {
  return {
    kind: 'credential', accessKeyId: ID, credential: { accessKeyId: ID, principal: 'app', creationDateMs: 1_000 },
    wrapped: Object.fromEntries(regions.map((r) => [r, blob(r)])),
  };
}

function envelopeOf(change: unknown): ChangeEnvelope {
  return { formatVersion: 1, change: change as CredentialChange, origin: 'a', changeId: 'c1', createdAtMs: 1_000 };
}

describe('credential changes', () => {
  it('live on their own subject', () => {
    expect(subjectOf(issued(['a']))).toBe(`kms.credential.${ID}`);
    expect(SUBJECT).toBe(`kms.credential.${ID}`);
  });

  it('give a region the secret wrapped for it', () => {
    expect(decideApply(envelopeOf(issued(['a', 'b'])), SUBJECT, 1, NOBODY, 'b', DEPLOYMENT)).toEqual({
      action: 'apply', adoptVersions: [1], eraseVersions: [], missingVersions: [], revisionGap: false, recheckVersions: [], unknownToStream: [],
    });
  });

  it('report the secret missing for a region it was not wrapped for, even one named like an Object member', () => {
    expect(decideApply(envelopeOf(issued(['a'])), SUBJECT, 1, NOBODY, 'constructor', DEPLOYMENT)).toMatchObject({
      action: 'apply', adoptVersions: [], missingVersions: [1],
    });
  });

  it('adopt nothing on revocation', () => {
    const revoked: CredentialChange = { kind: 'credential', accessKeyId: ID, credential: null, wrapped: {} };
    expect(decideApply(envelopeOf(revoked), SUBJECT, 2, NOBODY, 'a', DEPLOYMENT)).toMatchObject({ action: 'apply', adoptVersions: [], missingVersions: [] });
  });

  it('are skipped when redelivered', () => {
    expect(decideApply(envelopeOf(issued(['a'])), SUBJECT, 3, { ...NOBODY, subjectSeq: 3 }, 'a', DEPLOYMENT)).toEqual({ action: 'skip', reason: 'already-applied' });
  });

  const hostile: [string, unknown, string][] = [
    ['a malformed access key id', { ...issued(['a']), accessKeyId: 'lower.case' }, SUBJECT],
    ['another subject', issued(['a']), credentialSubject('LKIAZZZZZZZZZZZZZZZZ')],
    ['a record for another id', { ...issued(['a']), credential: { accessKeyId: 'LKIAZZZZZZZZZZZZZZZZ', principal: 'app', creationDateMs: 1 } }, SUBJECT],
    ['a record without principal', { ...issued(['a']), credential: { accessKeyId: ID, creationDateMs: 1 } }, SUBJECT],
    ['wrapped secrets that are not bytes', { ...issued(['a']), wrapped: { a: 'text' } }, SUBJECT],
    ['no wrapped map at all', { ...issued(['a']), wrapped: null }, SUBJECT],
  ];
  for (const [what, change, subject] of hostile) {
    it(`are rejected with a reason, not a throw: ${what}`, () => {
      const decision = decideApply(envelopeOf(change), subject, 1, NOBODY, 'a', DEPLOYMENT);
      expect(decision.action).toBe('reject');
    });
  }

  it('bind wrapped secrets to the access key id and region, apart from key material', () => {
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    expect(text(credentialTransportAad(ID, 'a'))).toBe(`latchkey/aws-credential/transport/v1/${ID}/a`);
    expect(text(credentialSecretAad(ID))).toBe(`latchkey/aws-credential/secret/v1/${ID}`);
    expect(text(credentialTransportAad(ID, 'a'))).not.toBe(text(credentialTransportAad(ID, 'b')));
  });
});
