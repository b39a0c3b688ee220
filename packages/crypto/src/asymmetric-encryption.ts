/**
 * RSAES-OAEP as AWS KMS does it: RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256, where the named hash is
 * both the OAEP hash and the MGF1 hash (OpenSSL defaults MGF1 to the OAEP hash), empty label.
 */
import { constants, privateDecrypt, publicEncrypt } from 'node:crypto';
import { LatchkeyError, rsaOaepMaxPlaintextBytes, type EncryptionAlgorithm, type KeySpecInfo } from '@latchkey/core';
import { rsaBitsOf } from './spec-details.ts';
import { requireFamily, requirePrivateKey, requirePublicKey, type LoadedKey } from './loaded-key.ts';

const OAEP_HASH: Readonly<Partial<Record<EncryptionAlgorithm, 'sha1' | 'sha256'>>> = {
  RSAES_OAEP_SHA_1: 'sha1',
  RSAES_OAEP_SHA_256: 'sha256',
};

function oaepHash(key: LoadedKey, info: KeySpecInfo, algorithm: EncryptionAlgorithm): 'sha1' | 'sha256' {
  const hash = OAEP_HASH[algorithm];
  if (hash === undefined || !info.encryptionAlgorithms.includes(algorithm)) {
    throw new LatchkeyError('InvalidKeyUsageException', `encryption algorithm ${String(algorithm)} is not valid for a ${key.keySpec} key`);
  }
  return hash;
}

function modulusBytes(info: KeySpecInfo): number {
  return rsaBitsOf(info) / 8;
}

export function encryptRsaOaep(key: LoadedKey, algorithm: EncryptionAlgorithm, plaintext: Uint8Array): Uint8Array {
  const info = requireFamily(key, ['rsa'], 'encrypt with RSA-OAEP');
  const hash = oaepHash(key, info, algorithm);
  const max = rsaOaepMaxPlaintextBytes(rsaBitsOf(info), algorithm);
  if (plaintext.length > max) {
    throw new LatchkeyError('ValidationException', `plaintext is ${plaintext.length} bytes; ${algorithm} with a ${key.keySpec} key takes at most ${max}`);
  }
  return publicEncrypt({ key: requirePublicKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext);
}

/** InvalidCiphertextException for a ciphertext of the wrong length or one that does not decrypt. */
export function decryptRsaOaep(key: LoadedKey, algorithm: EncryptionAlgorithm, ciphertext: Uint8Array): Uint8Array {
  const info = requireFamily(key, ['rsa'], 'decrypt with RSA-OAEP');
  const hash = oaepHash(key, info, algorithm);
  const privateKey = requirePrivateKey(key, 'decrypt');
  if (ciphertext.length !== modulusBytes(info)) {
    throw new LatchkeyError('InvalidCiphertextException', `an ${algorithm} ciphertext under a ${key.keySpec} key is ${modulusBytes(info)} bytes`);
  }
  try {
    return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext);
  } catch {
    // One message and no cause for every failure: telling them apart would hand out a padding oracle (Manger's attack).
    throw new LatchkeyError('InvalidCiphertextException', 'the ciphertext does not decrypt under this key and algorithm');
  }
}
