/**
 * Where message keys come from: a data key from the service (GenerateDataKey to encrypt, Decrypt of
 * the wrapped key to decrypt), through the data-key cache when one is configured. Everything keyed
 * by the (extracted) data key happens here, in the same synchronous step as taking it from the
 * cache: the message's header tag is written or checked and the message key derived, so callers
 * only ever hold one message's key. Concurrent misses for the same entry share one service call, so
 * a cold start under load does not stampede the service.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { canonicalContext } from './canonical-context.ts';
import { DataKeyCache, type CachedKey, type DataKeyCacheLimits } from './data-key-cache.ts';
import { deriveMessageKey, extractKey, headerTag, verifyHeader } from './envelope-crypto.ts';
import { envelopeError } from './envelope-errors.ts';
import { ALGORITHM_AES_256_GCM_HKDF_SHA256, encodeHeaderBody, FIXED_HEADER_BYTES, TAG_BYTES, writeHeader, type ParsedHeader } from './envelope-format.ts';
import type { EncryptionContext } from '@latchkey/core';
import type { EventSink } from '../client-events.ts';
import type { DecryptInput, DecryptOutput, GenerateDataKeyInput, GenerateDataKeyOutput } from '../crypto-types.ts';

/** The two service calls envelope encryption needs; the client facade provides them, routed and retried. */
export interface DataKeyService {
  generateDataKey(input: GenerateDataKeyInput): Promise<GenerateDataKeyOutput>;
  decrypt(input: DecryptInput): Promise<DecryptOutput>;
}

/** Public facts of an encryption data key: the header fields after the frame length (key id, context, wrapped key). */
interface EncryptInfo {
  readonly headerBody: Buffer;
}

export interface EncryptMaterials {
  readonly messageKey: KeyObject;
  /** The message's whole header, tag included. */
  readonly header: Buffer;
}

export interface NewMessage {
  readonly keyId: string;
  readonly encryptionContext: EncryptionContext | undefined;
  /** Plaintext bytes; null when unknown (a stream without a length hint), which then gets a data key of its own. */
  readonly plaintextBytes: number | null;
  readonly messageId: Buffer;
  readonly frameLength: number;
}

const DATA_KEY_BYTES = 32;
const ALGORITHM = ALGORITHM_AES_256_GCM_HKDF_SHA256;

/** The HKDF-extracted key of a data key, as bytes (to zero later) and imported once (to use). */
function importKey(dataKey: Uint8Array): { secret: Buffer; handle: KeyObject } {
  const secret = extractKey(dataKey);
  return { secret, handle: createSecretKey(secret) };
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

function sealHeader(key: CachedKey<EncryptInfo>, message: NewMessage): EncryptMaterials {
  const header = Buffer.allocUnsafe(FIXED_HEADER_BYTES + key.info.headerBody.length + TAG_BYTES);
  const tagAt = writeHeader(header, message.messageId, message.frameLength, key.info.headerBody);
  headerTag(key.handle, header.subarray(0, tagAt)).copy(header, tagAt);
  return { messageKey: deriveMessageKey(key.handle, ALGORITHM, message.messageId), header };
}

function openHeader(key: CachedKey<unknown>, header: ParsedHeader): KeyObject {
  verifyHeader(key.handle, header.authenticated, header.tag);
  return deriveMessageKey(key.handle, ALGORITHM, header.messageId);
}

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

  /** The key and the sealed header of one new message. */
  async forEncrypt(message: NewMessage): Promise<EncryptMaterials> {
    const context = canonicalContext(message.encryptionContext);
    const cache = this.#encryptCache;
    const bytes = message.plaintextBytes;
    if (cache === null || bytes === null || !cache.admits(bytes)) {
      const key = await this.#generate(message, context.bytes);
      key.secret.fill(0);
      return sealHeader(key, message);
    }
    const id = `${ALGORITHM}:${message.keyId.length}:${message.keyId}${context.id}`;
    const fetching = this.#inflight.get(id);
    if (fetching !== undefined) await fetching.catch(() => undefined);
    const hit = cache.take(id, bytes);
    if (hit !== null) return sealHeader(hit, message);
    return this.#fetchOnce(id, async () => {
      const key = await this.#generate(message, context.bytes);
      const materials = sealHeader(key, message);
      cache.put(id, key, bytes);
      return materials;
    });
  }

  /** The key of a message with this header, once its header tag verified. */
  async forDecrypt(header: ParsedHeader): Promise<KeyObject> {
    const cache = this.#decryptCache;
    if (cache === null) {
      const key = await this.#unwrap(header);
      key.secret.fill(0);
      return openHeader(key, header);
    }
    // The context is part of the entry's identity: the service binds it to the wrapped key, and so must the cache.
    const id = `${header.wrappedKey.length}:${latin1(header.wrappedKey)}${latin1(header.contextBytes)}`;
    const fetching = this.#inflight.get(id);
    if (fetching !== undefined) await fetching.catch(() => undefined);
    const hit = cache.take(id, 0);
    if (hit !== null) return openHeader(hit, header);
    return this.#fetchOnce(id, async () => {
      const key = await this.#unwrap(header);
      cache.put(id, key, 0);
      return openHeader(key, header);
    });
  }

  clear(): void {
    this.#encryptCache?.clear();
    this.#decryptCache?.clear();
  }

  /**
   * Runs `fetch`, registered as the fetch of `id` unless one is already under way. Callers look for
   * a registered fetch with no await before it, so the first of many concurrent callers registers
   * its fetch before the next one looks.
   */
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

  async #generate(message: NewMessage, contextBytes: Buffer): Promise<CachedKey<EncryptInfo>> {
    const dataKey = await this.#service.generateDataKey({ keyId: message.keyId, keySpec: 'AES_256', encryptionContext: message.encryptionContext });
    try {
      if (dataKey.plaintext.length !== DATA_KEY_BYTES) throw envelopeError(`the service returned a data key of ${dataKey.plaintext.length} bytes, not ${DATA_KEY_BYTES}`);
      return { ...importKey(dataKey.plaintext), info: { headerBody: encodeHeaderBody(dataKey.keyId, contextBytes, dataKey.ciphertext) } };
    } finally {
      dataKey.plaintext.fill(0);
    }
  }

  /** The data key of a header's wrapped key, unwrapped by the service under the header's context. */
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
