/**
 * Turns a StoreBatch into the engine operations that apply it, checking everything first: a batch
 * with one bad record is refused whole, before any byte is written. Deletes come before puts, so
 * a put of the same id in the same batch wins.
 */
import type { StoreBatch } from './key-store.ts';
import type { KvOp } from './kv-engine.ts';
import { checkAlias, checkKeyRecord, checkMaterial, checkToken, type Failure } from './record-checks.ts';
import { storableProblem } from './storable.ts';
import { refused } from './storage-errors.ts';
import {
  aliasKey, isKeyVersion, isStorableId, keyRecordKey, materialKey, metaKey, tokenKey,
} from './key-layout.ts';

function refusing(where: string): Failure {
  return (message, cause) => refused(`${where}: ${message}`, cause);
}

function storable(value: unknown, where: string): unknown {
  const problem = storableProblem(value);
  if (problem !== null) throw refused(`${where}: cannot store ${problem}`);
  return value;
}

function id(value: unknown, where: string): string {
  if (!isStorableId(value)) throw refused(`${where}: ids must be non-empty, well-formed strings`);
  return value;
}

function keyVersion(value: unknown, where: string): number {
  if (!isKeyVersion(value)) throw refused(`${where}: keyVersion must be an integer from 1 to 9999999999`);
  return value;
}

function deletes(batch: StoreBatch): KvOp[] {
  const ops: KvOp[] = [];
  for (const ref of batch.deleteMaterial ?? []) {
    ops.push({ type: 'del', key: materialKey(id(ref.keyId, 'deleteMaterial'), keyVersion(ref.keyVersion, 'deleteMaterial')) });
  }
  for (const name of batch.deleteAliases ?? []) ops.push({ type: 'del', key: aliasKey(id(name, 'deleteAliases')) });
  for (const tokenId of batch.deleteTokens ?? []) ops.push({ type: 'del', key: tokenKey(id(tokenId, 'deleteTokens')) });
  return ops;
}

function puts(batch: StoreBatch): KvOp[] {
  const ops: KvOp[] = [];
  for (const value of batch.putKeys ?? []) {
    const record = checkKeyRecord(storable(value, 'putKeys'), refusing('putKeys'));
    ops.push({ type: 'put', key: keyRecordKey(record.keyId), value: record });
  }
  for (const value of batch.putMaterial ?? []) {
    const material = checkMaterial(storable(value, 'putMaterial'), refusing('putMaterial'));
    ops.push({ type: 'put', key: materialKey(material.keyId, material.keyVersion), value: material });
  }
  for (const value of batch.putAliases ?? []) {
    const alias = checkAlias(storable(value, 'putAliases'), refusing('putAliases'));
    ops.push({ type: 'put', key: aliasKey(alias.aliasName), value: alias });
  }
  for (const value of batch.putTokens ?? []) {
    const token = checkToken(storable(value, 'putTokens'), refusing('putTokens'));
    ops.push({ type: 'put', key: tokenKey(token.tokenId), value: token });
  }
  for (const [name, value] of Object.entries(batch.putMeta ?? {})) {
    // undefined is what getMeta answers for "absent", so it cannot also be a stored value.
    if (value === undefined) throw refused(`putMeta ${name}: undefined cannot be stored`);
    ops.push({ type: 'put', key: metaKey(id(name, 'putMeta')), value: storable(value, `putMeta ${name}`) });
  }
  return ops;
}

export function planBatch(batch: StoreBatch): KvOp[] {
  return [...deletes(batch), ...puts(batch)];
}
