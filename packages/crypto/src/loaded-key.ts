/**
 * A key version ready for use: its material parsed into node:crypto KeyObjects once, so that the
 * hot path never parses DER or copies secrets again. The node caches one per (keyId, keyVersion).
 */
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { HASH_LENGTH_BYTES, KEY_SPEC_INFO, LatchkeyError, type HashName, type KeySpec, type KeySpecInfo } from '@latchkey/core';
import { asBuffer } from './bytes.ts';
import { hmacHashOf } from './spec-details.ts';

export interface LoadedKey {
  readonly keySpec: KeySpec;
  /** AES and HMAC keys. */
  readonly secretKey: KeyObject | null;
  /** Asymmetric keys; null in a verify-only key from loadPublicKey. */
  readonly privateKey: KeyObject | null;
  readonly publicKey: KeyObject | null;
}

export const AES_KEY_BYTES = 32;

/** HMAC block sizes: a longer key would be hashed down first, a shorter one is weaker than the MAC. */
const HMAC_BLOCK_BYTES: Readonly<Record<HashName, number>> = { sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

/** The lengths an HMAC key of this spec may have: from the hash output length up to the block size. */
export function hmacKeyBytesRange(hash: HashName): { min: number; max: number } {
  return { min: HASH_LENGTH_BYTES[hash], max: HMAC_BLOCK_BYTES[hash] };
}

function badMaterial(spec: KeySpec, why: string, cause?: unknown): LatchkeyError {
  // The message names the spec and the reason only: never a byte of the material.
  return new LatchkeyError('ValidationException', `key material is not a valid ${spec} key: ${why}`, { cause });
}

function matchesSpec(info: KeySpecInfo, key: KeyObject): boolean {
  const details = key.asymmetricKeyDetails;
  switch (info.family) {
    case 'rsa': return key.asymmetricKeyType === 'rsa' && details?.modulusLength === info.rsaBits;
    case 'ec': return key.asymmetricKeyType === 'ec' && details?.namedCurve === info.curve;
    case 'ed25519': return key.asymmetricKeyType === 'ed25519';
    case 'ml-dsa': return key.asymmetricKeyType === info.mlDsa;
    default: return false;
  }
}

function loadSecret(spec: KeySpec, info: KeySpecInfo, secret: Uint8Array): KeyObject {
  if (info.family === 'aes' && secret.length !== AES_KEY_BYTES) {
    throw badMaterial(spec, `an AES-256 key is ${AES_KEY_BYTES} bytes, got ${secret.length}`);
  }
  if (info.family === 'hmac') {
    const { min, max } = hmacKeyBytesRange(hmacHashOf(info));
    if (secret.length < min || secret.length > max) throw badMaterial(spec, `an HMAC key is ${min} to ${max} bytes, got ${secret.length}`);
  }
  return createSecretKey(secret);
}

function loadPrivate(spec: KeySpec, info: KeySpecInfo, pkcs8: Uint8Array): KeyObject {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: asBuffer(pkcs8), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw badMaterial(spec, 'not a PKCS#8 DER private key', error);
  }
  if (!matchesSpec(info, privateKey)) throw badMaterial(spec, 'the private key is of another type, size or curve');
  return privateKey;
}

/** Parses a version's secret (raw AES/HMAC bytes or PKCS#8 DER) into KeyObjects; ValidationException if it does not fit the spec. */
export function loadKey(spec: KeySpec, secret: Uint8Array): LoadedKey {
  const info = KEY_SPEC_INFO[spec];
  if (info === undefined) throw new LatchkeyError('ValidationException', `unknown key spec ${String(spec)}`);
  if (info.family === 'aes' || info.family === 'hmac') {
    return Object.freeze({ keySpec: spec, secretKey: loadSecret(spec, info, secret), privateKey: null, publicKey: null });
  }
  const privateKey = loadPrivate(spec, info, secret);
  return Object.freeze({ keySpec: spec, secretKey: null, privateKey, publicKey: createPublicKey(privateKey) });
}

/** A verify/encrypt-only key from DER SubjectPublicKeyInfo, for holders of the public half alone. */
export function loadPublicKey(spec: KeySpec, spki: Uint8Array): LoadedKey {
  const info = KEY_SPEC_INFO[spec];
  if (info === undefined || info.family === 'aes' || info.family === 'hmac') {
    throw new LatchkeyError('ValidationException', `a ${String(spec)} key has no public key`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: asBuffer(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new LatchkeyError('ValidationException', `public key is not DER SubjectPublicKeyInfo for ${spec}`, { cause: error });
  }
  if (!matchesSpec(info, publicKey)) throw new LatchkeyError('ValidationException', `public key is not a ${spec} key`);
  return Object.freeze({ keySpec: spec, secretKey: null, privateKey: null, publicKey });
}

/** Every operation checks the key's family first; using a key for what its spec cannot do is the caller's error. */
export function requireFamily(key: LoadedKey, families: readonly KeySpecInfo['family'][], operation: string): KeySpecInfo {
  const info = KEY_SPEC_INFO[key.keySpec];
  if (!families.includes(info.family)) {
    throw new LatchkeyError('InvalidKeyUsageException', `a ${key.keySpec} key cannot ${operation}`);
  }
  return info;
}

export function requireSecretKey(key: LoadedKey): KeyObject {
  if (key.secretKey === null) throw new LatchkeyError('KMSInternalException', `the loaded ${key.keySpec} key has no secret key`);
  return key.secretKey;
}

export function requirePrivateKey(key: LoadedKey, operation: string): KeyObject {
  if (key.privateKey === null) throw new LatchkeyError('UnsupportedOperationException', `only the public half of this ${key.keySpec} key is loaded, so it cannot ${operation}`);
  return key.privateKey;
}

export function requirePublicKey(key: LoadedKey): KeyObject {
  if (key.publicKey === null) throw new LatchkeyError('KMSInternalException', `the loaded ${key.keySpec} key has no public key`);
  return key.publicKey;
}
