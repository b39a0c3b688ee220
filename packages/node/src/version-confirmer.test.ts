// Proves the confirmer's rules on a real node's store and applier, with the stream's quorum reads
// scripted: no quorum, no confirmation (and no version to serve); the same secret confirms, and the
// confirmation survives a restart; a stream answer older than a change applied while it was read
// is not a divergence; a divergence is acted on only when seen twice 2 s apart, and then repairs
// only unconfirmed versions; a confirmed version is never touched.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { keySubject, nextKeyChange, type ChangeEnvelope, type KeyChange, type KeyRecord } from '@latchkey/core';
import { randomBytes } from 'node:crypto';
import { encryptSymmetric, loadKey, rootKeyFromBytes, transportAad, transportPublicKeyOf, wrapForRegion } from '@latchkey/crypto';
import type { StreamMessage } from '@latchkey/replication';
import { deriveRegionIdentity } from './region-identity.ts';
import { startTestNode, type TestNode } from './testing/test-node.ts';
import { VersionConfirmer } from './version-confirmer.ts';

let t: TestNode;
beforeEach(async () => {
  t = await startTestNode();
});
afterEach(async () => {
  await t.close();
});

/** Every line the confirmers under test logged. */
const confirmerLogs: string[] = [];

/** What the scripted stream answers: null = no quorum; else the last message per subject. */
type Answer = null | Map<string, StreamMessage | null>;

async function confirmerFor(node: TestNode, answer: (subjects: readonly string[]) => Promise<Answer>): Promise<{ confirmer: VersionConfirmer; envelopes: Map<string, ChangeEnvelope> }> {
  const rootKey = rootKeyFromBytes(await readFile(node.node.config.rootKeyFile));
  const identity = deriveRegionIdentity(rootKey, node.node.config.region);
  const envelopes = new Map<string, ChangeEnvelope>();
  const confirmer = new VersionConfirmer({
    identity, rootKey, store: node.node.store, directory: node.node.directory, applier: node.node.applier, regionNames: [identity.region],
    readLast: answer,
    decode: (data) => envelopes.get(Buffer.from(data).toString()) as ChangeEnvelope,
    log: pino({ level: 'info' }, { write: (line: string) => void confirmerLogs.push(line) }),
  });
  await confirmer.load();
  return { confirmer, envelopes };
}

/** The key's last change here, as the stream would hold it at `seq`. */
async function streamCopy(envelopes: Map<string, ChangeEnvelope>, keyId: string, seq: number, change?: KeyChange): Promise<StreamMessage> {
  const held = change ?? ((await t.node.applier.lastKeyChange(keyId)) as KeyChange);
  const id = `m-${seq}-${keyId}`;
  envelopes.set(id, { formatVersion: 1, origin: 'stream', changeId: id, createdAtMs: Date.now(), change: held });
  return { seq, subject: keySubject(keyId), data: Buffer.from(id), publishedAtMs: Date.now() };
}

/** A key whose version 1 is confirmed, with a stream that keeps answering version 1's change. */
async function confirmedKeyWithStreamAtV1(): Promise<{ keyId: string; confirmer: VersionConfirmer }> {
  const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
  const v1Seq = await t.node.applier.subjectSeq(keySubject(keyId));
  const v1 = (await t.node.applier.lastKeyChange(keyId)) as KeyChange;
  const { confirmer, envelopes } = await confirmerFor(t, async (subjects) => new Map([[subjects[0] as string, await streamCopy(envelopes, keyId, v1Seq, v1)]]));
  await confirmer.confirmWrite(keyId, 2000);
  return { keyId, confirmer };
}

const record = (keyId: string): KeyRecord => t.node.directory.getKey(keyId) as KeyRecord;
const waitUntil = async (done: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('VersionConfirmer', () => {
  it('serves nothing until a quorum read shows the same secret, then the version, also after a restart', async () => {
    const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
    const seq = await t.node.applier.subjectSeq(keySubject(keyId));
    let quorum = false;
    let { confirmer, envelopes } = await confirmerFor(t, async (subjects) => {
      if (!quorum) return null;
      return new Map([[subjects[0] as string, await streamCopy(envelopes, keyId, seq)]]);
    });
    confirmer.start();
    try {
      expect(() => confirmer.servingVersion(record(keyId))).toThrow(/not yet confirmed/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(confirmer.status().unconfirmedKeys).toBe(1);
      quorum = true;
      await waitUntil(() => confirmer.status().unconfirmedKeys === 0, 5000);
      expect(confirmer.servingVersion(record(keyId))).toBe(1);
    } finally {
      confirmer.close();
    }
    // Restarted while the stream shows no quorum: what was confirmed before still serves.
    t = await t.restart();
    ({ confirmer, envelopes } = await confirmerFor(t, async () => null));
    expect(confirmer.servingVersion(record(keyId))).toBe(1);
    expect(confirmer.status().unconfirmedKeys).toBe(0);
  });

  it('keeps serving the confirmed version after a rotation it cannot confirm yet', async () => {
    const { keyId, confirmer } = await confirmedKeyWithStreamAtV1();
    expect(confirmer.servingVersion(record(keyId))).toBe(1);
    expect((await t.call('POST', `/v1/keys/${keyId}/rotate`, {})).status).toBe(200);
    expect(record(keyId).currentVersion).toBe(2);
    // The stream still answers version 1 only, as of before the rotation was applied: behind or
    // divergent, never confirmed; version 1 keeps serving.
    await expect(confirmer.confirmWrite(keyId, 300)).rejects.toThrow(/quorum could not be shown/);
    expect(confirmer.servingVersion(record(keyId))).toBe(1);
  });

  it('is not fooled by a stream answer older than a change applied while it was read', async () => {
    const keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId as string;
    const v1Seq = await t.node.applier.subjectSeq(keySubject(keyId));
    const v1 = (await t.node.applier.lastKeyChange(keyId)) as KeyChange;
    let reads = 0;
    const { confirmer, envelopes } = await confirmerFor(t, async (subjects) => {
      reads += 1;
      // The first read is answered with version 1's change while this region rotates meanwhile.
      if (reads === 1) {
        const old = await streamCopy(envelopes, keyId, v1Seq, v1);
        expect((await t.call('POST', `/v1/keys/${keyId}/rotate`, {})).status).toBe(200);
        return new Map([[subjects[0] as string, old]]);
      }
      return new Map([[subjects[0] as string, await streamCopy(envelopes, keyId, await t.node.applier.subjectSeq(keySubject(keyId)))]]);
    });
    confirmer.start();
    try {
      await waitUntil(() => confirmer.confirmedVersion(keyId) === 2, 5000);
      expect(record(keyId).currentVersion).toBe(2);
      expect(confirmer.status()).toMatchObject({ repairs: 0, divergentKeys: 0, unconfirmedKeys: 0 });
    } finally {
      confirmer.close();
    }
  });

  it('repairs an unconfirmed version only after seeing the divergence twice, and never a confirmed one', async () => {
    const { keyId, confirmer } = await confirmedKeyWithStreamAtV1();
    const made = (await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: Buffer.from('v1').toString('base64') })).body.ciphertext as string;
    confirmer.start();
    // Version 2 is applied here only: the stream's last change on the key stays version 1's.
    expect((await t.call('POST', `/v1/keys/${keyId}/rotate`, {})).status).toBe(200);
    const started = Date.now();
    try {
      await waitUntil(() => confirmer.status().repairs === 1, 8000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
      expect(record(keyId).currentVersion).toBe(1);
      expect(confirmer.servingVersion(record(keyId))).toBe(1);
      // Version 1 was confirmed: untouched, its ciphertexts decrypt.
      expect((await t.call('POST', '/v1/decrypt', { ciphertext: made })).status).toBe(200);
      await waitUntil(() => confirmer.status().divergentKeys === 0 && confirmer.status().unconfirmedKeys === 0, 5000);
    } finally {
      confirmer.close();
    }
  });

  it('does not confirm a real later version while a version below it holds a secret the stream does not have, and repairs that one', async () => {
    const { keyId, confirmer } = await confirmedKeyWithStreamAtV1();
    const rootKey = rootKeyFromBytes(await readFile(t.node.config.rootKeyFile));
    const region = deriveRegionIdentity(rootKey, t.node.config.region);
    const recipient = transportPublicKeyOf(region.transportPublicKey);
    const v1 = (await t.node.applier.lastKeyChange(keyId)) as KeyChange;
    const rotation = (previous: KeyChange, secret: Uint8Array, id: string): ChangeEnvelope => {
      const keyVersion = previous.record.currentVersion + 1;
      const record = {
        ...previous.record, currentVersion: keyVersion, revision: previous.record.revision + 1,
        versions: [...previous.record.versions, { keyVersion, creationDateMs: Date.now(), rotationType: 'ON_DEMAND' as const }],
      };
      const wrapped = { [region.region]: wrapForRegion(recipient, secret, transportAad(keyId, keyVersion, region.region)) };
      return { formatVersion: 1, origin: 'elsewhere', changeId: id, createdAtMs: Date.now(), change: nextKeyChange(previous, record, [{ keyVersion, publicKey: null, wrapped }], [region.region]) };
    };
    const applier = t.node.applier;
    // This region applies a version 2 the stream never keeps; the stream's own version 2 and 3
    // arrive later in one change (its version 2 was overtaken here).
    const rogueSecret = randomBytes(32);
    const rogue = rotation(v1, rogueSecret, 'rogue');
    await applier.apply({ seq: applier.appliedSeq + 1, subject: keySubject(keyId), envelope: rogue, publishedAtMs: Date.now() });
    const realSecret = randomBytes(32);
    const real2 = rotation(v1, realSecret, 'real-2');
    const real3 = rotation(real2.change as KeyChange, randomBytes(32), 'real-3');
    const seq3 = applier.appliedSeq + 2;
    await applier.apply({ seq: seq3, subject: keySubject(keyId), envelope: real3, publishedAtMs: Date.now() });
    expect(record(keyId).currentVersion).toBe(3);
    const { confirmer: fresh, envelopes } = await confirmerFor(t, async (subjects) => new Map([[subjects[0] as string, await streamCopy(envelopes, keyId, seq3, real3.change as KeyChange)]]));
    confirmer.close();
    // A ciphertext another region made under the stream's version 2.
    const made = Buffer.from(encryptSymmetric(loadKey('SYMMETRIC_DEFAULT', realSecret), keyId, 2, Buffer.from('real v2'), {})).toString('base64');
    expect((await t.call('POST', '/v1/decrypt', { ciphertext: made })).status).not.toBe(200);
    fresh.start();
    try {
      // Version 3 is the stream's, but version 2 here is not: nothing above version 1 is confirmed
      // until the repair, which replaces version 2's secret.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(fresh.confirmedVersion(keyId)).toBe(1);
      await waitUntil(() => fresh.status().repairs === 1 && fresh.confirmedVersion(keyId) === 3, 8000);
      expect((await t.call('POST', '/v1/decrypt', { ciphertext: made })).status).toBe(200);
      // The divergence and the repair were logged, naming the key and versions, never a secret.
      const logged = confirmerLogs.join('\n');
      expect(logged).toContain('repaired a key from the stream');
      for (const secret of [rogueSecret, realSecret]) {
        for (const encoded of [secret.toString('base64'), secret.toString('hex')]) expect(logged).not.toContain(encoded);
      }
    } finally {
      fresh.close();
    }
  });
});
