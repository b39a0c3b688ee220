/**
 * Encryption context: string pairs bound to a ciphertext as additional authenticated data. The
 * canonical encoding sorts the pairs by key and length-prefixes every string, so that two contexts
 * with the same pairs always produce the same bytes and no two different contexts collide.
 */
import { LatchkeyError } from './errors.ts';
import { LIMITS } from './key-specs.ts';

export type EncryptionContext = Readonly<Record<string, string>>;

const encoder = new TextEncoder();

/**
 * A lone UTF-16 surrogate. TextEncoder turns every one of them into U+FFFD, so two different
 * strings would encode to the same bytes; such strings are refused instead of bound as AAD.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

const U16_MAX = 0xffff;

function bad(message: string): LatchkeyError {
  return new LatchkeyError('ValidationException', message);
}

function u16(n: number): Uint8Array {
  // A silently truncated length would let two different contexts share one encoding.
  if (n > U16_MAX) throw bad(`encryptionContext field of ${n} bytes does not fit the canonical encoding`);
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

function checkWellFormed(key: string, value: string): void {
  if (typeof value !== 'string') throw bad('encryptionContext values must be strings');
  if (LONE_SURROGATE.test(key) || LONE_SURROGATE.test(value)) {
    throw bad('encryptionContext keys and values must be well-formed Unicode (no lone surrogates)');
  }
}

/** Returns a plain copy of a valid context, so that later changes to the caller's object cannot reach the AAD. */
export function validateEncryptionContext(context: unknown): EncryptionContext {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context)) throw bad('encryptionContext must be an object of string values');
  const entries = Object.entries(context);
  let bytes = 0;
  for (const [key, value] of entries) {
    if (key.length === 0) throw bad('encryptionContext keys must not be empty');
    checkWellFormed(key, value);
    bytes += encoder.encode(key).length + encoder.encode(value).length;
  }
  if (bytes > LIMITS.encryptionContextMaxBytes) {
    throw bad(`encryptionContext is limited to ${LIMITS.encryptionContextMaxBytes} bytes`);
  }
  return Object.fromEntries(entries) as EncryptionContext;
}

/** Canonical bytes: count(u16) then, per pair sorted by key, len(u16) key len(u16) value. */
export function encodeEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: Uint8Array[] = [u16(pairs.length)];
  for (const [key, value] of pairs) {
    checkWellFormed(key, value);
    const k = encoder.encode(key);
    const v = encoder.encode(value);
    parts.push(u16(k.length), k, u16(v.length), v);
  }
  return concatBytes(parts);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
