/**
 * AES-256-GCM under a SYMMETRIC_DEFAULT key, in core's ciphertext format. The additional data is
 * the blob's header (which names key and key version) followed by the canonical encryption context,
 * so moving a ciphertext to another key, version or context fails authentication.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import {
  GCM_IV_BYTES, GCM_TAG_BYTES, LatchkeyError, decodeCiphertext, encodeCiphertext, encodeCiphertextHeader, encodeEncryptionContext,
  type EncryptionContext,
} from '@latchkey/core';
import { nextIv } from './iv-pool.ts';
import { requireFamily, requireSecretKey, type LoadedKey } from './loaded-key.ts';

function additionalData(header: Uint8Array, context: EncryptionContext): Buffer {
  return Buffer.concat([header, encodeEncryptionContext(context)]);
}

export function encryptSymmetric(key: LoadedKey, keyId: string, keyVersion: number, plaintext: Uint8Array, context: EncryptionContext): Uint8Array {
  requireFamily(key, ['aes'], 'encrypt with SYMMETRIC_DEFAULT');
  const header = encodeCiphertextHeader(keyId, keyVersion);
  // A fresh random 96-bit IV per message. NIST SP 800-38D allows 2^32 random-IV messages per key;
  // rotation (every key version is a new AES key) is how a busy key stays far below that.
  const iv = nextIv(GCM_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', requireSecretKey(key), iv, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(additionalData(header, context));
  const first = cipher.update(plaintext);
  const last = cipher.final();
  const body = last.length === 0 ? first : Buffer.concat([first, last]);
  return encodeCiphertext(header, iv, cipher.getAuthTag(), body);
}

function invalidCiphertext(cause?: unknown): LatchkeyError {
  return new LatchkeyError(
    'InvalidCiphertextException',
    'the ciphertext does not authenticate: it was tampered with, made under another key, or the encryption context differs',
    { cause },
  );
}

/** InvalidCiphertextException for a malformed blob or any authentication failure, including a wrong context. */
export function decryptSymmetric(key: LoadedKey, blob: Uint8Array, context: EncryptionContext): Uint8Array {
  requireFamily(key, ['aes'], 'decrypt with SYMMETRIC_DEFAULT');
  const secretKey = requireSecretKey(key);
  const parts = decodeCiphertext(blob);
  let plaintext: Buffer | undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretKey, parts.iv, { authTagLength: GCM_TAG_BYTES });
    decipher.setAuthTag(parts.tag);
    decipher.setAAD(additionalData(parts.header, context));
    plaintext = decipher.update(parts.body);
    decipher.final();
    return plaintext;
  } catch (error) {
    // GCM hands out plaintext before it checks the tag; scrub it so a forgery leaves nothing behind.
    plaintext?.fill(0);
    throw invalidCiphertext(error);
  }
}
