/**
 * RSA signatures over a caller's precomputed digest (MessageType DIGEST). Node 24 has no sign-a-digest
 * call, so the padding is built here and the private-key operation is OpenSSL's raw RSA
 * (privateEncrypt), which keeps its blinding and constant-time arithmetic. The result is the same
 * signature that crypto.sign would make over the original message.
 */
import { constants, privateEncrypt, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { LatchkeyError, type HashName } from '@latchkey/core';
import { emsaPssEncode, emsaPssVerify } from './emsa-pss.ts';

/** DER of DigestInfo up to the digest bytes (RFC 8017 section 9.2, note 1). */
const DIGEST_INFO_PREFIX: Readonly<Partial<Record<HashName, Buffer>>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

function digestInfo(hash: HashName, digest: Uint8Array): Buffer {
  const prefix = DIGEST_INFO_PREFIX[hash];
  if (prefix === undefined) throw new LatchkeyError('KMSInternalException', `no DigestInfo for ${hash}`);
  return Buffer.concat([prefix, digest]);
}

/** RSASSA-PKCS1-v1_5: OpenSSL's PKCS#1 type 1 padding around DigestInfo || digest. */
export function signRsaPkcs1Digest(privateKey: KeyObject, hash: HashName, digest: Uint8Array): Uint8Array {
  return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, digest));
}

/** Compares the whole recovered block with the expected one rather than parsing it (no Bleichenbacher-2006 forgeries). */
export function verifyRsaPkcs1Digest(publicKey: KeyObject, modulusBits: number, hash: HashName, digest: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== Math.ceil(modulusBits / 8)) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  const expected = digestInfo(hash, digest);
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

/** RSASSA-PSS: EMSA-PSS encoded here, then the raw private-key operation. */
export function signRsaPssDigest(privateKey: KeyObject, modulusBits: number, hash: HashName, digest: Uint8Array): Uint8Array {
  const modulusBytes = Math.ceil(modulusBits / 8);
  const em = emsaPssEncode(hash, digest, modulusBits - 1);
  // The encoded message has emBits = modBits - 1, so it may be one byte short of the modulus.
  const block = Buffer.alloc(modulusBytes);
  block.set(em, modulusBytes - em.length);
  return privateEncrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, block);
}

export function verifyRsaPssDigest(publicKey: KeyObject, modulusBits: number, hash: HashName, digest: Uint8Array, signature: Uint8Array): boolean {
  const modulusBytes = Math.ceil(modulusBits / 8);
  if (signature.length !== modulusBytes) return false;
  let block: Buffer;
  try {
    block = publicDecrypt({ key: publicKey, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const emLength = Math.ceil((modulusBits - 1) / 8);
  const leading = block.subarray(0, block.length - emLength);
  if (leading.some((byte) => byte !== 0)) return false;
  return emsaPssVerify(hash, digest, block.subarray(block.length - emLength), modulusBits - 1);
}
