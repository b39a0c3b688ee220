/**
 * Deterministic randomness for tests and simulations: sfc32 seeded through splitmix32, so that a
 * seed printed by a failing run reproduces it exactly.
 *
 * NOT CRYPTOGRAPHIC. Anyone who sees a few outputs can predict the rest. Every object here carries
 * `notCryptographic: true` so that production code can refuse it for key material, nonces or
 * tokens; those come from `crypto.randomBytes` only.
 */
import type { IdSource } from '@latchkey/core';

const TWO_POW_32 = 2 ** 32;
const TWO_POW_53 = 2 ** 53;

/** splitmix32 style (golden-ratio counter, MurmurHash3 finaliser): spreads one seed over sfc32's four words, so nearby seeds differ. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a, so that a string seed (a test name, say) works as well as a number. */
function hashSeed(seed: number | string): number {
  if (typeof seed === 'number') {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer or a string, got ${seed}`);
    return (seed >>> 0) ^ Math.floor(seed / TWO_POW_32);
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class SeededRandom {
  readonly seed: number | string;
  /** Marker for production code: never accept this object as a source of key material. */
  readonly notCryptographic = true;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number | string) {
    this.seed = seed;
    const mix = splitmix32(hashSeed(seed));
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix();
    // The first outputs of sfc32 still echo the seed words; discarding a few is the usual remedy.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** One step of sfc32 (Chris Doty-Humphrey's small fast counting generator). */
  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) + t | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67_108_864 + low) / TWO_POW_53;
  }

  /** An integer from min to max, both included, without modulo bias for ranges up to 2^32. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`int(min, max) needs safe integers with min <= max, got ${min}, ${max}`);
    }
    const range = max - min + 1;
    if (range > TWO_POW_32) return min + Math.floor(this.next() * range);
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return min + (draw % range);
  }

  bytes(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`bytes(length) needs a length of at least 0, got ${length}`);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 4) {
      const word = this.nextUint32();
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() needs at least one item');
    return items[this.int(0, items.length - 1)]!;
  }

  /** An independent stream derived from this one, e.g. one per simulated region. */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${String(this.seed)}/${label}/${this.nextUint32()}`);
  }
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Formats 16 bytes as a UUID version 4 (random), as `crypto.randomUUID` would. */
export function uuidV4FromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) throw new RangeError(`a UUID takes 16 bytes, got ${bytes.length}`);
  const b = Uint8Array.from(bytes);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface SeededIdSource extends IdSource {
  readonly notCryptographic: true;
}

/** Key ids in UUID v4 form from a seed: the same seed gives the same ids in the same order. */
export function seededIds(seed: number | string): SeededIdSource {
  const random = new SeededRandom(seed);
  return { notCryptographic: true, newKeyId: () => uuidV4FromBytes(random.bytes(16)) };
}
