// Proves replication across a real 3-server JetStream cluster with three region nodes: a key made
// in one region is usable in the others, ciphertexts decrypt in every allowed region, a pinned key
// is refused outside its regions and its material never reaches them, adding and removing regions
// re-wraps and erases, concurrent writes from two regions both land without overwriting, scheduled
// rotation in every region lands once, a wiped region rebuilds from the stream, and all converge.
import { describe, expect, it } from 'vitest';
import { createLevelKeyStore } from '@latchkey/storage';
import path from 'node:path';
import { b64, eventually, useTestCluster } from './harness.ts';

const c = useTestCluster();

async function createKey(region: string, body: Record<string, unknown> = {}): Promise<any> {
  const res = await c.at(region).call('POST', '/v1/keys', body, c.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.keyMetadata;
}

async function visibleIn(region: string, keyId: string, version = 1): Promise<any> {
  return eventually(async () => {
    const res = await c.at(region).call('GET', `/v1/keys/${keyId}`, undefined, c.token);
    return res.status === 200 && res.body.keyMetadata.currentVersion >= version ? res.body.keyMetadata : undefined;
  }, 15_000, `key ${keyId} v${version} in ${region}`);
}

/** The envelope of the last change stored on a key's subject, read straight from the stream. */
async function lastKeyChangeOnStream(keyId: string): Promise<any> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const { Packr } = await import('msgpackr');
  const packr = new Packr({ useRecords: false, mapsAsObjects: true });
  const nc = await connect({ servers: c.nats.urls as string[], user: 'latchkey', pass: 'test-password-not-secret' });
  try {
    const stored = await (await jetstreamManager(nc)).streams.getMessage('LATCHKEY', { last_by_subj: `kms.key.${keyId}` });
    return packr.unpack(packr.unpack(stored!.data).payload);
  } finally {
    await nc.close();
  }
}

describe('replication over JetStream', () => {
  it('adopts the admin token in every region', async () => {
    for (const region of c.regions) {
      await eventually(async () => ((await c.at(region).call('GET', '/v1/whoami', undefined, c.token)).status === 200 ? true : undefined), 15_000, `token in ${region}`);
    }
  });

  it('makes a key created in one region usable in the others; ciphertexts decrypt everywhere', async () => {
    const key = await createKey('eu', { description: 'shared' });
    for (const region of ['us', 'ap']) await visibleIn(region, key.keyId);
    const ciphertexts: { region: string; ciphertext: string }[] = [];
    for (const region of c.regions) {
      const res = await c.at(region).call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64(`from ${region}`), encryptionContext: { r: region } }, c.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      ciphertexts.push({ region, ciphertext: res.body.ciphertext });
    }
    for (const { region: origin, ciphertext } of ciphertexts) {
      for (const region of c.regions) {
        const res = await c.at(region).call('POST', '/v1/decrypt', { ciphertext, encryptionContext: { r: origin } }, c.token);
        expect(Buffer.from(res.body.plaintext, 'base64').toString()).toBe(`from ${origin}`);
      }
    }
  });

  it('rotates in one region; the new version decrypts in every region once replicated', async () => {
    const key = await createKey('us');
    const rotated = await c.at('us').call('POST', `/v1/keys/${key.keyId}/rotate`, {}, c.token);
    expect(rotated.body.keyMetadata.currentVersion).toBe(2);
    const enc = await c.at('us').call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('v2') }, c.token);
    expect(enc.body.keyVersion).toBe(2);
    for (const region of ['eu', 'ap']) {
      await visibleIn(region, key.keyId, 2);
      expect((await c.at(region).call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext }, c.token)).body.plaintext).toBe(b64('v2'));
    }
  });

  it('refuses a pinned key outside its regions, and its material never reaches them', async () => {
    const key = await createKey('ap', { regions: ['eu', 'us'] });
    await visibleIn('eu', key.keyId);
    await visibleIn('us', key.keyId);
    await visibleIn('ap', key.keyId);
    const refused = await c.at('ap').call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('x') }, c.token);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('KeyNotAllowedInRegionException');
    expect(refused.body.message).toContain('eu, us');
    // eu uses the key for output once it has confirmed it (a few milliseconds after it appears there).
    const enc = await eventually(async () => {
      const res = await c.at('eu').call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('resident') }, c.token);
      return res.status === 200 ? res : undefined;
    }, 15_000, 'eu to encrypt under the key');
    expect((await c.at('us').call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext }, c.token)).body.plaintext).toBe(b64('resident'));
    expect((await c.at('ap').call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext }, c.token)).body.code).toBe('KeyNotAllowedInRegionException');

    // The stream carries material wrapped for eu and us only.
    const { connect } = await import('@nats-io/transport-node');
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const { Packr } = await import('msgpackr');
    const packr = new Packr({ useRecords: false, mapsAsObjects: true });
    const nc = await connect({ servers: c.nats.urls as string[], user: 'latchkey', pass: 'test-password-not-secret' });
    try {
      const jsm = await jetstreamManager(nc);
      const stored = await jsm.streams.getMessage('LATCHKEY', { last_by_subj: `kms.key.${key.keyId}` });
      const envelope = packr.unpack(packr.unpack(stored!.data).payload);
      for (const version of envelope.change.versions) expect(Object.keys(version.wrapped).sort()).toEqual(['eu', 'us']);
    } finally {
      await nc.close();
    }
  });

  it('re-wraps for an added region and erases in a removed one', async () => {
    const key = await createKey('eu', { regions: ['eu'] });
    const enc = await c.at('eu').call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('moving') }, c.token);
    const fromAp = await c.at('ap').call('PUT', `/v1/keys/${key.keyId}/regions`, { regions: ['eu', 'ap'] }, c.token);
    expect(fromAp.body.code).toBe('KeyNotAllowedInRegionException');
    const added = await c.at('eu').call('PUT', `/v1/keys/${key.keyId}/regions`, { regions: ['eu', 'ap'] }, c.token);
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    const decrypted = await eventually(async () => {
      const res = await c.at('ap').call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext }, c.token);
      return res.status === 200 ? res.body : undefined;
    }, 15_000, 'ap to decrypt');
    expect(decrypted.plaintext).toBe(b64('moving'));
    await c.at('eu').call('PUT', `/v1/keys/${key.keyId}/regions`, { regions: ['eu'] }, c.token);
    await eventually(async () => {
      const res = await c.at('ap').call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext }, c.token);
      return res.body.code === 'KeyNotAllowedInRegionException' ? true : undefined;
    }, 15_000, 'ap to drop the key');
  });

  it('lands concurrent writes from two regions without overwriting either', async () => {
    const key = await createKey('eu');
    await visibleIn('us', key.keyId);
    const [a, b] = await Promise.all([
      c.at('eu').call('POST', `/v1/keys/${key.keyId}/rotate`, {}, c.token),
      c.at('us').call('POST', `/v1/keys/${key.keyId}/rotate`, {}, c.token),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const final = await visibleIn('ap', key.keyId, 3);
    expect(final.currentVersion).toBe(3);
    // Both new versions carry material for every region: whichever region lost the race rebuilt its
    // change on the winner's, so no version is replicated without its wrapped secret.
    await c.waitConverged();
    const latest = await lastKeyChangeOnStream(key.keyId);
    expect(latest.change.versions.map((v: any) => [v.keyVersion, Object.keys(v.wrapped).sort()])).toEqual(
      [1, 2, 3].map((n) => [n, ['ap', 'eu', 'us']]),
    );
    for (const origin of c.regions) {
      const enc = await c.at(origin).call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64(`v3 from ${origin}`) }, c.token);
      expect(enc.body.keyVersion).toBe(3);
      for (const region of c.regions) {
        const dec = await c.at(region).call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext }, c.token);
        expect(dec.status, `${origin} -> ${region}: ${JSON.stringify(dec.body)}`).toBe(200);
      }
    }
    await c.at('eu').call('POST', `/v1/keys/${key.keyId}/tags`, { tags: { a: '1' } }, c.token);
    await c.at('us').call('POST', `/v1/keys/${key.keyId}/tags`, { tags: { b: '2' } }, c.token);
    const tagged = await eventually(async () => {
      const res = await c.at('ap').call('GET', `/v1/keys/${key.keyId}/tags`, undefined, c.token);
      return res.body.tags?.a && res.body.tags?.b ? res.body.tags : undefined;
    }, 15_000, 'both tags');
    expect(tagged).toEqual({ a: '1', b: '2' });
  });

  it('replicates aliases and tokens', async () => {
    const key = await createKey('us');
    expect((await c.at('us').call('POST', '/v1/aliases', { aliasName: 'alias/replicated', targetKeyId: key.keyId }, c.token)).status).toBe(201);
    const token = (await c.at('ap').call('POST', '/v1/tokens', { principal: 'app-x' }, c.token)).body.token;
    await eventually(async () => {
      const res = await c.at('eu').call('POST', `/v1/keys/${encodeURIComponent('alias/replicated')}/encrypt`, { plaintext: b64('a') }, token);
      return res.status === 200 ? true : undefined;
    }, 15_000, 'alias and token in eu');
  });

  it('converges: every region reports the same digest', async () => {
    const digests = await c.waitConverged();
    expect(new Set(Object.values(digests).map((d: any) => d.appliedSeq)).size).toBe(1);
    const status = await c.at('eu').call('GET', '/v1/cluster/status', undefined, c.token);
    expect(status.body).toMatchObject({ region: 'eu', mode: 'replicated', connected: true, pending: 0 });
  });

  it('rebuilds a region with an empty store from the stream', async () => {
    const key = await createKey('eu');
    const enc = await c.at('eu').call('POST', `/v1/keys/${key.keyId}/encrypt`, { plaintext: b64('rebuild') }, c.token);
    await c.waitConverged();
    await c.stopNode('ap');
    await c.restartNode('ap', { wipeStore: true });
    const decrypted = await eventually(async () => {
      const res = await c.at('ap').call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext }, c.token);
      return res.status === 200 ? res.body : undefined;
    }, 20_000, 'rebuilt ap to decrypt');
    expect(decrypted.plaintext).toBe(b64('rebuild'));
    await c.waitConverged();
  });

  it('keeps no material of a pinned key in an outside region data folder', async () => {
    const key = await createKey('eu', { regions: ['eu', 'us'] });
    await c.waitConverged();
    await c.stopNode('ap');
    const store = createLevelKeyStore({ path: path.join(c.at('ap').dataDir, 'store') });
    await store.open();
    try {
      expect(await store.getKey(key.keyId)).toBeDefined();
      expect(await store.listMaterial(key.keyId)).toEqual([]);
    } finally {
      await store.close();
    }
    await c.restartNode('ap');
  });
});
