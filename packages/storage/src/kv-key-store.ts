/**
 * The KeyStore contract implemented once over any ordered KvEngine: layout, batch checks, read
 * checks and pagination. createLevelKeyStore and createMemoryKeyStore only choose the engine.
 */
import type { AliasRecord, KeyRecord, TokenRecord, VersionMaterial } from '@latchkey/core';
import { planBatch } from './batch-plan.ts';
import { toWellFormed } from './code-point-order.ts';
import type { KeyStore, Page } from './key-store.ts';
import type { KvEngine } from './kv-engine.ts';
import { checkLimit, collectPage } from './pagination.ts';
import { checkAlias, checkKeyRecord, checkMaterial, checkToken, type Failure } from './record-checks.ts';
import { corrupt } from './storage-errors.ts';
import {
  PREFIX, aliasKey, isKeyVersion, isStorableId, keyRecordKey, materialKey, materialKeyVersion, materialPrefix,
  metaKey, prefixRange,
} from './key-layout.ts';

function corruptAt(key: string): Failure {
  return (message, cause) => corrupt(`${key}: ${message}`, cause);
}

/** A record read back must be the one its key names; anything else means the data moved or rotted. */
function readKey(key: string, value: unknown, keyId: string): KeyRecord {
  const record = checkKeyRecord(value, corruptAt(key));
  if (record.keyId !== keyId) throw corrupt(`${key}: holds key ${record.keyId}`);
  return record;
}

function readMaterial(key: string, value: unknown, keyId: string, keyVersion: number): VersionMaterial {
  const material = checkMaterial(value, corruptAt(key));
  if (material.keyId !== keyId || material.keyVersion !== keyVersion) {
    throw corrupt(`${key}: holds material of ${material.keyId} version ${material.keyVersion}`);
  }
  return material;
}

function readAlias(key: string, value: unknown, aliasName: string): AliasRecord {
  const alias = checkAlias(value, corruptAt(key));
  if (alias.aliasName !== aliasName) throw corrupt(`${key}: holds alias ${alias.aliasName}`);
  return alias;
}

function readToken(key: string, value: unknown, tokenId: string): TokenRecord {
  const token = checkToken(value, corruptAt(key));
  if (token.tokenId !== tokenId) throw corrupt(`${key}: holds token ${token.tokenId}`);
  return token;
}

/** A marker arrives from callers; compare it the way the engine will after UTF-8 encoding. */
function markerRange(prefix: string, marker: string | null | undefined) {
  return prefixRange(prefix, marker ? toWellFormed(marker) : null);
}

async function* keysFrom(engine: KvEngine, marker?: string | null): AsyncGenerator<KeyRecord> {
  for await (const [key, value] of engine.entries(markerRange(PREFIX.key, marker))) {
    yield readKey(key, value, key.slice(PREFIX.key.length));
  }
}

async function* aliasesFrom(engine: KvEngine, marker: string | null | undefined, keyId?: string): AsyncGenerator<AliasRecord> {
  for await (const [key, value] of engine.entries(markerRange(PREFIX.alias, marker))) {
    const alias = readAlias(key, value, key.slice(PREFIX.alias.length));
    if (keyId === undefined || alias.targetKeyId === keyId) yield alias;
  }
}

async function listMaterial(engine: KvEngine, keyId: string): Promise<VersionMaterial[]> {
  if (!isStorableId(keyId)) return [];
  const found: VersionMaterial[] = [];
  for await (const [key, value] of engine.entries(prefixRange(materialPrefix(keyId)))) {
    const keyVersion = materialKeyVersion(key, keyId);
    // A longer keyId sharing this prefix ("a" and "a/1") owns keys whose rest is not ten digits.
    if (keyVersion !== null) found.push(readMaterial(key, value, keyId, keyVersion));
  }
  return found;
}

async function listTokens(engine: KvEngine): Promise<TokenRecord[]> {
  const found: TokenRecord[] = [];
  for await (const [key, value] of engine.entries(prefixRange(PREFIX.token))) {
    found.push(readToken(key, value, key.slice(PREFIX.token.length)));
  }
  return found;
}

/** Reads one entry, or undefined for an id that no write could have stored. */
async function getChecked<T>(engine: KvEngine, id: string, key: (id: string) => string, read: (key: string, value: unknown) => T) {
  if (!isStorableId(id)) return undefined;
  const storeKey = key(id);
  const value = await engine.get(storeKey);
  return value === undefined ? undefined : read(storeKey, value);
}

export function createKvKeyStore(engine: KvEngine): KeyStore {
  return {
    open: () => engine.open(),
    close: () => engine.close(),
    async commit(batch) {
      const ops = planBatch(batch);
      if (ops.length > 0) await engine.write(ops);
    },
    getKey: (keyId) => getChecked(engine, keyId, keyRecordKey, (key, value) => readKey(key, value, keyId)),
    async listKeys({ limit, marker }): Promise<Page<KeyRecord>> {
      checkLimit(limit);
      return collectPage(keysFrom(engine, marker), limit, (record) => record.keyId);
    },
    allKeys: () => keysFrom(engine),
    async getMaterial(keyId, keyVersion) {
      if (!isKeyVersion(keyVersion)) return undefined;
      const key = (id: string) => materialKey(id, keyVersion);
      return getChecked(engine, keyId, key, (storeKey, value) => readMaterial(storeKey, value, keyId, keyVersion));
    },
    listMaterial: (keyId) => listMaterial(engine, keyId),
    getAlias: (aliasName) => getChecked(engine, aliasName, aliasKey, (key, value) => readAlias(key, value, aliasName)),
    async listAliases({ limit, marker, keyId }): Promise<Page<AliasRecord>> {
      checkLimit(limit);
      return collectPage(aliasesFrom(engine, marker, keyId), limit, (alias) => alias.aliasName);
    },
    listTokens: () => listTokens(engine),
    getMeta: <T>(name: string) => getChecked(engine, name, metaKey, (_key, value) => value as T),
  };
}
