/**
 * EMSA-PSS encoding and verification (RFC 8017 section 9.1) with MGF1 over the same hash and a salt
 * as long as the hash, which is what AWS KMS's RSASSA_PSS_* algorithms use. Node can only PSS-sign
 * a message it hashes itself; encoding here lets us sign a caller's precomputed digest with a raw
 * RSA private-key operation that stays inside OpenSSL.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HASH_LENGTH_BYTES, LatchkeyError, type HashName } from '@latchkey/core';

function mgf1(hash: HashName, seed: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let produced = 0, i = 0; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(seed).update(counter).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function saltedHash(hash: HashName, digest: Uint8Array, salt: Uint8Array): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
}

/** Bits above emBits in the first byte must be zero, so the encoded integer stays below the modulus. */
function topMask(emLength: number, emBits: number): number {
  return 0xff >>> (8 * emLength - emBits);
}

export function emsaPssEncode(hash: HashName, digest: Uint8Array, emBits: number): Buffer {
  const hashLength = HASH_LENGTH_BYTES[hash];
  const emLength = Math.ceil(emBits / 8);
  if (emLength < 2 * hashLength + 2) throw new LatchkeyError('KMSInternalException', `an RSA modulus of ${emBits + 1} bits is too small for PSS with ${hash}`);
  const salt = randomBytes(hashLength);
  const h = saltedHash(hash, digest, salt);
  const db = Buffer.alloc(emLength - hashLength - 1);
  db[db.length - hashLength - 1] = 0x01;
  db.set(salt, db.length - hashLength);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & topMask(emLength, emBits);
  return Buffer.concat([db, h, Uint8Array.of(0xbc)]);
}

export function emsaPssVerify(hash: HashName, digest: Uint8Array, em: Uint8Array, emBits: number): boolean {
  const hashLength = HASH_LENGTH_BYTES[hash];
  const emLength = Math.ceil(emBits / 8);
  if (em.length !== emLength || emLength < 2 * hashLength + 2 || em[emLength - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLength - hashLength - 1);
  const h = em.subarray(emLength - hashLength - 1, emLength - 1);
  if (((maskedDb[0] ?? 0) & ~topMask(emLength, emBits)) !== 0) return false;
  const mask = mgf1(hash, h, maskedDb.length);
  const db = Buffer.alloc(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = (maskedDb[i] ?? 0) ^ (mask[i] ?? 0);
  db[0] = (db[0] ?? 0) & topMask(emLength, emBits);
  const separator = db.length - hashLength - 1;
  for (let i = 0; i < separator; i++) if (db[i] !== 0) return false;
  if (db[separator] !== 0x01) return false;
  const expected = saltedHash(hash, digest, db.subarray(separator + 1));
  return timingSafeEqual(expected, h);
}
