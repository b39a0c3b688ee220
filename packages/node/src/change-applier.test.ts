// Proves the applier handles a late redelivery: a change whose first delivery was lost while later
// ones were applied is still applied when it comes back (it is newer for its subject), an older
// change on a subject is skipped, and the cursor never moves backwards. And that a region holding a
// version whose secret differs from the one the stream's history carries (a divergence) takes the
// stream's secret, while the same secret merely re-wrapped changes nothing. And that the last
// change of a key kept in memory (so writers need not read the store) is the one that is durable.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { keySubject, type ChangeEnvelope, type KeyChange } from '@latchkey/core';
import { rootKeyFromBytes, transportAad, transportPublicKeyOf, unwrapForRegion, wrapForRegion } from '@latchkey/crypto';
import { deriveRegionIdentity } from './region-identity.ts';
import { startTestNode, type TestNode } from './testing/test-node.ts';

let t: TestNode;
beforeEach(async () => {
  t = await startTestNode();
});
afterEach(async () => {
  await t.close();
});

function aliasChange(aliasName: string, targetKeyId: string, at: number): ChangeEnvelope {
  return {
    formatVersion: 1, origin: 'local', changeId: `c-${aliasName}-${at}`, createdAtMs: at,
    change: { kind: 'alias', aliasName, alias: { aliasName, targetKeyId, creationDateMs: at, lastUpdatedDateMs: at } },
  };
}

describe('ChangeApplier', () => {
  it('applies a late redelivery that is newer for its subject, skips an older one, keeps the cursor', async () => {
    const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
    const applier = t.node.applier;
    const base = applier.appliedSeq;
    // Sequences base+1 and base+2 "arrive" after base+3 (their first delivery was lost).
    await applier.apply({ seq: base + 3, subject: 'kms.alias.alias/c', envelope: aliasChange('alias/c', keyId, 3), publishedAtMs: Date.now() });
    expect(applier.appliedSeq).toBe(base + 3);
    const late = await applier.apply({ seq: base + 1, subject: 'kms.alias.alias/a', envelope: aliasChange('alias/a', keyId, 1), publishedAtMs: Date.now() });
    expect(late.action).toBe('apply');
    expect(applier.appliedSeq).toBe(base + 3);
    const again = await applier.apply({ seq: base + 1, subject: 'kms.alias.alias/a', envelope: aliasChange('alias/a', keyId, 1), publishedAtMs: Date.now() });
    expect(again.action).toBe('skip');
    const aliases = (await t.call('GET', '/v1/aliases')).body.aliases.map((a: { aliasName: string }) => a.aliasName);
    expect(aliases).toEqual(['alias/a', 'alias/c']);
    // The durable cursor survives a restart at the highest sequence, not the last one applied.
    t = await t.restart();
    expect(t.node.applier.appliedSeq).toBe(base + 3);
  });

  it('reports a held version whose secret differs from the replicated change\'s and keeps its own; a re-wrap is no divergence', async () => {
    const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
    const made = (await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: Buffer.from('made before').toString('base64') })).body.ciphertext as string;
    const decrypts = async (ciphertext: string) => (await t.call('POST', '/v1/decrypt', { ciphertext })).status === 200;
    const applier = t.node.applier;
    const rootKey = rootKeyFromBytes(await readFile(t.node.config.rootKeyFile));
    const identity = deriveRegionIdentity(rootKey, t.node.config.region);
    const region = identity.region;
    const aad = transportAad(keyId, 1, region);
    const last = (await applier.lastKeyChange(keyId)) as KeyChange;
    const secret = unwrapForRegion(identity.transportPrivate, last.versions[0]!.wrapped[region]!, aad);
    const changeWith = (wrapped: Uint8Array, revision: number): ChangeEnvelope => ({
      formatVersion: 1, origin: 'elsewhere', changeId: `c-${revision}`, createdAtMs: Date.now(),
      change: { kind: 'key', record: { ...last.record, description: `rev ${revision}`, revision }, versions: [{ ...last.versions[0]!, wrapped: { [region]: wrapped } }] },
    });
    const recipient = transportPublicKeyOf(identity.transportPublicKey);

    // The same secret, wrapped again (other bytes): nothing is replaced.
    await applier.apply({ seq: applier.appliedSeq + 1, subject: keySubject(keyId), envelope: changeWith(wrapForRegion(recipient, secret, aad), last.record.revision + 1), publishedAtMs: Date.now() });
    expect(applier.divergentVersions).toBe(0);
    expect(await decrypts(made)).toBe(true);

    // Another secret for the version this region holds: reported loudly, and this region keeps its
    // own (the change may come from an out-of-date replica; dropping material loses ciphertexts).
    const other = randomBytes(32);
    await applier.apply({ seq: applier.appliedSeq + 1, subject: keySubject(keyId), envelope: changeWith(wrapForRegion(recipient, other, aad), last.record.revision + 2), publishedAtMs: Date.now() });
    expect(applier.divergentVersions).toBe(1);
    expect(await decrypts(made)).toBe(true);
    expect(t.logs.some((line) => line.includes('secret differs from the replicated change; keeping its own'))).toBe(true);
    // The report names the key and version only: neither secret reaches a log line.
    for (const value of [secret, other]) {
      for (const encoded of [Buffer.from(value).toString('base64'), Buffer.from(value).toString('hex')]) expect(t.logs.join('\n')).not.toContain(encoded);
    }
    t = await t.restart();
    expect(await decrypts(made)).toBe(true);
    secret.fill(0);
  });

  it('reports a held version that a later change does not carry, keeping its material', async () => {
    const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
    const applier = t.node.applier;
    const v1 = (await applier.lastKeyChange(keyId)) as KeyChange;
    const rotated = await t.call('POST', `/v1/keys/${keyId}/rotate`, {});
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const v2 = (await applier.lastKeyChange(keyId)) as KeyChange;
    const made = (await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: Buffer.from('under v2').toString('base64') })).body;
    expect(made.keyVersion).toBe(2);
    // The stream's next change on the key was built on version 1 only: version 2 never reached it.
    const envelope: ChangeEnvelope = {
      formatVersion: 1, origin: 'elsewhere', changeId: 'c-fork', createdAtMs: Date.now(),
      change: { kind: 'key', record: { ...v1.record, description: 'fork', revision: v2.record.revision + 1 }, versions: v1.versions },
    };
    const decision = await applier.apply({ seq: applier.appliedSeq + 1, subject: keySubject(keyId), envelope, publishedAtMs: Date.now() });
    expect(decision).toMatchObject({ action: 'apply', unknownToStream: [2] });
    expect(applier.divergentVersions).toBe(1);
    expect((await t.call('GET', `/v1/keys/${keyId}`)).body.keyMetadata.currentVersion).toBe(1);
    expect(t.logs.some((line) => line.includes('keeping their material'))).toBe(true);
    // The record follows the change; the material of version 2 stays, so a later change that
    // carries version 2 again makes its ciphertexts decrypt.
    const back: ChangeEnvelope = { ...envelope, changeId: 'c-back', change: { kind: 'key', record: { ...v2.record, revision: v2.record.revision + 2 }, versions: v2.versions } };
    await applier.apply({ seq: applier.appliedSeq + 1, subject: keySubject(keyId), envelope: back, publishedAtMs: Date.now() });
    expect((await t.call('POST', '/v1/decrypt', { ciphertext: made.ciphertext })).status).toBe(200);
  });

  it('keeps the last change of a key in memory exactly as it is durable in the store', async () => {
    const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
    for (const n of ['1', '2', '3']) expect((await t.call('POST', `/v1/keys/${keyId}/tags`, { tags: { n } })).status).toBe(200);
    expect((await t.call('POST', `/v1/keys/${keyId}/rotate`, {})).status).toBe(200);
    const inMemory = (await t.node.applier.lastKeyChange(keyId)) as KeyChange;
    expect(inMemory.record.tags).toEqual({ n: '3' });
    expect(inMemory.versions).toHaveLength(2);
    // After a restart nothing is in memory: the store answers, and it holds the same change.
    t = await t.restart();
    const fromStore = (await t.node.applier.lastKeyChange(keyId)) as KeyChange;
    expect(fromStore.record).toEqual(inMemory.record);
    const bytes = (c: KeyChange) => c.versions.map((v) => Object.entries(v.wrapped).map(([r, w]) => `${r}:${Buffer.from(w).toString('hex')}`));
    expect(bytes(fromStore)).toEqual(bytes(inMemory));
    // A change applied after the store was read replaces what memory keeps.
    expect((await t.call('POST', `/v1/keys/${keyId}/tags`, { tags: { n: '4' } })).status).toBe(200);
    expect(((await t.node.applier.lastKeyChange(keyId)) as KeyChange).record.tags).toEqual({ n: '4' });
    expect(await t.node.applier.lastKeyChange('no-such-key')).toBeNull();
  });
});
