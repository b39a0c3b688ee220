/**
 * Fresh key material for a key version. Secrets come from node:crypto's CSPRNG only: this package
 * never accepts an injected random source for key material, so a seeded test random cannot leak
 * into production keys.
 */
import { generateKeyPairSync, randomBytes, type KeyPairKeyObjectResult } from 'node:crypto';
import { HASH_LENGTH_BYTES, KEY_SPEC_INFO, LatchkeyError, type KeySpec, type KeySpecInfo } from '@latchkey/core';
import { AES_KEY_BYTES } from './loaded-key.ts';
import { curveOf, hmacHashOf, mlDsaOf, rsaBitsOf } from './spec-details.ts';

export interface GeneratedMaterial {
  /** Raw AES or HMAC key bytes, or the PKCS#8 DER private key. The caller wraps it and zeroes it. */
  readonly secret: Uint8Array;
  /** DER SubjectPublicKeyInfo for asymmetric keys, null for symmetric ones. */
  readonly publicKey: Uint8Array | null;
}

function generatePair(spec: KeySpec, info: KeySpecInfo): KeyPairKeyObjectResult {
  switch (info.family) {
    case 'rsa': return generateKeyPairSync('rsa', { modulusLength: rsaBitsOf(info), publicExponent: 0x10001 });
    case 'ec': return generateKeyPairSync('ec', { namedCurve: curveOf(info) });
    case 'ed25519': return generateKeyPairSync('ed25519');
    case 'ml-dsa': return generateKeyPairSync(mlDsaOf(info));
    default: throw new LatchkeyError('KMSInternalException', `${spec} is not an asymmetric key spec`);
  }
}

/** A new asymmetric pair as DER: PKCS#8 private key and SubjectPublicKeyInfo public key. */
export function generateKeyPairDer(spec: KeySpec): { privateKey: Buffer; publicKey: Buffer } {
  const pair = generatePair(spec, KEY_SPEC_INFO[spec]);
  return {
    privateKey: pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
    publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }),
  };
}

/**
 * HMAC keys are as long as the hash output, as AWS KMS makes them (HMAC_224: 28 bytes ...
 * HMAC_512: 64 bytes); RFC 2104 asks for at least that much.
 */
export function generateKeyMaterial(spec: KeySpec): GeneratedMaterial {
  const info = KEY_SPEC_INFO[spec];
  if (info === undefined) throw new LatchkeyError('ValidationException', `unknown key spec ${String(spec)}`);
  if (info.family === 'aes') return { secret: randomBytes(AES_KEY_BYTES), publicKey: null };
  if (info.family === 'hmac') return { secret: randomBytes(HASH_LENGTH_BYTES[hmacHashOf(info)]), publicKey: null };
  const pair = generateKeyPairDer(spec);
  return { secret: pair.privateKey, publicKey: pair.publicKey };
}
