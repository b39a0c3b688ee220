/**
 * Unwrapped key versions, ready for use, kept in process memory only. A miss reads the wrapped
 * version from the store and unwraps it under the root key; nothing unwrapped is ever written.
 */
import { LatchkeyError, materialAad, type KeyRecord } from '@latchkey/core';
import { loadKey, type LoadedKey, type RootKey } from '@latchkey/crypto';
import type { KeyStore } from '@latchkey/storage';

function slot(keyId: string, keyVersion: number): string {
  return `${keyId}/${keyVersion}`;
}

export class MaterialCache {
  readonly #store: KeyStore;
  readonly #rootKey: RootKey;
  readonly #loaded = new Map<string, LoadedKey>();
  readonly #maxEntries: number;

  constructor(store: KeyStore, rootKey: RootKey, maxEntries = 100_000) {
    this.#store = store;
    this.#rootKey = rootKey;
    this.#maxEntries = maxEntries;
  }

  peek(keyId: string, keyVersion: number): LoadedKey | undefined {
    return this.#loaded.get(slot(keyId, keyVersion));
  }

  async get(record: KeyRecord, keyVersion: number): Promise<LoadedKey> {
    const cached = this.#loaded.get(slot(record.keyId, keyVersion));
    if (cached) return cached;
    const material = await this.#store.getMaterial(record.keyId, keyVersion);
    if (!material) {
      throw new LatchkeyError('KMSInternalException', `material for key ${record.keyId} version ${keyVersion} is missing`);
    }
    const secret = this.#rootKey.unwrap(material.wrapped, materialAad(record.keyId, keyVersion));
    const loaded = loadKey(record.keySpec, secret);
    secret.fill(0);
    this.remember(record.keyId, keyVersion, loaded);
    return loaded;
  }

  remember(keyId: string, keyVersion: number, loaded: LoadedKey): void {
    // A plain bound: past it, forget the oldest entry (Map keeps insertion order).
    if (this.#loaded.size >= this.#maxEntries) {
      const oldest = this.#loaded.keys().next();
      if (!oldest.done) this.#loaded.delete(oldest.value);
    }
    this.#loaded.set(slot(keyId, keyVersion), loaded);
  }

  forget(keyId: string): void {
    for (const name of [...this.#loaded.keys()]) {
      if (name.startsWith(`${keyId}/`)) this.#loaded.delete(name);
    }
  }
}
