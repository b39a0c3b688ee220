/**
 * Where message keys come from: a data key from the service (GenerateDataKey to encrypt, Decrypt of
 * the wrapped key to decrypt), through the data-key cache when one is configured, turned into the
 * one message's key at once. Concurrent misses for the same entry share one service call, so a cold
 * start under load does not stampede the service.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { encodeEncryptionContext, type EncryptionContext } from '@latchkey/core';
import { invalidInput } from '../client-error.ts';
import { DataKeyCache, type CachedKey, type DataKeyCacheLimits } from './data-key-cache.ts';
import { deriveMessageKey, extractKey } from './envelope-crypto.ts';
import { envelopeError } from './envelope-errors.ts';
import { ALGORITHM_AES_256_GCM_HKDF_SHA256, encodeHeaderBody, type ParsedHeader } from './envelope-format.ts';
import type { EventSink } from '../client-events.ts';
import type { DecryptInput, DecryptOutput, GenerateDataKeyInput, GenerateDataKeyOutput } from '../crypto-types.ts';

/** The two service calls envelope encryption needs; the client facade provides them, routed and retried. */
export interface DataKeyService {
  generateDataKey(input: GenerateDataKeyInput): Promise<GenerateDataKeyOutput>;
  decrypt(input: DecryptInput): Promise<DecryptOutput>;
}

/** Public facts of an encryption data key: what every header under it carries. */
interface EncryptInfo {
  readonly headerBody: Buffer;
}

export interface EncryptMaterials {
  readonly messageKey: KeyObject;
  /** The header fields after the frame length: key id, encryption context, wrapped data key. */
  readonly headerBody: Buffer;
}

const DATA_KEY_BYTES = 32;
const ALGORITHM = ALGORITHM_AES_256_GCM_HKDF_SHA256;

export function canonicalContext(context: EncryptionContext | undefined): Buffer {
  try {
    return Buffer.from(encodeEncryptionContext(context ?? {}));
  } catch (error) {
    throw invalidInput(`encryptionContext: ${(error as Error).message}`);
  }
}

/** The HKDF-extracted key of a data key, as bytes (to zero later) and imported once (to use). */
function importKey(dataKey: Uint8Array): { secret: Buffer; handle: KeyObject } {
  const secret = extractKey(dataKey);
  return { secret, handle: createSecretKey(secret) };
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

export class DataKeySource {
  readonly #service: DataKeyService;
  readonly #encryptCache: DataKeyCache<EncryptInfo> | null;
  readonly #decryptCache: DataKeyCache<null> | null;
  /** Entries being fetched: later callers wait for the fetch and then take from the cache. */
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(service: DataKeyService, limits: DataKeyCacheLimits | null, nowMs: () => number, emit: EventSink) {
    this.#service = service;
    this.#encryptCache = limits === null ? null : new DataKeyCache('encrypt', limits, nowMs, emit);
    this.#decryptCache = limits === null ? null : new DataKeyCache('decrypt', limits, nowMs, emit);
  }

  /**
   * The key of one new message of `plaintextBytes` bytes (null: unknown, as for a stream without a
   * length hint, which then gets a data key of its own since its use of a cached one cannot be bounded).
   */
  async forEncrypt(keyId: string, context: EncryptionContext | undefined, plaintextBytes: number | null, messageId: Uint8Array): Promise<EncryptMaterials> {
    const contextBytes = canonicalContext(context);
    const cache = this.#encryptCache;
    if (cache === null || plaintextBytes === null || !cache.admits(plaintextBytes)) {
      const key = await this.#generate(keyId, context, contextBytes);
      key.secret.fill(0);
      return { messageKey: deriveMessageKey(key.handle, ALGORITHM, messageId), headerBody: key.info.headerBody };
    }
    const id = `${ALGORITHM}:${keyId.length}:${keyId}${latin1(contextBytes)}`;
    const fetching = this.#afterFetchOf(id);
    if (fetching !== undefined) await fetching;
    const hit = cache.take(id, plaintextBytes);
    // Derived in the same synchronous step as the take: an eviction cannot zero the key in between.
    if (hit !== null) return { messageKey: deriveMessageKey(hit.handle, ALGORITHM, messageId), headerBody: hit.info.headerBody };
    return this.#fetchOnce(id, async () => {
      const key = await this.#generate(keyId, context, contextBytes);
      const materials = { messageKey: deriveMessageKey(key.handle, ALGORITHM, messageId), headerBody: key.info.headerBody };
      cache.put(id, key, plaintextBytes);
      return materials;
    });
  }

  /** The key of a message with this header: the wrapped data key unwrapped by the service, or from the cache. */
  async forDecrypt(header: ParsedHeader): Promise<KeyObject> {
    const cache = this.#decryptCache;
    if (cache === null) {
      const key = await this.#unwrap(header);
      key.secret.fill(0);
      return deriveMessageKey(key.handle, ALGORITHM, header.messageId);
    }
    // The context is part of the entry's identity: the service binds it to the wrapped key, and so must the cache.
    const id = `${header.wrappedKey.length}:${latin1(header.wrappedKey)}${latin1(header.contextBytes)}`;
    const fetching = this.#afterFetchOf(id);
    if (fetching !== undefined) await fetching;
    const hit = cache.take(id, 0);
    if (hit !== null) return deriveMessageKey(hit.handle, ALGORITHM, header.messageId);
    return this.#fetchOnce(id, async () => {
      const key = await this.#unwrap(header);
      const messageKey = deriveMessageKey(key.handle, ALGORITHM, header.messageId);
      cache.put(id, key, 0);
      return messageKey;
    });
  }

  clear(): void {
    this.#encryptCache?.clear();
    this.#decryptCache?.clear();
  }

  /**
   * Waits for a fetch of the same entry already under way, if any. Returns at once otherwise, with
   * no await in between, so that the first of many concurrent callers registers its fetch before the
   * next one looks.
   */
  #afterFetchOf(id: string): Promise<unknown> | undefined {
    return this.#inflight.get(id)?.catch(() => undefined);
  }

  async #fetchOnce<T>(id: string, fetch: () => Promise<T>): Promise<T> {
    const fetching = fetch();
    if (!this.#inflight.has(id)) {
      this.#inflight.set(id, fetching);
      void fetching.catch(() => undefined).finally(() => {
        if (this.#inflight.get(id) === fetching) this.#inflight.delete(id);
      });
    }
    return fetching;
  }

  async #generate(keyId: string, context: EncryptionContext | undefined, contextBytes: Buffer): Promise<CachedKey<EncryptInfo>> {
    const dataKey = await this.#service.generateDataKey({ keyId, keySpec: 'AES_256', encryptionContext: context });
    try {
      if (dataKey.plaintext.length !== DATA_KEY_BYTES) throw envelopeError(`the service returned a data key of ${dataKey.plaintext.length} bytes, not ${DATA_KEY_BYTES}`);
      return { ...importKey(dataKey.plaintext), info: { headerBody: encodeHeaderBody(dataKey.keyId, contextBytes, dataKey.ciphertext) } };
    } finally {
      dataKey.plaintext.fill(0);
    }
  }

  /** The HKDF-extracted data key of a header's wrapped key, unwrapped by the service under the header's context. */
  async #unwrap(header: ParsedHeader): Promise<CachedKey<null>> {
    const answer = await this.#service.decrypt({ ciphertext: header.wrappedKey, encryptionContext: header.encryptionContext });
    try {
      if (answer.keyId !== header.keyId) throw envelopeError(`the wrapped data key belongs to key ${answer.keyId}, not to ${header.keyId} that the header names`);
      if (answer.plaintext.length !== DATA_KEY_BYTES) throw envelopeError(`the wrapped data key is ${answer.plaintext.length} bytes, not ${DATA_KEY_BYTES}`);
      return { ...importKey(answer.plaintext), info: null };
    } finally {
      answer.plaintext.fill(0);
    }
  }
}
