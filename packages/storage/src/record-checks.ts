/**
 * Shape and invariant checks for the records a store holds, run on every write (so a bug upstream
 * cannot persist a broken record) and on every read (so corruption on disk surfaces as a typed
 * internal error at the boundary, not as a wrong answer later). `fail` decides which error.
 */
import { assertKeyRecord, type AliasRecord, type KeyRecord, type LatchkeyError, type TokenRecord, type VersionMaterial } from '@latchkey/core';
import { isKeyVersion, isStorableId } from './key-layout.ts';

export type Failure = (message: string, cause?: unknown) => LatchkeyError;

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function checkKeyRecord(value: unknown, fail: Failure): KeyRecord {
  if (!isObject(value) || !isStorableId(value.keyId) || !Array.isArray(value.versions)) {
    throw fail('not a key record (needs keyId and versions)');
  }
  try {
    return assertKeyRecord(value as unknown as KeyRecord);
  } catch (error) {
    // assertKeyRecord says which invariant broke; a TypeError here means a field has the wrong type.
    throw fail(error instanceof Error ? error.message : `key record ${value.keyId} is malformed`, error);
  }
}

export function checkMaterial(value: unknown, fail: Failure): VersionMaterial {
  const sound = isObject(value) && isStorableId(value.keyId) && isKeyVersion(value.keyVersion) &&
    isBytes(value.wrapped) && (value.publicKey === null || isBytes(value.publicKey));
  if (!sound) throw fail('not version material (needs keyId, keyVersion 1..9999999999, wrapped bytes, publicKey bytes or null)');
  return value as unknown as VersionMaterial;
}

export function checkAlias(value: unknown, fail: Failure): AliasRecord {
  const sound = isObject(value) && isStorableId(value.aliasName) && typeof value.targetKeyId === 'string' &&
    typeof value.creationDateMs === 'number' && typeof value.lastUpdatedDateMs === 'number';
  if (!sound) throw fail('not an alias record (needs aliasName, targetKeyId, creationDateMs, lastUpdatedDateMs)');
  return value as unknown as AliasRecord;
}

export function checkToken(value: unknown, fail: Failure): TokenRecord {
  const sound = isObject(value) && isStorableId(value.tokenId) && typeof value.tokenHash === 'string' &&
    typeof value.principal === 'string' && typeof value.admin === 'boolean' && typeof value.creationDateMs === 'number';
  if (!sound) throw fail('not a token record (needs tokenId, tokenHash, principal, admin, creationDateMs)');
  return value as unknown as TokenRecord;
}
