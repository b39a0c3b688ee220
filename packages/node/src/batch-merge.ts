/**
 * Merges store batches made one after another into one batch with the same effect, so that the
 * applier can write many changes with a single synced commit (group commit). For every item the
 * LAST batch that touches it decides whether it is put (and with what) or deleted.
 */
import type { AliasRecord, KeyRecord, TokenRecord, VersionMaterial } from '@latchkey/core';
import type { StoreBatch } from '@latchkey/storage';

type Slot<T> = { readonly put: T } | { readonly delete: true };

function settle<T>(slots: Map<string, Slot<T>>): { puts: T[]; deletes: string[] } {
  const puts: T[] = [];
  const deletes: string[] = [];
  for (const [id, slot] of slots) {
    if ('put' in slot) puts.push(slot.put);
    else deletes.push(id);
  }
  return { puts, deletes };
}

const materialId = (keyId: string, keyVersion: number): string => `${keyId}\u0000${keyVersion}`;

export function mergeBatches(batches: readonly StoreBatch[]): StoreBatch {
  if (batches.length === 1) return batches[0] as StoreBatch;
  const keys = new Map<string, KeyRecord>();
  const material = new Map<string, Slot<VersionMaterial>>();
  const aliases = new Map<string, Slot<AliasRecord>>();
  const tokens = new Map<string, Slot<TokenRecord>>();
  // A Map, not a spread per batch: a group of n changes would copy the growing meta n times.
  const meta = new Map<string, unknown>();
  for (const batch of batches) {
    for (const id of batch.deleteMaterial ?? []) material.set(materialId(id.keyId, id.keyVersion), { delete: true });
    for (const m of batch.putMaterial ?? []) material.set(materialId(m.keyId, m.keyVersion), { put: m });
    for (const name of batch.deleteAliases ?? []) aliases.set(name, { delete: true });
    for (const a of batch.putAliases ?? []) aliases.set(a.aliasName, { put: a });
    for (const id of batch.deleteTokens ?? []) tokens.set(id, { delete: true });
    for (const t of batch.putTokens ?? []) tokens.set(t.tokenId, { put: t });
    for (const k of batch.putKeys ?? []) keys.set(k.keyId, k);
    for (const [name, value] of Object.entries(batch.putMeta ?? {})) meta.set(name, value);
  }
  const m = settle(material);
  const a = settle(aliases);
  const t = settle(tokens);
  return {
    putKeys: [...keys.values()],
    putMaterial: m.puts,
    deleteMaterial: m.deletes.map((id) => {
      const [keyId, version] = id.split('\u0000');
      return { keyId: keyId as string, keyVersion: Number(version) };
    }),
    putAliases: a.puts,
    deleteAliases: a.deletes,
    putTokens: t.puts,
    deleteTokens: t.deletes,
    putMeta: Object.fromEntries(meta),
  };
}
