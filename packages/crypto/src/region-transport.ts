/**
 * Region transport and signing keys. Material for a key version travels between regions wrapped
 * once per allowed region under that region's X25519 transport public key (ECIES: an ephemeral
 * X25519 agreement, HKDF-SHA256, AES-256-GCM), so only that region can unwrap it. Every
 * replicated change is signed with the origin region's Ed25519 signing key. Both public keys are
 * pinned in the cluster configuration; nothing learned from the network is trusted.
 *
 * Wrapped form: formatVersion (1) | ephemeral public key (32, raw X25519) | iv (12) | tag (16) | ciphertext.
 */
import {
  createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes,
  sign as edSign, verify as edVerify, type KeyObject,
} from 'node:crypto';
import { LatchkeyError } from '@latchkey/core';

const FORMAT_VERSION = 1;
const RAW_X25519_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + RAW_X25519_BYTES + IV_BYTES + TAG_BYTES;
/** DER SPKI prefix of an X25519 public key: the raw 32 bytes follow it. */
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

export interface RegionIdentityMaterial {
  readonly transportPrivateKey: Uint8Array;
  readonly transportPublicKey: Uint8Array;
  readonly signingPrivateKey: Uint8Array;
  readonly signingPublicKey: Uint8Array;
}

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A deterministic identity from two 32-byte seeds (derived from the root key): same seeds, same keys. */
export function regionIdentityFromSeeds(transportSeed: Uint8Array, signingSeed: Uint8Array): RegionIdentityMaterial {
  const transportPrivate = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, transportSeed]), format: 'der', type: 'pkcs8' });
  const signingPrivate = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, signingSeed]), format: 'der', type: 'pkcs8' });
  return {
    transportPrivateKey: transportPrivate.export({ format: 'der', type: 'pkcs8' }),
    transportPublicKey: createPublicKey(transportPrivate).export({ format: 'der', type: 'spki' }),
    signingPrivateKey: signingPrivate.export({ format: 'der', type: 'pkcs8' }),
    signingPublicKey: createPublicKey(signingPrivate).export({ format: 'der', type: 'spki' }),
  };
}

/** A fresh identity: X25519 transport pair and Ed25519 signing pair, DER (PKCS#8 / SPKI). */
export function generateRegionIdentity(): RegionIdentityMaterial {
  const transport = generateKeyPairSync('x25519');
  const signing = generateKeyPairSync('ed25519');
  return {
    transportPrivateKey: transport.privateKey.export({ format: 'der', type: 'pkcs8' }),
    transportPublicKey: transport.publicKey.export({ format: 'der', type: 'spki' }),
    signingPrivateKey: signing.privateKey.export({ format: 'der', type: 'pkcs8' }),
    signingPublicKey: signing.publicKey.export({ format: 'der', type: 'spki' }),
  };
}

function publicKeyOf(spki: Uint8Array, type: 'x25519' | 'ed25519', what: string): KeyObject {
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== type) throw new LatchkeyError('ValidationException', `${what} is not an ${type} public key`);
    return key;
  } catch (cause) {
    if (cause instanceof LatchkeyError) throw cause;
    throw new LatchkeyError('ValidationException', `${what} is not a DER SubjectPublicKeyInfo`, { cause });
  }
}

export function privateKeyOf(pkcs8: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
}

export function transportPublicKeyOf(spki: Uint8Array): KeyObject {
  return publicKeyOf(spki, 'x25519', 'transport public key');
}

export function signingPublicKeyOf(spki: Uint8Array): KeyObject {
  return publicKeyOf(spki, 'ed25519', 'signing public key');
}

function derivedKey(shared: Buffer, ephemeralRaw: Buffer, recipientRaw: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeralRaw, recipientRaw]), 'latchkey/transport/v1', 32));
}

function rawX25519(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(X25519_SPKI_PREFIX.length);
}

/** Wraps a secret for one region; `aad` binds it to key, version and region. */
export function wrapForRegion(recipient: KeyObject, secret: Uint8Array, aad: Uint8Array): Uint8Array {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralRaw = rawX25519(ephemeral.publicKey);
  const key = derivedKey(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient }), ephemeralRaw, rawX25519(recipient));
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.concat([Uint8Array.of(FORMAT_VERSION), aad]));
  const body = Buffer.concat([cipher.update(secret), cipher.final()]);
  key.fill(0);
  return Buffer.concat([Uint8Array.of(FORMAT_VERSION), ephemeralRaw, iv, cipher.getAuthTag(), body]);
}

/** Unwraps a secret wrapped for this region; KMSInternalException if it does not authenticate. */
export function unwrapForRegion(own: KeyObject, wrapped: Uint8Array, aad: Uint8Array): Uint8Array {
  const bytes = Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.byteLength);
  if (bytes.length < HEADER_BYTES || bytes[0] !== FORMAT_VERSION) {
    throw new LatchkeyError('KMSInternalException', 'transport-wrapped material is malformed');
  }
  const ephemeralRaw = bytes.subarray(1, 1 + RAW_X25519_BYTES);
  const iv = bytes.subarray(1 + RAW_X25519_BYTES, 1 + RAW_X25519_BYTES + IV_BYTES);
  const tag = bytes.subarray(HEADER_BYTES - TAG_BYTES, HEADER_BYTES);
  try {
    const ephemeral = createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, ephemeralRaw]), format: 'der', type: 'spki' });
    const key = derivedKey(diffieHellman({ privateKey: own, publicKey: ephemeral }), Buffer.from(ephemeralRaw), rawX25519(createPublicKey(own)));
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.concat([Uint8Array.of(FORMAT_VERSION), aad]));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]);
    key.fill(0);
    return plain;
  } catch (cause) {
    throw new LatchkeyError('KMSInternalException', 'transport-wrapped material does not authenticate for this region', { cause });
  }
}

export function signBytes(signingPrivate: KeyObject, data: Uint8Array): Uint8Array {
  return edSign(null, data, signingPrivate);
}

export function verifyBytes(signingPublic: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return edVerify(null, data, signingPublic, signature);
  } catch {
    return false;
  }
}

export function transportAad(keyId: string, keyVersion: number, region: string): Uint8Array {
  return Buffer.from(`latchkey/transport/v1/${keyId}/${keyVersion}/${region}`);
}
