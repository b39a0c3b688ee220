/**
 * The node's in-memory view of key records and aliases, loaded from the store at start and
 * updated after every durable commit. Reads on the data plane never touch disk.
 */
import { LatchkeyError, isKeyId, type AliasRecord, type KeyRecord, type KeyState } from '@latchkey/core';
import type { KeyStore } from '@latchkey/storage';

export class KeyDirectory {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #aliases = new Map<string, AliasRecord>();

  static async load(store: KeyStore): Promise<KeyDirectory> {
    const directory = new KeyDirectory();
    for await (const record of store.allKeys()) directory.putKey(record);
    let marker: string | null = null;
    do {
      const page: { items: AliasRecord[]; nextMarker: string | null } = await store.listAliases({ limit: 1000, marker });
      for (const alias of page.items) directory.putAlias(alias);
      marker = page.nextMarker;
    } while (marker !== null);
    return directory;
  }

  getKey(keyId: string): KeyRecord | undefined {
    return this.#keys.get(keyId);
  }

  /** A key id or alias name to a live key record; destroyed and unknown keys are NotFound. */
  resolve(reference: string): KeyRecord {
    let keyId = reference;
    if (!isKeyId(reference)) {
      const alias = this.#aliases.get(reference);
      if (!alias) throw new LatchkeyError('NotFoundException', `alias ${reference} does not exist`);
      keyId = alias.targetKeyId;
    }
    const record = this.#keys.get(keyId);
    if (!record) throw new LatchkeyError('NotFoundException', `key ${keyId} does not exist`);
    if (record.keyState === 'Destroyed') throw new LatchkeyError('NotFoundException', `key ${keyId} was destroyed`);
    return record;
  }

  getAlias(aliasName: string): AliasRecord | undefined {
    return this.#aliases.get(aliasName);
  }

  aliasesOf(keyId: string): AliasRecord[] {
    return [...this.#aliases.values()].filter((alias) => alias.targetKeyId === keyId);
  }

  allAliases(): AliasRecord[] {
    return [...this.#aliases.values()];
  }

  putKey(record: KeyRecord): void {
    this.#keys.set(record.keyId, record);
  }

  putAlias(alias: AliasRecord): void {
    this.#aliases.set(alias.aliasName, alias);
  }

  deleteAlias(aliasName: string): void {
    this.#aliases.delete(aliasName);
  }

  keys(): IterableIterator<KeyRecord> {
    return this.#keys.values();
  }

  countByState(): Record<KeyState, number> {
    const counts: Record<KeyState, number> = { Enabled: 0, Disabled: 0, PendingDeletion: 0, Destroyed: 0 };
    for (const record of this.#keys.values()) counts[record.keyState] += 1;
    return counts;
  }
}
