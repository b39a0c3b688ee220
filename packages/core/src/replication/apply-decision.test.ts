// Proves what applying one change decides: redeliveries are skipped, a region adopts exactly the
// versions wrapped for it, erases everything when the policy or a destruction excludes it, and a
// malformed or hostile envelope is rejected with a reason instead of throwing (which would wedge
// the consumer on a poison message).
import { describe, expect, it } from 'vitest';
import { applyKeyCommand, createKeyRecord } from '../key-machine.ts';
import type { KeyRecord } from '../key-record.ts';
import { decideApply, type LocalItemState } from './apply-decision.ts';
import { nextKeyChange } from './key-change-builder.ts';
import { keySubject, type ChangeEnvelope, type KeyChange } from './state-change.ts';

const KEY_ID = '00000000-0000-4000-8000-000000000001';
const SUBJECT = keySubject(KEY_ID);
const NOBODY: LocalItemState = { subjectSeq: 0, record: null, heldVersions: [] };
const blob = (tag: string): Uint8Array => new TextEncoder().encode(tag);

function pinnedKey(regions: readonly string[] | null): KeyRecord {
  return createKeyRecord({ keyId: KEY_ID, keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', regions }, 1_000);
}

function wrappedFor(regions: readonly string[], keyVersion: number): Record<string, Uint8Array> {
  return Object.fromEntries(regions.map((r) => [r, blob(`${r}/${keyVersion}`)]));
}

function envelopeOf(change: KeyChange): ChangeEnvelope {
  return { formatVersion: 1, change, origin: 'a', changeId: 'c1', createdAtMs: 1_000 };
}

const DEPLOYMENT = ['a', 'b', 'c'];

describe('decideApply', () => {
  const record = pinnedKey(['a', 'b']);
  const created = nextKeyChange(null, record, [{ keyVersion: 1, publicKey: null, wrapped: wrappedFor(['a', 'b'], 1) }], DEPLOYMENT);

  it('adopts the versions wrapped for an allowed region', () => {
    expect(decideApply(envelopeOf(created), SUBJECT, 1, NOBODY, 'a', DEPLOYMENT)).toMatchObject({ action: 'apply', adoptVersions: [1] });
  });

  it('gives a region outside the policy nothing to adopt', () => {
    expect(decideApply(envelopeOf(created), SUBJECT, 1, NOBODY, 'c', DEPLOYMENT)).toMatchObject({ action: 'apply', adoptVersions: [], missingVersions: [] });
  });

  it('skips a redelivery at or below the applied subject sequence', () => {
    const local: LocalItemState = { subjectSeq: 7, record, heldVersions: [1] };
    expect(decideApply(envelopeOf(created), SUBJECT, 7, local, 'a', DEPLOYMENT)).toEqual({ action: 'skip', reason: 'already-applied' });
  });

  it('asks to recheck a held version whose wrapped bytes for this region changed, and only that', () => {
    const rotated = applyKeyCommand(record, { type: 'rotate', rotationType: 'ON_DEMAND' }, 2_000);
    const next = nextKeyChange(created, rotated, [{ keyVersion: 2, publicKey: null, wrapped: wrappedFor(['a', 'b'], 2) }], DEPLOYMENT);
    const same: LocalItemState = { subjectSeq: 1, record, heldVersions: [1], wrappedHere: new Map([[1, blob('a/1')]]) };
    expect(decideApply(envelopeOf(next), SUBJECT, 2, same, 'a', DEPLOYMENT)).toMatchObject({ action: 'apply', adoptVersions: [2], recheckVersions: [] });
    // This region holds a version 1 the stream's history does not carry (other bytes for it here).
    const diverged: LocalItemState = { ...same, wrappedHere: new Map([[1, blob('a/1-phantom')]]) };
    expect(decideApply(envelopeOf(next), SUBJECT, 2, diverged, 'a', DEPLOYMENT)).toMatchObject({ action: 'apply', adoptVersions: [2], recheckVersions: [1] });
    // Held, but the last change applied here did not carry it: recheck as well.
    expect(decideApply(envelopeOf(next), SUBJECT, 2, { ...same, wrappedHere: new Map() }, 'a', DEPLOYMENT)).toMatchObject({ recheckVersions: [1] });
    // No earlier change known at all: nothing to compare with, nothing to recheck.
    expect(decideApply(envelopeOf(next), SUBJECT, 2, { subjectSeq: 1, record, heldVersions: [1] }, 'a', DEPLOYMENT)).toMatchObject({ recheckVersions: [] });
  });

  it('reports, and keeps, a held version the change does not carry', () => {
    const local: LocalItemState = { subjectSeq: 1, record, heldVersions: [1, 2], wrappedHere: new Map([[1, blob('a/1')], [2, blob('a/2')]]) };
    const described = nextKeyChange(created, applyKeyCommand(record, { type: 'updateDescription', description: 'x' }, 2_000), [], DEPLOYMENT);
    expect(decideApply(envelopeOf(described), SUBJECT, 2, local, 'a', DEPLOYMENT)).toMatchObject({ action: 'apply', adoptVersions: [], eraseVersions: [], unknownToStream: [2] });
  });

  it('erases every held version when the policy drops the region', () => {
    const narrowed = applyKeyCommand(record, { type: 'setRegions', regions: ['a'] }, 2_000);
    const change = nextKeyChange(created, narrowed, [], DEPLOYMENT);
    const local: LocalItemState = { subjectSeq: 1, record, heldVersions: [1] };
    expect(decideApply(envelopeOf(change), SUBJECT, 2, local, 'b', DEPLOYMENT)).toMatchObject({ action: 'apply', eraseVersions: [1] });
  });

  it('does not mistake an inherited member for material when a region is named "constructor"', () => {
    const deployment = ['a', 'constructor'];
    const open = pinnedKey(null);
    const change = nextKeyChange(null, open, [{ keyVersion: 1, publicKey: null, wrapped: wrappedFor(['a'], 1) }], deployment);
    const decision = decideApply(envelopeOf(change), SUBJECT, 1, NOBODY, 'constructor', deployment);
    expect(decision).toMatchObject({ action: 'apply', adoptVersions: [], missingVersions: [1] });
  });

  it('rejects a record whose regions is a string, so pinning never becomes a substring match', () => {
    const hostile = { ...record, regions: 'eu-west,us' as unknown as string[] };
    const change: KeyChange = { ...created, record: hostile };
    expect(decideApply(envelopeOf(change), SUBJECT, 1, NOBODY, 'us', ['us'])).toMatchObject({ action: 'reject' });
  });

  const record1 = created.record;
  it.each<[string, unknown]>([
    ['null', null],
    ['no change', { formatVersion: 1 }],
    ['a null change', { formatVersion: 1, change: null }],
    ['an unknown kind', { formatVersion: 1, change: { kind: 'grant' } }],
    ['versions not a list', { formatVersion: 1, change: { kind: 'key', record: record1, versions: null } }],
    ['a null version', { formatVersion: 1, change: { kind: 'key', record: record1, versions: [null] } }],
    ['a version without wrapped', { formatVersion: 1, change: { kind: 'key', record: record1, versions: [{ keyVersion: 1 }] } }],
    ['a future format', { formatVersion: 2, change: created }],
  ])('rejects %s instead of throwing', (_name, envelope) => {
    expect(decideApply(envelope as ChangeEnvelope, SUBJECT, 1, NOBODY, 'a', DEPLOYMENT).action).toBe('reject');
  });
});
