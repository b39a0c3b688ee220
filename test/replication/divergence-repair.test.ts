// Proves that a region whose state has drifted from the stream's (as a stream failure can leave it:
// it applied a change the stream no longer holds, or its cursor passed a change it never applied)
// finds out and takes the stream's state: the drift is made on purpose in a stopped node's LevelDB,
// then a write on the key whose subject sequence is wrong succeeds (without the repair it would be
// refused as a conflict forever), and a key the region skipped appears through the anti-entropy
// sweep (without it the region would answer NotFound for it while claiming to be current), as does
// a key whose local state differs from the stream's although nobody writes it again, and a key
// for which the region applied another change at the very sequence the stream holds for it; and a
// key whose changes the stream lost altogether is published again, so no region drops it.
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { KeyChange } from '@latchkey/core';
import { createLevelKeyStore } from '@latchkey/storage';
import { describe, expect, it } from 'vitest';
import { eventually, useTestCluster } from './harness.ts';

const c = useTestCluster();

async function createKey(region: string): Promise<string> {
  const res = await c.at(region).call('POST', '/v1/keys', { description: `from ${region}` }, c.token);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.keyMetadata.keyId as string;
}

describe('divergence repair', () => {
  it('brings a drifted region back in line with the stream', async () => {
    const drifted = await createKey('eu');
    const quiet = await createKey('eu');
    const replaced = await createKey('eu');
    const lost = await createKey('eu');
    await c.waitConverged(20_000);
    // The stream loses every change of `lost`, which all regions hold.
    const nc = await connect({ servers: [...c.nats.urls], user: 'latchkey', pass: 'test-password-not-secret' });
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const onStream = async () => (await jsm.streams.getMessage('LATCHKEY', { last_by_subj: `kms.key.${lost}` }).catch(() => null)) ?? null;
    await jsm.streams.purge('LATCHKEY', { filter: `kms.key.${lost}` });
    expect(await onStream()).toBeNull();

    await c.stopNode('us');
    const skipped = await createKey('eu');
    const streamLast = (await c.at('eu').call('GET', '/v1/cluster/status', undefined, c.token)).body.appliedSeq as number;
    const store = createLevelKeyStore({ path: path.join(c.at('us').dataDir, 'store') });
    await store.open();
    try {
      // A change on `drifted` at a sequence the stream never had, a cursor past `skipped`'s creation,
      // and a state of `quiet` the stream never had (nobody writes it again: only the sweep can see it).
      // And `replaced`: another change applied at the very sequence the stream holds for it.
      const record = await store.getKey(quiet);
      const other = (await store.getKey(replaced))!;
      const otherChange = (await store.getMeta<KeyChange>(`change/${replaced}`))!;
      const changed = { ...other, description: 'applied here, replaced in the stream' };
      await store.commit({
        putKeys: [{ ...record!, description: 'not what the stream says' }, changed],
        putMeta: {
          [`seq/kms.key.${drifted}`]: streamLast + 1000, [`seq/kms.key.${quiet}`]: streamLast + 1001, 'replication/appliedSeq': streamLast,
          [`change/${replaced}`]: { ...otherChange, record: changed },
        },
      });
    } finally {
      await store.close();
    }
    const us = await c.restartNode('us');

    // The sweep, once the region is current, applies the creation it skipped.
    await eventually(async () => ((await us.call('GET', `/v1/keys/${skipped}`, undefined, c.token)).status === 200 ? true : undefined), 30_000, 'the skipped key in us');
    // A write on the drifted key reconciles it with the stream instead of conflicting forever.
    const rotated = await us.call('POST', `/v1/keys/${drifted}/rotate`, {}, c.token);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    expect(rotated.body.keyMetadata.currentVersion).toBe(2);
    expect(us.logs.some((line) => line.includes('reconciling it with the stream'))).toBe(true);
    // Equal digests everywhere: `quiet` has the stream's description again.
    await c.waitConverged(30_000);
    expect((await us.call('GET', `/v1/keys/${quiet}`, undefined, c.token)).body.keyMetadata.description).toBe('from eu');
    expect((await us.call('GET', `/v1/keys/${replaced}`, undefined, c.token)).body.keyMetadata.description).toBe('from eu');
    // The region that swept publishes `lost` again, so the stream and every region have it, usable.
    await eventually(async () => ((await onStream()) !== null ? true : undefined), 30_000, 'the lost key back on the stream');
    const sealed = await c.at('eu').call('POST', `/v1/keys/${lost}/encrypt`, { plaintext: Buffer.from('kept').toString('base64') }, c.token);
    expect(sealed.status).toBe(200);
    expect((await c.at('ap').call('POST', '/v1/decrypt', { ciphertext: sealed.body.ciphertext }, c.token)).status).toBe(200);
    await nc.close();
    const reconciled = async () => Number(/latchkey_replication_reconciled_subjects\{[^}]*\} (\d+)/.exec(await fetch(`${us.node.url}/metrics`).then((r) => r.text()))?.[1]);
    await eventually(async () => ((await reconciled()) >= 4 ? true : undefined), 10_000, 'four subjects reconciled in us');
  }, 120_000);
});
