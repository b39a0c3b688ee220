/**
 * The contract of a node's persistent store. Two implementations honour it (LevelDB and an
 * in-memory twin) and one contract suite runs against both, so code written against this
 * interface behaves the same in production and in simulation.
 *
 * The store holds wrapped material only; it never sees plaintext keys and does no cryptography.
 */
import type { AliasRecord, KeyRecord, TokenRecord, VersionMaterial } from '@latchkey/core';

/**
 * One atomic change. Either every part is applied or none is, and `commit` resolves only once the
 * change is durable. Within a batch deletes apply before puts, so a put of the same id wins; among
 * puts of the same id the later one in its array wins.
 */
export interface StoreBatch {
  readonly putKeys?: readonly KeyRecord[];
  readonly putMaterial?: readonly VersionMaterial[];
  readonly deleteMaterial?: readonly { keyId: string; keyVersion: number }[];
  readonly putAliases?: readonly AliasRecord[];
  /** Alias names. */
  readonly deleteAliases?: readonly string[];
  readonly putTokens?: readonly TokenRecord[];
  /** Token ids. */
  readonly deleteTokens?: readonly string[];
  /** Small named values: replication cursor, node identity, idempotency records. */
  readonly putMeta?: Readonly<Record<string, unknown>>;
}

export interface Page<T> {
  readonly items: T[];
  /** The marker to pass for the next page, or null when this page is the last. */
  readonly nextMarker: string | null;
}

export interface KeyStore {
  /** Opens (or reopens after close); fails with DependencyTimeoutException if the folder is locked. */
  open(): Promise<void>;
  close(): Promise<void>;
  commit(batch: StoreBatch): Promise<void>;
  getKey(keyId: string): Promise<KeyRecord | undefined>;
  /** Ordered by keyId (code point order); marker = last keyId of the previous page, exclusive. */
  listKeys(options: { limit: number; marker?: string | null }): Promise<Page<KeyRecord>>;
  /** Every key in keyId order, read from a consistent snapshot: start-up, lifecycle scans, digests. */
  allKeys(): AsyncIterable<KeyRecord>;
  getMaterial(keyId: string, keyVersion: number): Promise<VersionMaterial | undefined>;
  /** Ascending keyVersion. */
  listMaterial(keyId: string): Promise<VersionMaterial[]>;
  getAlias(aliasName: string): Promise<AliasRecord | undefined>;
  /** Ordered by aliasName; with keyId, only the aliases that target that key. */
  listAliases(options: { limit: number; marker?: string | null; keyId?: string }): Promise<Page<AliasRecord>>;
  /** Every token, ordered by tokenId. */
  listTokens(): Promise<TokenRecord[]>;
  getMeta<T>(name: string): Promise<T | undefined>;
}
