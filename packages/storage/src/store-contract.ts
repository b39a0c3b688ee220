/**
 * The KeyStore contract, as one suite run against every implementation (LevelDB and memory): what
 * goes in comes back exactly, a batch is all or nothing, pages follow markers in code point order,
 * prefixes never bleed into each other, closed stores refuse work, and state survives close/open.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '@latchkey/core';
import type { KeyStore } from './key-store.ts';
import { sampleAlias, sampleBytes, sampleKey, sampleMaterial, sampleToken } from './sample-records.ts';
import { storeModelProperty } from './store-property.ts';

export interface StoreFixture {
  /** A fresh, empty, not yet opened store. */
  readonly store: KeyStore;
  /** Closes the store and removes whatever it left behind. */
  dispose(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreFixture>;

const refusedWrite = { code: 'KMSInternalException' };
const storeUnavailable = { code: 'DependencyTimeoutException' };

async function drain<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export function storeContract(name: string, factory: StoreFactory, options: { propertyRuns: number }): void {
  describe(`${name} key store contract`, () => {
    let fixture: StoreFixture;
    let store: KeyStore;
    beforeEach(async () => {
      fixture = await factory();
      store = fixture.store;
      await store.open();
    });
    afterEach(() => fixture.dispose());

    it('round-trips every record type exactly, bytes as plain Uint8Arrays that own their memory', async () => {
      const tags = Object.fromEntries([['__proto__', 'not a prototype'], ['env', 'prod']]);
      const key: KeyRecord = { ...sampleKey('k1', { versionCount: 2 }), tags, regions: null, keyState: 'PendingDeletion', deletionDateMs: 1_800_000_000_000, pendingWindowDays: 7 };
      const material = sampleMaterial('k1', 2, true);
      await store.commit({ putKeys: [key], putMaterial: [material], putAliases: [sampleAlias('alias/one', 'k1')], putTokens: [sampleToken('tok')] });
      const readKey = await store.getKey('k1');
      expect(readKey).toEqual(key);
      expect(Object.getPrototypeOf(readKey?.tags)).toBe(Object.prototype);
      expect(Object.keys(readKey?.tags ?? {})).toEqual(['__proto__', 'env']);
      const readMaterial = await store.getMaterial('k1', 2);
      expect(readMaterial).toEqual(material);
      for (const bytes of [readMaterial?.wrapped, readMaterial?.publicKey]) {
        expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
        expect(bytes?.byteLength).toBe(bytes?.buffer.byteLength);
      }
      expect(await store.getAlias('alias/one')).toEqual(sampleAlias('alias/one', 'k1'));
      expect(await store.listTokens()).toEqual([sampleToken('tok')]);
    });

    it('round-trips meta values, and answers undefined for absent names', async () => {
      const values = { int: 42, big: 2 ** 53 - 1, neg: -5_000_000_000, float: 0.1, nan: Number.NaN, text: 'héllo 😀', nothing: null, yes: true, bytes: sampleBytes('m', 5), nested: { list: [1, 'two', { three: [null] }], empty: {} } };
      await store.commit({ putMeta: { ...values, negativeZero: -0 } });
      for (const [metaName, value] of Object.entries(values)) expect(await store.getMeta(metaName)).toEqual(value);
      expect(Object.is(await store.getMeta('negativeZero'), 0)).toBe(true);
      expect(await store.getMeta('absent')).toBeUndefined();
      await store.commit({ putMeta: { int: 43 } });
      expect(await store.getMeta<number>('int')).toBe(43);
    });

    it('copies values in and out: callers cannot alias stored state', async () => {
      const key = structuredClone(sampleKey('k1')) as { -readonly [F in keyof KeyRecord]: KeyRecord[F] };
      const material = sampleMaterial('k1', 1);
      await store.commit({ putKeys: [key], putMaterial: [material], putMeta: { cursor: { seq: 1 } } });
      key.description = 'changed after commit';
      material.wrapped.fill(0);
      const first = await store.getMeta<{ seq: number }>('cursor');
      if (first) first.seq = 99;
      expect((await store.getKey('k1'))?.description).toBe(sampleKey('k1').description);
      expect((await store.getMaterial('k1', 1))?.wrapped).toEqual(sampleMaterial('k1', 1).wrapped);
      expect(await store.getMeta('cursor')).toEqual({ seq: 1 });
    });

    it('refuses a whole batch when any part is invalid, writing nothing', async () => {
      const broken = { ...sampleKey('k2'), minDecryptionVersion: 5 };
      const invalidBatches = [
        { putKeys: [sampleKey('k1'), broken] },
        { putKeys: [sampleKey('k1')], putMeta: { when: new Date(0) } },
        { putKeys: [sampleKey('k1')], putMeta: { nothing: undefined } },
        { putKeys: [sampleKey('k1')], putMaterial: [{ ...sampleMaterial('k1', 1), keyVersion: 0 }] },
        { putKeys: [sampleKey('k1')], putMaterial: [{ ...sampleMaterial('k1', 1), wrapped: 'not bytes' as unknown as Uint8Array }] },
        { putKeys: [{ ...sampleKey('k1'), description: 'lone \ud800 surrogate' }] },
        { putKeys: [sampleKey('k1')], deleteAliases: [''] },
        { putTokens: [sampleToken('t\udc00')], putKeys: [sampleKey('k1')] },
      ];
      for (const batch of invalidBatches) await expect(store.commit(batch)).rejects.toMatchObject(refusedWrite);
      expect(await store.getKey('k1')).toBeUndefined();
      expect(await store.getMaterial('k1', 1)).toBeUndefined();
      expect(await store.listTokens()).toEqual([]);
      expect(await store.getMeta('when')).toBeUndefined();
    });

    it('applies deletes before puts within a batch, and later puts over earlier ones', async () => {
      await store.commit({ putAliases: [sampleAlias('alias/a', 'k1')], putTokens: [sampleToken('t1')] });
      await store.commit({
        deleteAliases: ['alias/a'], putAliases: [sampleAlias('alias/a', 'k2'), sampleAlias('alias/a', 'k3')],
        deleteTokens: ['t1', 'never-existed'], deleteMaterial: [{ keyId: 'nope', keyVersion: 1 }],
      });
      expect((await store.getAlias('alias/a'))?.targetKeyId).toBe('k3');
      expect(await store.listTokens()).toEqual([]);
    });

    it('deletes material, aliases and tokens', async () => {
      await store.commit({ putMaterial: [sampleMaterial('k1', 1), sampleMaterial('k1', 2)], putAliases: [sampleAlias('alias/a', 'k1')], putTokens: [sampleToken('t1'), sampleToken('t2')] });
      await store.commit({ deleteMaterial: [{ keyId: 'k1', keyVersion: 1 }], deleteAliases: ['alias/a'], deleteTokens: ['t1'] });
      expect(await store.listMaterial('k1')).toEqual([sampleMaterial('k1', 2)]);
      expect(await store.getAlias('alias/a')).toBeUndefined();
      expect(await store.listTokens()).toEqual([sampleToken('t2')]);
    });

    it('pages keys by keyId with exclusive markers and a null marker on the last page', async () => {
      await store.commit({ putKeys: ['e', 'c', 'a', 'd', 'b'].map((id) => sampleKey(id)) });
      const ids = (page: { items: KeyRecord[] }) => page.items.map((k) => k.keyId);
      const first = await store.listKeys({ limit: 2 });
      expect([ids(first), first.nextMarker]).toEqual([['a', 'b'], 'b']);
      const second = await store.listKeys({ limit: 2, marker: first.nextMarker });
      expect([ids(second), second.nextMarker]).toEqual([['c', 'd'], 'd']);
      const last = await store.listKeys({ limit: 2, marker: second.nextMarker });
      expect([ids(last), last.nextMarker]).toEqual([['e'], null]);
      expect((await store.listKeys({ limit: 5 })).nextMarker).toBeNull();
      expect(ids(await store.listKeys({ limit: 10, marker: 'bb' }))).toEqual(['c', 'd', 'e']);
      expect(await store.listKeys({ limit: 3, marker: 'e' })).toEqual({ items: [], nextMarker: null });
      for (const limit of [0, -1, 1.5, Number.NaN]) {
        await expect(store.listKeys({ limit })).rejects.toMatchObject({ code: 'ValidationException' });
      }
    });

    it('answers empty pages on an empty store', async () => {
      expect(await store.listKeys({ limit: 10 })).toEqual({ items: [], nextMarker: null });
      expect(await store.listAliases({ limit: 10, keyId: 'k1' })).toEqual({ items: [], nextMarker: null });
      expect(await drain(store.allKeys())).toEqual([]);
      expect(await store.listMaterial('k1')).toEqual([]);
      expect(await store.listTokens()).toEqual([]);
    });

    it('pages aliases by name, optionally only those targeting one key', async () => {
      const aliases = ['alias/a1', 'alias/b1', 'alias/a2', 'alias/b2', 'alias/a3'].map((n) => sampleAlias(n, n.includes('/a') ? 'ka' : 'kb'));
      await store.commit({ putAliases: aliases });
      const names = (page: { items: { aliasName: string }[] }) => page.items.map((a) => a.aliasName);
      const first = await store.listAliases({ limit: 2, keyId: 'ka' });
      expect([names(first), first.nextMarker]).toEqual([['alias/a1', 'alias/a2'], 'alias/a2']);
      const rest = await store.listAliases({ limit: 2, keyId: 'ka', marker: first.nextMarker });
      expect([names(rest), rest.nextMarker]).toEqual([['alias/a3'], null]);
      expect(names(await store.listAliases({ limit: 10, keyId: 'kb' }))).toEqual(['alias/b1', 'alias/b2']);
      expect(names(await store.listAliases({ limit: 10 }))).toEqual(['alias/a1', 'alias/a2', 'alias/a3', 'alias/b1', 'alias/b2']);
      expect(await store.listAliases({ limit: 10, keyId: 'nobody' })).toEqual({ items: [], nextMarker: null });
    });

    it('lists material in ascending keyVersion, numerically', async () => {
      const versions = [11, 2, 10, 1, 9_999_999_999];
      await store.commit({ putMaterial: versions.map((v) => sampleMaterial('k1', v)) });
      expect((await store.listMaterial('k1')).map((m) => m.keyVersion)).toEqual([1, 2, 10, 11, 9_999_999_999]);
      expect(await store.getMaterial('k1', 3)).toBeUndefined();
      expect(await store.getMaterial('k1', 0)).toBeUndefined();
    });

    it('keeps prefixes and look-alike ids apart', async () => {
      await store.commit({
        putKeys: [sampleKey('a'), sampleKey('a/1')],
        putMaterial: [sampleMaterial('a', 1), sampleMaterial('a/1', 1), sampleMaterial('a/0000000001', 1)],
        putAliases: [sampleAlias('k/a', 'a')], putTokens: [sampleToken('m/a/0000000002')], putMeta: { 'k/b': 1, a: 2 },
      });
      expect((await drain(store.allKeys())).map((k) => k.keyId)).toEqual(['a', 'a/1']);
      expect((await store.listMaterial('a')).map((m) => [m.keyId, m.keyVersion])).toEqual([['a', 1]]);
      expect((await store.listMaterial('a/1')).map((m) => m.keyId)).toEqual(['a/1']);
      expect(await store.getKey('k/a')).toBeUndefined();
      expect((await store.listAliases({ limit: 10 })).items.map((a) => a.aliasName)).toEqual(['k/a']);
      expect((await store.listTokens()).map((t) => t.tokenId)).toEqual(['m/a/0000000002']);
      expect(await store.getMeta('a')).toBe(2);
    });

    it('orders ids by code point, as LevelDB orders UTF-8 bytes', async () => {
      await store.commit({ putKeys: ['😀', '\uE000', 'z', 'é'].map((id) => sampleKey(id)) });
      const ids = (await drain(store.allKeys())).map((k) => k.keyId);
      expect(ids).toEqual(['z', 'é', '\uE000', '😀']);
      expect((await store.listKeys({ limit: 10, marker: '\uE000' })).items.map((k) => k.keyId)).toEqual(['😀']);
    });

    it('stops reading when a key stream is abandoned early', async () => {
      await store.commit({ putKeys: ['a', 'b', 'c'].map((id) => sampleKey(id)) });
      for await (const record of store.allKeys()) {
        expect(record.keyId).toBe('a');
        break;
      }
      expect(await store.getKey('c')).toEqual(sampleKey('c'));
    });

    it('refuses every call while closed, and keeps its data across close and open', async () => {
      await store.commit({ putKeys: [sampleKey('k1')], putMaterial: [sampleMaterial('k1', 1)], putMeta: { cursor: 7 } });
      await store.close();
      await expect(store.getKey('k1')).rejects.toMatchObject(storeUnavailable);
      await expect(store.commit({ putMeta: { cursor: 8 } })).rejects.toMatchObject(storeUnavailable);
      await expect(store.listKeys({ limit: 1 })).rejects.toMatchObject(storeUnavailable);
      await expect(drain(store.allKeys())).rejects.toMatchObject(storeUnavailable);
      await expect(store.getMeta('cursor')).rejects.toMatchObject(storeUnavailable);
      await store.open();
      expect(await store.getKey('k1')).toEqual(sampleKey('k1'));
      expect(await store.listMaterial('k1')).toEqual([sampleMaterial('k1', 1)]);
      expect(await store.getMeta('cursor')).toBe(7);
    });

    storeModelProperty(factory, options.propertyRuns);
  });
}
