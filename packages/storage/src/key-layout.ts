/**
 * How records map to store keys. One flat, ordered key space, partitioned by a one-letter prefix:
 *
 *   k/<keyId>                          KeyRecord
 *   m/<keyId>/<keyVersion, 10 digits>  VersionMaterial (zero-padded so versions sort numerically)
 *   a/<aliasName>                      AliasRecord
 *   t/<tokenId>                        TokenRecord
 *   x/<name>                           meta value
 *
 * Every prefix ends in "/", so its range ends just before the same letter followed by "0" (the
 * character after "/"): `k/` never reads into `m/`, and `m/<keyId>/` never reads a neighbour's
 * versions because the rest of the key must be exactly ten digits.
 */
import { isWellFormed } from './code-point-order.ts';

export const PREFIX = { key: 'k/', material: 'm/', alias: 'a/', token: 't/', meta: 'x/' } as const;

export const KEY_VERSION_MAX = 9_999_999_999;
const VERSION_DIGITS = 10;
const TEN_DIGITS = /^\d{10}$/;

/** Bounds of an ordered scan; exactly one of gte and gt is set. */
export interface KeyRange {
  readonly gte?: string;
  readonly gt?: string;
  readonly lt: string;
}

/** Ids become key bytes as UTF-8, so an empty or ill-formed id could collide or vanish. */
export function isStorableId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && isWellFormed(id);
}

export function isKeyVersion(keyVersion: unknown): keyVersion is number {
  return Number.isSafeInteger(keyVersion) && (keyVersion as number) >= 1 && (keyVersion as number) <= KEY_VERSION_MAX;
}

export function keyRecordKey(keyId: string): string {
  return PREFIX.key + keyId;
}

export function materialPrefix(keyId: string): string {
  return `${PREFIX.material}${keyId}/`;
}

export function materialKey(keyId: string, keyVersion: number): string {
  return materialPrefix(keyId) + String(keyVersion).padStart(VERSION_DIGITS, '0');
}

/** The version a material key names, or null when the key belongs to another keyId. */
export function materialKeyVersion(key: string, keyId: string): number | null {
  const rest = key.slice(materialPrefix(keyId).length);
  return TEN_DIGITS.test(rest) ? Number(rest) : null;
}

export function aliasKey(aliasName: string): string {
  return PREFIX.alias + aliasName;
}

export function tokenKey(tokenId: string): string {
  return PREFIX.token + tokenId;
}

export function metaKey(name: string): string {
  return PREFIX.meta + name;
}

/** Every key under `prefix` (which ends in "/"), or only those after `prefix + marker`. */
export function prefixRange(prefix: string, marker?: string | null): KeyRange {
  const lt = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return marker ? { gt: prefix + marker, lt } : { gte: prefix, lt };
}
