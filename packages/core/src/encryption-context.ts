/**
 * Encryption context: string pairs bound to a ciphertext as additional authenticated data. The
 * canonical encoding sorts the pairs by key and length-prefixes every string, so that two contexts
 * with the same pairs always produce the same bytes and no two different contexts collide.
 */
import { LatchkeyError } from './errors.ts';
import { LIMITS } from './key-specs.ts';

export type EncryptionContext = Readonly<Record<string, string>>;

const encoder = new TextEncoder();

function u16(n: number): Uint8Array {
  return Uint8Array.of((n >>> 8) & 0xff, n & 0xff);
}

export function validateEncryptionContext(context: unknown): EncryptionContext {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new LatchkeyError('ValidationException', 'encryptionContext must be an object of string values');
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== 'string') throw new LatchkeyError('ValidationException', 'encryptionContext values must be strings');
    if (key.length === 0) throw new LatchkeyError('ValidationException', 'encryptionContext keys must not be empty');
    bytes += encoder.encode(key).length + encoder.encode(value).length;
  }
  if (bytes > LIMITS.encryptionContextMaxBytes) {
    throw new LatchkeyError('ValidationException', `encryptionContext is limited to ${LIMITS.encryptionContextMaxBytes} bytes`);
  }
  return context as EncryptionContext;
}

/** Canonical bytes: count(u16) then, per pair sorted by key, len(u16) key len(u16) value. */
export function encodeEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs = Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: Uint8Array[] = [u16(pairs.length)];
  for (const [key, value] of pairs) {
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
