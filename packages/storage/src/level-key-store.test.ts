/**
 * Proves the LevelDB store honours the full KeyStore contract, and what only a disk store can
 * show: data survives a new handle on the same folder, a folder has one owner at a time (a second
 * open fails at once with a clear error instead of hanging), and bytes that rot on disk surface as
 * KMSInternalException rather than as a wrong record.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { Packr } from 'msgpackr';
import { afterEach, describe, expect, it } from 'vitest';
import { createLevelKeyStore } from './level-key-store.ts';
import { sampleKey, sampleMaterial } from './sample-records.ts';
import { storeContract } from './store-contract.ts';

const folders: string[] = [];

async function tempFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'latchkey-storage-'));
  folders.push(folder);
  return folder;
}

async function removeFolder(folder: string): Promise<void> {
  await rm(folder, { recursive: true, force: true });
}

storeContract('LevelDB', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'latchkey-storage-'));
  const store = createLevelKeyStore({ path: join(folder, 'db') });
  return {
    store,
    async dispose() {
      await store.close();
      await removeFolder(folder);
    },
  };
}, { propertyRuns: 60 });

describe('LevelDB key store on disk', () => {
  afterEach(async () => {
    await Promise.all(folders.splice(0).map(removeFolder));
  });

  it('keeps committed data for a new handle on the same folder', async () => {
    const path = join(await tempFolder(), 'db');
    const writer = createLevelKeyStore({ path });
    await writer.open();
    await writer.commit({ putKeys: [sampleKey('k1', { versionCount: 2 })], putMaterial: [sampleMaterial('k1', 1), sampleMaterial('k1', 2, true)], putMeta: { cursor: 41 } });
    await writer.close();
    const reader = createLevelKeyStore({ path });
    await reader.open();
    expect(await reader.getKey('k1')).toEqual(sampleKey('k1', { versionCount: 2 }));
    expect(await reader.listMaterial('k1')).toEqual([sampleMaterial('k1', 1), sampleMaterial('k1', 2, true)]);
    expect(await reader.getMeta('cursor')).toBe(41);
    await reader.close();
  });

  it('refuses a second open of a folder in use, at once, naming the lock', async () => {
    const path = join(await tempFolder(), 'db');
    const owner = createLevelKeyStore({ path });
    await owner.open();
    const intruder = createLevelKeyStore({ path });
    await expect(intruder.open()).rejects.toMatchObject({
      name: 'LatchkeyError', code: 'DependencyTimeoutException', message: expect.stringContaining('locked'),
    });
    await owner.close();
    await intruder.open();
    await intruder.close();
  });

  it('reports a folder it cannot create as unavailable', async () => {
    const file = join(await tempFolder(), 'not-a-folder');
    await writeFile(file, 'x');
    await expect(createLevelKeyStore({ path: join(file, 'db') }).open()).rejects.toMatchObject({ code: 'DependencyTimeoutException' });
  });

  it('turns corrupt values into KMSInternalException on every read path', async () => {
    const path = join(await tempFolder(), 'db');
    const raw = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' });
    const packr = new Packr({ useRecords: false });
    await raw.batch([
      { type: 'put', key: 'k/garbage', value: new Uint8Array([0xc1, 0xff, 0x00]) },
      { type: 'put', key: 'k/broken', value: packr.pack({ ...sampleKey('broken'), currentVersion: 3 }) },
      { type: 'put', key: 'k/moved', value: packr.pack(sampleKey('elsewhere')) },
      { type: 'put', key: 'm/k1/0000000001', value: packr.pack(sampleMaterial('k1', 2)) },
      { type: 'put', key: 'a/alias/x', value: packr.pack({ aliasName: 'alias/x' }) },
    ]);
    await raw.close();
    const store = createLevelKeyStore({ path });
    await store.open();
    const corrupt = { code: 'KMSInternalException', message: expect.stringContaining('corrupt') };
    for (const keyId of ['garbage', 'broken', 'moved']) await expect(store.getKey(keyId)).rejects.toMatchObject(corrupt);
    await expect(store.listKeys({ limit: 10 })).rejects.toMatchObject(corrupt);
    await expect(store.getMaterial('k1', 1)).rejects.toMatchObject(corrupt);
    await expect(store.listMaterial('k1')).rejects.toMatchObject(corrupt);
    await expect(store.getAlias('alias/x')).rejects.toMatchObject(corrupt);
    await store.close();
  });
});
