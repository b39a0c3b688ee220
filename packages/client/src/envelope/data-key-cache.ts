/**
 * The data-key cache, after the AWS Encryption SDK's caching materials manager: a data key from
 * GenerateDataKey is reused for further messages under the same (key, encryption context,
 * algorithm), within limits on its age, the number of messages and the bytes it has encrypted, so
 * that a hot path calls the service once per many messages while the blast radius of one data key
 * stays bounded. Unwrapped data keys are cached for decryption by (wrapped key, context), limited by
 * age. Both sides are bounded LRU maps.
 *
 * What is cached is the HKDF-extracted key (see envelope-crypto.ts), never handed out: callers take
 * it and derive their per-message key in the same synchronous step, so an entry can be zeroed the
 * moment it is evicted without pulling a key from under a message being encrypted. Its bytes are
 * zeroed; its KeyObject (which node:crypto cannot wipe) is dropped for the garbage collector.
 */
import type { KeyObject } from 'node:crypto';
import type { EventSink } from '../client-events.ts';

export interface DataKeyCacheLimits {
  /** How long a data key is used after the service made it (or unwrapped it, for decryption). */
  readonly maxAgeMs: number;
  /** Messages one data key encrypts before a fresh one is fetched. */
  readonly maxMessagesPerKey: number;
  /** Plaintext bytes one data key encrypts before a fresh one is fetched. A larger message gets its own key. */
  readonly maxBytesPerKey: number;
  /** Entries kept on each side (encrypt, decrypt); the least recently used goes first. */
  readonly capacity: number;
}

export const DEFAULT_CACHE_LIMITS: DataKeyCacheLimits = {
  maxAgeMs: 5 * 60_000,
  maxMessagesPerKey: 10_000,
  maxBytesPerKey: 2 ** 30,
  capacity: 100,
};

/** A cached key: `secret` is zeroed on eviction, `handle` is the same key imported once; `info` is public (it goes into headers). */
export interface CachedKey<Public> {
  readonly secret: Buffer;
  readonly handle: KeyObject;
  readonly info: Public;
}

interface Entry<Public> {
  readonly key: CachedKey<Public>;
  readonly createdAtMs: number;
  messages: number;
  bytes: number;
}

type EvictReason = 'age' | 'messages' | 'bytes' | 'capacity' | 'cleared';

export function checkLimits(limits: DataKeyCacheLimits): DataKeyCacheLimits {
  for (const name of ['maxAgeMs', 'maxMessagesPerKey', 'maxBytesPerKey', 'capacity'] as const) {
    const value = limits[name];
    if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`LatchkeyClient: dataKeyCache.${name} must be a positive integer`);
  }
  return Object.freeze({ ...limits });
}

export class DataKeyCache<Public> {
  readonly limits: DataKeyCacheLimits;
  readonly #side: 'encrypt' | 'decrypt';
  readonly #entries = new Map<string, Entry<Public>>();
  readonly #nowMs: () => number;
  readonly #emit: EventSink;

  constructor(side: 'encrypt' | 'decrypt', limits: DataKeyCacheLimits, nowMs: () => number, emit: EventSink) {
    this.#side = side;
    this.limits = checkLimits(limits);
    this.#nowMs = nowMs;
    this.#emit = emit;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * The cached key for `id` if it may take one more message of `bytes` plaintext bytes; the use is
   * counted. A key at the end of its limits is evicted (and zeroed) here, and the caller fetches anew.
   */
  take(id: string, bytes: number): CachedKey<Public> | null {
    const entry = this.#entries.get(id);
    if (entry === undefined) return this.#miss();
    const reason = this.#exhaustedBy(entry, bytes);
    if (reason !== null) {
      this.#evict(id, entry, reason);
      return this.#miss();
    }
    entry.messages += 1;
    entry.bytes += bytes;
    // Most recently used last, so that the first key in the map is the one capacity evicts.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    this.#emit({ type: 'cache', cache: this.#side, outcome: 'hit' });
    return entry.key;
  }

  /** Whether a message of `bytes` may use a cached key at all; larger ones get a key of their own. */
  admits(bytes: number): boolean {
    return bytes <= this.limits.maxBytesPerKey;
  }

  /** Caches a fresh key with its first use (`bytes` of one message) already counted. */
  put(id: string, key: CachedKey<Public>, bytes: number): void {
    const previous = this.#entries.get(id);
    if (previous !== undefined) this.#evict(id, previous, 'cleared');
    this.#entries.set(id, { key, createdAtMs: this.#nowMs(), messages: 1, bytes });
    while (this.#entries.size > this.limits.capacity) {
      const [oldestId, oldest] = this.#entries.entries().next().value as [string, Entry<Public>];
      this.#evict(oldestId, oldest, 'capacity');
    }
  }

  clear(): void {
    for (const [id, entry] of [...this.#entries]) this.#evict(id, entry, 'cleared');
  }

  #exhaustedBy(entry: Entry<Public>, bytes: number): EvictReason | null {
    if (this.#nowMs() - entry.createdAtMs >= this.limits.maxAgeMs) return 'age';
    // Decrypting reuses what was already encrypted: only age bounds an unwrapped key.
    if (this.#side === 'decrypt') return null;
    if (entry.messages + 1 > this.limits.maxMessagesPerKey) return 'messages';
    if (entry.bytes + bytes > this.limits.maxBytesPerKey) return 'bytes';
    return null;
  }

  #miss(): null {
    this.#emit({ type: 'cache', cache: this.#side, outcome: 'miss' });
    return null;
  }

  #evict(id: string, entry: Entry<Public>, reason: EvictReason): void {
    this.#entries.delete(id);
    entry.key.secret.fill(0);
    this.#emit({ type: 'cache', cache: this.#side, outcome: 'evict', reason });
  }
}
