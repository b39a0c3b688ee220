// Proves the change codec trusts only pinned signers: a change decodes when its signature verifies
// under the claimed region's pinned key, including the shortcut for bytes signed in this process,
// and is rejected when the payload was altered, when the claimed region pins another key (even for
// bytes this process signed), when the signer is not pinned, or when origin and signer differ.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import type { ChangeEnvelope } from '@latchkey/core';
import { decodeChange, encodeChange } from './change-codec.ts';

const packr = new Packr({ useRecords: false, moreTypes: false, mapsAsObjects: true });
const eu = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

function envelope(origin: string, changeId: string): ChangeEnvelope {
  return { formatVersion: 1, origin, changeId, createdAtMs: 1, change: { kind: 'token', tokenId: 't1', token: null } };
}

const pinned = (keys: Record<string, KeyObject>) => (region: string): KeyObject | undefined => keys[region];

describe('change codec', () => {
  it('decodes a change signed here, and the same bytes decoded again (verified the long way)', () => {
    const bytes = encodeChange(envelope('eu', 'c1'), eu.privateKey);
    expect(decodeChange(bytes, pinned({ eu: eu.publicKey })).changeId).toBe('c1');
    expect(decodeChange(bytes, pinned({ eu: eu.publicKey })).changeId).toBe('c1');
  });

  it('rejects bytes signed here when the claimed region pins another key', () => {
    const bytes = encodeChange(envelope('eu', 'c2'), eu.privateKey);
    expect(() => decodeChange(bytes, pinned({ eu: other.publicKey }))).toThrow(/does not verify/);
  });

  it('rejects an altered payload under a signature made here', () => {
    const bytes = encodeChange(envelope('eu', 'c3'), eu.privateKey);
    const signed = packr.unpack(bytes);
    const altered = packr.pack({ ...signed, payload: packr.pack(envelope('eu', 'c3-altered')) });
    expect(() => decodeChange(altered, pinned({ eu: eu.publicKey }))).toThrow(/does not verify/);
  });

  it('rejects a signer that is not pinned, and an origin that is not the signer', () => {
    expect(() => decodeChange(encodeChange(envelope('mallory', 'c4'), other.privateKey), pinned({ eu: eu.publicKey }))).toThrow(/not a pinned region/);
    const forged = encodeChange(envelope('us', 'c5'), eu.privateKey);
    const signed = packr.unpack(forged);
    expect(() => decodeChange(packr.pack({ ...signed, signer: 'eu' }), pinned({ eu: eu.publicKey }))).toThrow(/origin differs from signer/);
  });

  it('rejects bytes that are not a signed change', () => {
    expect(() => decodeChange(new Uint8Array([0xc1]), pinned({ eu: eu.publicKey }))).toThrow(/rejected replicated change/);
    expect(() => decodeChange(packr.pack({ hello: 1 }), pinned({ eu: eu.publicKey }))).toThrow(/not a signed change/);
  });
});
