/** HMAC generation and verification with GENERATE_VERIFY_MAC keys (RFC 2104, as AWS KMS GenerateMac). */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LatchkeyError, MAC_HASH, type HashName, type MacAlgorithm } from '@latchkey/core';
import { requireFamily, requireSecretKey, type LoadedKey } from './loaded-key.ts';

function macHash(key: LoadedKey, algorithm: MacAlgorithm): HashName {
  const info = requireFamily(key, ['hmac'], 'generate or verify MACs');
  if (!info.macAlgorithms.includes(algorithm)) {
    throw new LatchkeyError('InvalidKeyUsageException', `MAC algorithm ${String(algorithm)} is not valid for a ${key.keySpec} key; valid: ${info.macAlgorithms.join(', ')}`);
  }
  return MAC_HASH[algorithm];
}

export function generateMac(key: LoadedKey, algorithm: MacAlgorithm, message: Uint8Array): Uint8Array {
  return createHmac(macHash(key, algorithm), requireSecretKey(key)).update(message).digest();
}

/** Constant-time comparison; a MAC of the wrong length is simply false (the length is public). */
export function verifyMac(key: LoadedKey, algorithm: MacAlgorithm, message: Uint8Array, mac: Uint8Array): boolean {
  const expected = generateMac(key, algorithm, message);
  return mac.length === expected.length && timingSafeEqual(expected, mac);
}
