/**
 * The reference model for the store property test: plain Maps and the batch rules written out
 * the obvious way (deletes, then puts in array order), plus a full read-back of a store through
 * its public API. Sorting here uses Buffer.compare on UTF-8, independent of the store's own
 * comparator, so an ordering bug cannot hide in both. Test support only.
 */
import { expect } from 'vitest';
import type { AliasRecord, KeyRecord, TokenRecord, VersionMaterial } from '@latchkey/core';
import type { KeyStore, Page, StoreBatch } from './key-store.ts';
import { ALIAS_NAMES, KEY_IDS, META_NAMES } from './store-arbitraries.ts';

export interface StoreModel {
  readonly keys: Map<string, KeyRecord>;
  readonly material: Map<string, VersionMaterial>;
  readonly aliases: Map<string, AliasRecord>;
  readonly tokens: Map<string, TokenRecord>;
  readonly meta: Map<string, unknown>;
}

/** Everything a store holds, read back in a canonical order. */
export interface StoreView {
  readonly keys: KeyRecord[];
  readonly material: VersionMaterial[];
  readonly aliases: AliasRecord[];
  readonly aliasesByKey: AliasRecord[][];
  readonly tokens: TokenRecord[];
  readonly meta: unknown[];
}

export function emptyModel(): StoreModel {
  return { keys: new Map(), material: new Map(), aliases: new Map(), tokens: new Map(), meta: new Map() };
}

function materialId(keyId: string, keyVersion: number): string {
  return `${keyId}\u0000${keyVersion}`;
}

export function applyToModel(model: StoreModel, batch: StoreBatch): void {
  for (const m of batch.deleteMaterial ?? []) model.material.delete(materialId(m.keyId, m.keyVersion));
  for (const name of batch.deleteAliases ?? []) model.aliases.delete(name);
  for (const id of batch.deleteTokens ?? []) model.tokens.delete(id);
  for (const k of batch.putKeys ?? []) model.keys.set(k.keyId, k);
  for (const m of batch.putMaterial ?? []) model.material.set(materialId(m.keyId, m.keyVersion), m);
  for (const a of batch.putAliases ?? []) model.aliases.set(a.aliasName, a);
  for (const t of batch.putTokens ?? []) model.tokens.set(t.tokenId, t);
  for (const [name, value] of Object.entries(batch.putMeta ?? {})) model.meta.set(name, value);
}

function byUtf8<T>(idOf: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => Buffer.compare(Buffer.from(idOf(a)), Buffer.from(idOf(b)));
}

export function modelView(model: StoreModel): StoreView {
  const aliases = [...model.aliases.values()].sort(byUtf8((a) => a.aliasName));
  return {
    keys: [...model.keys.values()].sort(byUtf8((k) => k.keyId)),
    material: KEY_IDS.flatMap((keyId) =>
      [...model.material.values()].filter((m) => m.keyId === keyId).sort((a, b) => a.keyVersion - b.keyVersion)),
    aliases,
    aliasesByKey: KEY_IDS.map((keyId) => aliases.filter((a) => a.targetKeyId === keyId)),
    tokens: [...model.tokens.values()].sort(byUtf8((t) => t.tokenId)),
    meta: META_NAMES.map((name) => model.meta.get(name)),
  };
}

/** Follows markers to the end, checking that only the last page lacks a marker. */
async function allPages<T>(read: (marker: string | null) => Promise<Page<T>>, pageSize: number): Promise<T[]> {
  const items: T[] = [];
  let marker: string | null = null;
  do {
    const page: Page<T> = await read(marker);
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    if (page.nextMarker !== null) expect(page.items.length).toBe(pageSize);
    items.push(...page.items);
    marker = page.nextMarker;
  } while (marker !== null);
  return items;
}

/** Reads the whole store through every public read path, cross-checking paths that must agree. */
export async function storeView(store: KeyStore, pageSize: number): Promise<StoreView> {
  const keys = await allPages((marker) => store.listKeys({ limit: pageSize, marker }), pageSize);
  const streamed: KeyRecord[] = [];
  for await (const record of store.allKeys()) streamed.push(record);
  const fetched = await Promise.all(KEY_IDS.map((keyId) => store.getKey(keyId)));
  const material = (await Promise.all(KEY_IDS.map((keyId) => store.listMaterial(keyId)))).flat();
  const materialFetched = await Promise.all(material.map((m) => store.getMaterial(m.keyId, m.keyVersion)));
  const aliases = await allPages((marker) => store.listAliases({ limit: pageSize, marker }), pageSize);
  const aliasesFetched = await Promise.all(ALIAS_NAMES.map((name) => store.getAlias(name)));
  const aliasesByKey = await Promise.all(KEY_IDS.map((keyId) =>
    allPages((marker) => store.listAliases({ limit: pageSize, marker, keyId }), pageSize)));
  expect(streamed).toEqual(keys);
  expect(fetched).toEqual(KEY_IDS.map((keyId) => keys.find((k) => k.keyId === keyId)));
  expect(materialFetched).toEqual(material);
  expect(aliasesFetched).toEqual(ALIAS_NAMES.map((name) => aliases.find((a) => a.aliasName === name)));
  return {
    keys, material, aliases, aliasesByKey,
    tokens: await store.listTokens(),
    meta: await Promise.all(META_NAMES.map((name) => store.getMeta(name))),
  };
}
