// Proves, against a real 3-server JetStream cluster, that a region issues new output only under key
// versions the stream's quorum holds: a region made to apply a rotation the stream never kept (what
// nats-server 2.9.10 was seen delivering to a cut-off region) keeps encrypting under the last
// confirmed version, repairs the key from a quorum read once the stream shows one, and after a real
// rotation elsewhere converges with every region, ciphertexts decrypting everywhere. With a signing
// key, it signs and hands out the public key of its confirmed version meanwhile, and verifies both
// its own signatures and those of other regions.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { aliasSubject, keySubject, nextKeyChange, type ChangeEnvelope, type KeyChange } from '@latchkey/core';
import { generateKeyMaterial, transportAad, transportPublicKeyOf, wrapForRegion } from '../../packages/crypto/src/index.ts';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { eventually, useTestCluster } from './harness.ts';

const c = useTestCluster();

/** A rotation of `keyId` to a fresh secret, wrapped for every region, as one region alone applies it. */
async function rogueRotation(keyId: string, region: string): Promise<ChangeEnvelope> {
  const previous = await c.at(region).node.applier.lastKeyChange(keyId) as KeyChange;
  const pinned = JSON.parse(await readFile(path.join(c.base, 'cluster.json'), 'utf8')) as { regions: Record<string, { transportPublicKey: string }> };
  const keyVersion = previous.record.currentVersion + 1;
  const material = previous.record.keySpec === 'SYMMETRIC_DEFAULT' ? { secret: randomBytes(32), publicKey: null } : generateKeyMaterial(previous.record.keySpec);
  const secret = Buffer.from(material.secret);
  const wrapped = Object.fromEntries(Object.entries(pinned.regions).map(([name, keys]) => [
    name, wrapForRegion(transportPublicKeyOf(Buffer.from(keys.transportPublicKey, 'base64')), secret, transportAad(keyId, keyVersion, name)),
  ]));
  secret.fill(0);
  const record = {
    ...previous.record, currentVersion: keyVersion, revision: previous.record.revision + 1,
    versions: [...previous.record.versions, { keyVersion, creationDateMs: Date.now(), rotationType: 'ON_DEMAND' as const }],
  };
  const change = nextKeyChange(previous, record, [{ keyVersion, publicKey: material.publicKey, wrapped }], c.regions);
  return { formatVersion: 1, change, origin: region, changeId: `rogue-${keyId}`, createdAtMs: Date.now() };
}

/**
 * With no quorum anywhere (two of three servers frozen), ap applies a rotation of `keyId` that the
 * stream never gets, and `body` runs while nothing can be confirmed or repaired.
 */
async function rogueRotationWithoutQuorum(keyId: string, body: () => Promise<void>): Promise<void> {
  c.nats.pause('eu');
  c.nats.pause('us');
  try {
    const applier = c.at('ap').node.applier;
    await applier.apply({ seq: applier.appliedSeq + 1, subject: keySubject(keyId), envelope: await rogueRotation(keyId, 'ap'), publishedAtMs: Date.now() });
    expect(await currentVersionIn('ap', keyId)).toBe(2);
    await body();
  } finally {
    c.nats.resume('eu');
    c.nats.resume('us');
  }
}

/** The envelope of the last change stored on a key's subject, read straight from the stream. */
async function lastKeyChangeOnStream(keyId: string): Promise<any> {
  const nc = await connect({ servers: c.nats.urls as string[], user: 'latchkey', pass: 'test-password-not-secret' });
  try {
    const stored = await (await jetstreamManager(nc)).streams.getMessage('LATCHKEY', { last_by_subj: keySubject(keyId) });
    const packr = new Packr({ useRecords: false, mapsAsObjects: true });
    return packr.unpack(packr.unpack(stored!.data).payload);
  } finally {
    await nc.close();
  }
}

async function encryptIn(region: string, keyId: string): Promise<{ ciphertext: string; keyVersion: number }> {
  const res = await c.at(region).call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: Buffer.from(`from ${region}`).toString('base64') }, c.token);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function decryptsEverywhere(ciphertext: string, expected: string): Promise<void> {
  for (const region of c.regions) {
    const res = await c.at(region).call('POST', '/v1/decrypt', { ciphertext }, c.token);
    expect(res.status, `${region}: ${JSON.stringify(res.body)}`).toBe(200);
    expect(Buffer.from(res.body.plaintext, 'base64').toString()).toBe(expected);
  }
}

const status = async (region: string) => (await c.at(region).call('GET', '/v1/cluster/status', undefined, c.token)).body;
const currentVersionIn = async (region: string, keyId: string): Promise<number> =>
  (await c.at(region).call('GET', `/v1/keys/${keyId}`, undefined, c.token)).body.keyMetadata.currentVersion;

describe('confirmed versions', () => {
  let keyId = '';

  it('a region never encrypts under a version the stream does not hold, and repairs the key from the quorum', async () => {
    const created = await c.at('eu').call('POST', '/v1/keys', { description: 'confirmation' }, c.token);
    expect(created.status).toBe(201);
    keyId = created.body.keyMetadata.keyId;
    await c.waitConverged(30_000);
    expect((await encryptIn('ap', keyId)).keyVersion).toBe(1);

    await rogueRotationWithoutQuorum(keyId, async () => {
      const deadline = Date.now() + 3000;
      while (Date.now() < deadline) {
        const out = await encryptIn('ap', keyId);
        expect(out.keyVersion, 'ap used a version the stream does not hold').toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect((await status('ap')).unconfirmedKeys).toBeGreaterThanOrEqual(1);
    });

    // The stream shows a quorum again: ap finds its version 2 unknown to the stream and drops it.
    await eventually(async () => ((await currentVersionIn('ap', keyId)) === 1 ? true : undefined), 45_000, 'ap repaired back to version 1');
    await eventually(async () => ((await status('ap')).repairs >= 1 ? true : undefined), 15_000, 'ap counted its repair');
    await eventually(async () => ((await status('ap')).divergentKeys === 0 ? true : undefined), 15_000, 'ap no longer divergent');
    const fromAp = await encryptIn('ap', keyId);
    expect(fromAp.keyVersion).toBe(1);
    await decryptsEverywhere(fromAp.ciphertext, 'from ap');
  }, 120_000);

  it('while a rotation is unconfirmed, a region signs with its confirmed version and verifies both its own and other regions\' signatures', async () => {
    const created = await c.at('eu').call('POST', '/v1/keys', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }, c.token);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const signingKey = created.body.keyMetadata.keyId as string;
    await c.waitConverged(30_000);
    const message = Buffer.from('signed during a cut').toString('base64');
    const sign = async (region: string) => {
      const res = await c.at(region).call('POST', `/v1/keys/${signingKey}/sign`, { message, signingAlgorithm: 'ECDSA_SHA_256' }, c.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.signature as string;
    };
    const verifies = async (region: string, signature: string) =>
      (await c.at(region).call('POST', `/v1/keys/${signingKey}/verify`, { message, signature, signingAlgorithm: 'ECDSA_SHA_256' }, c.token)).status === 200;
    const publicKey = async (region: string) => (await c.at(region).call('GET', `/v1/keys/${signingKey}/public-key`, undefined, c.token)).body.publicKey as string;
    const before = await publicKey('ap');
    await rogueRotationWithoutQuorum(signingKey, async () => {
      // ap hands out and signs with version 1, the one every region holds.
      expect(await publicKey('ap')).toBe(before);
      const fromAp = await sign('ap');
      expect(await verifies('ap', fromAp)).toBe(true);
      expect(await verifies('eu', fromAp)).toBe(true);
      expect(await verifies('ap', await sign('eu'))).toBe(true);
    });
    await eventually(async () => ((await currentVersionIn('ap', signingKey)) === 1 ? true : undefined), 45_000, 'ap repaired back to version 1');
    // ap's cursor stays one past the stream's end (the rogue change took that sequence) until the
    // next write: compare the key's state, not the applied sequences.
    const digestIn = async (region: string) => (await c.at(region).call('GET', '/v1/cluster/digest', undefined, c.token)).body.keys[signingKey];
    await eventually(async () => ((await digestIn('ap')) === (await digestIn('eu')) ? true : undefined), 15_000, 'ap and eu agree on the key');
  }, 120_000);

  it('after a real rotation elsewhere, the repaired region takes the stream\'s version 2 and every ciphertext decrypts everywhere', async () => {
    const rotated = await c.at('eu').call('POST', `/v1/keys/${keyId}/rotate`, {}, c.token);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    await c.waitConverged(45_000);
    const fromEu = await encryptIn('eu', keyId);
    expect(fromEu.keyVersion).toBe(2);
    await decryptsEverywhere(fromEu.ciphertext, 'from eu');
    const fromAp = await encryptIn('ap', keyId);
    expect(fromAp.keyVersion).toBe(2);
    await decryptsEverywhere(fromAp.ciphertext, 'from ap');
  }, 90_000);

  it('after a cut, a region audits what it applied meanwhile and drops an alias the stream never got', async () => {
    const aliasName = 'alias/only-in-ap';
    const apHasAlias = async () => ((await c.at('ap').call('GET', '/v1/aliases', undefined, c.token)).body.aliases as { aliasName: string }[]).some((a) => a.aliasName === aliasName);
    c.nats.pause('eu');
    c.nats.pause('us');
    try {
      await eventually(async () => ((await status('ap')).streamReachable === false ? true : undefined), 15_000, 'ap to see it is cut off');
      const applier = c.at('ap').node.applier;
      const at = Date.now();
      await applier.apply({
        seq: applier.appliedSeq + 1, subject: aliasSubject(aliasName), publishedAtMs: at,
        envelope: { formatVersion: 1, origin: 'ap', changeId: 'rogue-alias', createdAtMs: at, change: { kind: 'alias', aliasName, alias: { aliasName, targetKeyId: keyId, creationDateMs: at, lastUpdatedDateMs: at } } },
      });
      expect(await apHasAlias()).toBe(true);
    } finally {
      c.nats.resume('eu');
      c.nats.resume('us');
    }
    await eventually(async () => (!(await apHasAlias()) ? true : undefined), 45_000, 'ap to drop the alias');
    // The stream then gives those sequences (this test's and earlier tests' rogue changes) to real
    // changes; every region ends with the same state.
    for (let i = 0; i < 3; i++) expect((await c.at('eu').call('POST', '/v1/keys', { description: `after the audit ${i}` }, c.token)).status).toBe(201);
    await c.waitConverged(45_000);
  }, 120_000);

  it('a region that passed over a create (its cursor took that sequence for a change the stream did not keep) learns the key from the first ciphertext under it', async () => {
    // ap applies a change at the stream's next sequence that the stream never gets, then restarts:
    // its new consumer starts after that sequence, which the stream then gives to a create in eu.
    // (A rotation, so that ap's confirmer also repairs the key it touched and every digest agrees again.)
    const applier = c.at('ap').node.applier;
    await applier.apply({ seq: applier.appliedSeq + 1, subject: keySubject(keyId), envelope: await rogueRotation(keyId, 'ap'), publishedAtMs: Date.now() });
    await c.stopNode('ap');
    await c.restartNode('ap');
    const created = await c.at('eu').call('POST', '/v1/keys', { description: 'passed over in ap' }, c.token);
    expect(created.status).toBe(201);
    const missed = created.body.keyMetadata.keyId as string;
    const fromEu = await encryptIn('eu', missed);
    // Something after it on the stream, so that ap is current again.
    expect((await c.at('us').call('POST', `/v1/keys/${keyId}/tags`, { tags: { after: 'create' } }, c.token)).status).toBe(200);
    await eventually(async () => ((await c.at('ap').call('GET', `/v1/keys/${keyId}/tags`, undefined, c.token)).body.tags?.after === 'create' ? true : undefined), 30_000, 'ap past the create');
    expect((await c.at('ap').call('GET', `/v1/keys/${missed}`, undefined, c.token)).status, 'ap passed over the create').toBe(404);
    // The first decrypt there answers KeyUnavailable and makes ap look the key up; it then decrypts.
    await eventually(async () => {
      const res = await c.at('ap').call('POST', '/v1/decrypt', { ciphertext: fromEu.ciphertext }, c.token);
      if (res.status !== 200) expect(res.body.code).toBe('KeyUnavailableException');
      return res.status === 200 ? true : undefined;
    }, 30_000, 'ap to decrypt under the key it passed over');
    expect((await status('ap')).repairs).toBeGreaterThanOrEqual(1);
    await decryptsEverywhere((await encryptIn('ap', missed)).ciphertext, 'from ap');
  }, 120_000);

  it('a write in a region never carries a version only it applied onto the stream, even when the stream gave that sequence to the same key', async () => {
    const created = await c.at('eu').call('POST', '/v1/keys', { description: 'no rogue on the stream' }, c.token);
    expect(created.status).toBe(201);
    const target = created.body.keyMetadata.keyId as string;
    await c.waitConverged(30_000);
    await rogueRotationWithoutQuorum(target, async () => undefined);
    // The stream gives the rogue change's sequence to a change of the same key made in eu, so a
    // write from ap would pass compare-and-set on that sequence.
    await eventually(async () => ((await c.at('eu').call('POST', `/v1/keys/${target}/tags`, { tags: { from: 'eu' } }, c.token)).status === 200 ? true : undefined), 30_000, 'eu tags the key');
    await eventually(async () => {
      const res = await c.at('ap').call('POST', `/v1/keys/${target}/tags`, { tags: { from: 'ap' } }, c.token);
      if (res.status !== 200) expect(['KeyUnavailableException', 'ConflictException', 'DependencyTimeoutException']).toContain(res.body.code);
      return res.status === 200 ? true : undefined;
    }, 30_000, 'ap tags the key');
    const onStream = await lastKeyChangeOnStream(target);
    expect(onStream.change.record.currentVersion, 'the stream got a version only ap had applied').toBe(1);
    expect(onStream.change.versions).toHaveLength(1);
    await c.waitConverged(45_000);
    await decryptsEverywhere((await encryptIn('ap', target)).ciphertext, 'from ap');
  }, 120_000);

});
