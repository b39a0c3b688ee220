// Proves that merging batches equals applying them one after another: a property over random
// sequences of batches, checked against the in-memory store applying each batch in turn.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMemoryKeyStore } from '@latchkey/storage';
import type { StoreBatch } from '@latchkey/storage';
import { mergeBatches } from './batch-merge.ts';

const seed = Number(process.env.LATCHKEY_SEED ?? 424242);
const keyIds = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];

const material = fc.record({ keyId: fc.constantFrom(...keyIds), keyVersion: fc.integer({ min: 1, max: 3 }), byte: fc.integer({ min: 0, max: 255 }) })
  .map(({ keyId, keyVersion, byte }) => ({ keyId, keyVersion, wrapped: Uint8Array.of(byte), publicKey: null }));
const alias = fc.record({ name: fc.constantFrom('alias/a', 'alias/b'), target: fc.constantFrom(...keyIds), at: fc.nat(1000) })
  .map(({ name, target, at }) => ({ aliasName: name, targetKeyId: target, creationDateMs: at, lastUpdatedDateMs: at }));
const batch: fc.Arbitrary<StoreBatch> = fc.record({
  putMaterial: fc.array(material, { maxLength: 3 }),
  deleteMaterial: fc.array(fc.record({ keyId: fc.constantFrom(...keyIds), keyVersion: fc.integer({ min: 1, max: 3 }) }), { maxLength: 2 }),
  putAliases: fc.array(alias, { maxLength: 2 }),
  deleteAliases: fc.array(fc.constantFrom('alias/a', 'alias/b'), { maxLength: 1 }),
  putMeta: fc.dictionary(fc.constantFrom('x', 'y', 'z'), fc.nat(100)),
}, { requiredKeys: [] }).map((b) => {
  // Within one batch the store applies deletes before puts; keep each batch unambiguous like the applier's.
  const putIds = new Set((b.putMaterial ?? []).map((m) => `${m.keyId}/${m.keyVersion}`));
  const putNames = new Set((b.putAliases ?? []).map((x) => x.aliasName));
  return {
    ...b,
    deleteMaterial: (b.deleteMaterial ?? []).filter((d) => !putIds.has(`${d.keyId}/${d.keyVersion}`)),
    deleteAliases: (b.deleteAliases ?? []).filter((n) => !putNames.has(n)),
  };
});

async function snapshot(store: ReturnType<typeof createMemoryKeyStore>) {
  const material = [];
  for (const keyId of keyIds) material.push(...(await store.listMaterial(keyId)).map((m) => [m.keyId, m.keyVersion, m.wrapped[0]]));
  const aliases = (await store.listAliases({ limit: 10 })).items.map((a) => [a.aliasName, a.targetKeyId, a.creationDateMs]);
  const meta = [await store.getMeta('x'), await store.getMeta('y'), await store.getMeta('z')];
  return { material, aliases, meta };
}

describe('mergeBatches', () => {
  it('has the effect of the batches applied in order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 6 }), async (batches) => {
        const oneByOne = createMemoryKeyStore();
        const merged = createMemoryKeyStore();
        await oneByOne.open();
        await merged.open();
        for (const b of batches) await oneByOne.commit(b);
        await merged.commit(mergeBatches(batches));
        expect(await snapshot(merged)).toEqual(await snapshot(oneByOne));
      }),
      { seed, numRuns: 300 },
    );
  });
});
