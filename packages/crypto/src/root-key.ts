/**
 * The region root of trust: one 32-byte secret that wraps every key version at rest. The raw root
 * bytes never encrypt anything themselves; HKDF derives a wrapping key and a public fingerprint from
 * them under separate labels, so the fingerprint reveals nothing about the wrapping key and a future
 * format can derive fresh keys without touching old ones.
 *
 * Wrapped form: formatVersion (1 byte) = 1 | iv (12) | tag (16) | ciphertext, AES-256-GCM, with
 * additional data formatVersion || aad so that the version byte is authenticated too.
 */
import { createCipheriv, createDecipheriv, createHash, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core';
import { asBuffer } from './bytes.ts';

export interface RootKey {
  /** Hex SHA-256 of an HKDF-derived id: safe to log and compare, never the key. */
  readonly fingerprint: string;
  wrap(plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** KMSInternalException if the input does not authenticate under this root key and AAD. */
  unwrap(wrapped: Uint8Array, aad: Uint8Array): Uint8Array;
  /**
   * 32 bytes derived for a purpose (HKDF under a separate label): the region identity is derived
   * this way, so a region whose store is lost keeps its identity as long as its root key survives.
   */
  derive(purpose: string): Uint8Array;
}

export const ROOT_KEY_BYTES = 32;
const WRAP_FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const HKDF_SALT = 'latchkey/root-key/v1';
const WRAPPING_KEY_INFO = 'latchkey/root-key/v1/wrapping-key';
const FINGERPRINT_INFO = 'latchkey/root-key/v1/fingerprint';
const DERIVATION_SEED_INFO = 'latchkey/root-key/v1/derivation-seed';

function derive(rootBytes: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', rootBytes, HKDF_SALT, info, 32));
}

function additionalData(aad: Uint8Array): Buffer {
  return Buffer.concat([Uint8Array.of(WRAP_FORMAT_VERSION), aad]);
}

// Random 96-bit IVs are safe here: a root key wraps one secret per key version, many orders of
// magnitude below the 2^32 messages NIST SP 800-38D allows per key with random IVs.
function wrapWith(wrappingKey: KeyObject, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Uint8Array.of(WRAP_FORMAT_VERSION), iv, cipher.getAuthTag(), body]);
}

function notAuthentic(why: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError('KMSInternalException', `wrapped material ${why}`, { cause });
}

function unwrapWith(wrappingKey: KeyObject, wrapped: Uint8Array, aad: Uint8Array): Uint8Array {
  if (wrapped.length < HEADER_BYTES) throw notAuthentic('is truncated');
  if (wrapped[0] !== WRAP_FORMAT_VERSION) throw notAuthentic(`has unknown format version ${wrapped[0]}`);
  const input = asBuffer(wrapped);
  const decipher = createDecipheriv('aes-256-gcm', wrappingKey, input.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAuthTag(input.subarray(1 + IV_BYTES, HEADER_BYTES));
  decipher.setAAD(additionalData(aad));
  const plaintext = decipher.update(input.subarray(HEADER_BYTES));
  try {
    decipher.final();
  } catch (error) {
    // GCM releases plaintext before it checks the tag; scrub what it released.
    plaintext.fill(0);
    throw notAuthentic('does not authenticate under this root key (wrong root key, wrong AAD, or corrupted)', error);
  }
  return plaintext;
}

/** A root key from its 32 raw bytes; the caller's buffer is not kept and may be zeroed afterwards. */
export function rootKeyFromBytes(bytes: Uint8Array): RootKey {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ROOT_KEY_BYTES) {
    throw new LatchkeyError('ValidationException', `a root key is exactly ${ROOT_KEY_BYTES} bytes`);
  }
  const derived = derive(bytes, WRAPPING_KEY_INFO);
  const wrappingKey = createSecretKey(derived);
  derived.fill(0);
  const fingerprint = createHash('sha256').update(derive(bytes, FINGERPRINT_INFO)).digest('hex');
  const seed = derive(bytes, DERIVATION_SEED_INFO);
  const derivationSeed = createSecretKey(seed);
  seed.fill(0);
  return Object.freeze({
    fingerprint,
    derive: (purpose: string) => Buffer.from(hkdfSync('sha256', derivationSeed, HKDF_SALT, `latchkey/derived/v1/${purpose}`, 32)),
    wrap: (plaintext: Uint8Array, aad: Uint8Array) => wrapWith(wrappingKey, plaintext, aad),
    unwrap: (wrapped: Uint8Array, aad: Uint8Array) => unwrapWith(wrappingKey, wrapped, aad),
  });
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$|^[A-Za-z0-9_-]+$/;

/** A root key from base64 (standard or URL-safe, padding optional), as in LATCHKEY_ROOT_KEY. */
export function rootKeyFromBase64(value: string): RootKey {
  const text = typeof value === 'string' ? value.trim() : '';
  // Buffer.from silently skips characters it does not know, so check the alphabet first.
  if (!BASE64.test(text)) throw new LatchkeyError('ValidationException', `a root key must be base64 of exactly ${ROOT_KEY_BYTES} bytes`);
  const bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  try {
    if (bytes.length !== ROOT_KEY_BYTES) {
      throw new LatchkeyError('ValidationException', `a root key must be base64 of exactly ${ROOT_KEY_BYTES} bytes, got ${bytes.length} bytes`);
    }
    return rootKeyFromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}
