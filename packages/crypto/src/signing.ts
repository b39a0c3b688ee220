/**
 * Sign and verify for every AWS KMS signing algorithm in core's KEY_SPEC_INFO. RAW messages go
 * straight to OpenSSL (crypto.sign/verify, which hash them). DIGEST messages are the hash already:
 * RSA signs them through rsa-digest.ts and ECDSA through ecdsa-digest.ts, and either way the
 * signature is the very one crypto.sign would make over the original message, so a signature made
 * from a digest verifies as RAW and the other way round.
 */
import { constants, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import {
  HASH_LENGTH_BYTES, KEY_SPEC_INFO, LatchkeyError, SIGNING_HASH,
  type HashName, type KeySpecInfo, type MessageType, type SigningAlgorithm,
} from '@latchkey/core';
import { CURVES, type CurveParams } from './ec-curves.ts';
import { signEcdsaDigest, verifyEcdsaDigest } from './ecdsa-digest.ts';
import { requirePrivateKey, requirePublicKey, type LoadedKey } from './loaded-key.ts';
import { curveOf, rsaBitsOf } from './spec-details.ts';
import { signRsaPkcs1Digest, signRsaPssDigest, verifyRsaPkcs1Digest, verifyRsaPssDigest } from './rsa-digest.ts';

type Scheme = 'rsa-pss' | 'rsa-pkcs1' | 'ecdsa' | 'pure';

const SCHEME: Readonly<Record<SigningAlgorithm, Scheme>> = {
  RSASSA_PSS_SHA_256: 'rsa-pss', RSASSA_PSS_SHA_384: 'rsa-pss', RSASSA_PSS_SHA_512: 'rsa-pss',
  RSASSA_PKCS1_V1_5_SHA_256: 'rsa-pkcs1', RSASSA_PKCS1_V1_5_SHA_384: 'rsa-pkcs1', RSASSA_PKCS1_V1_5_SHA_512: 'rsa-pkcs1',
  ECDSA_SHA_256: 'ecdsa', ECDSA_SHA_384: 'ecdsa', ECDSA_SHA_512: 'ecdsa',
  // Ed25519 and ML-DSA hash inside the scheme, so node:crypto takes no digest name for them.
  ED25519_SHA_512: 'pure',
  ML_DSA_SHAKE_256: 'pure',
};

interface SigningPlan {
  readonly info: KeySpecInfo;
  readonly scheme: Scheme;
  readonly hash: HashName | null;
}

/** The checks every sign and verify makes before touching the key. */
function plan(key: LoadedKey, algorithm: SigningAlgorithm, message: Uint8Array, messageType: MessageType): SigningPlan {
  const info = KEY_SPEC_INFO[key.keySpec];
  if (!info.signingAlgorithms.includes(algorithm)) {
    const valid = info.signingAlgorithms.length > 0 ? `; valid: ${info.signingAlgorithms.join(', ')}` : '';
    throw new LatchkeyError('InvalidKeyUsageException', `signing algorithm ${String(algorithm)} is not valid for a ${key.keySpec} key${valid}`);
  }
  const hash = SIGNING_HASH[algorithm];
  if (messageType === 'DIGEST') {
    if (hash === null) throw new LatchkeyError('ValidationException', `${algorithm} signs RAW messages only`);
    const length = HASH_LENGTH_BYTES[hash];
    if (message.length !== length) {
      throw new LatchkeyError('ValidationException', `a DIGEST message for ${algorithm} is a ${length}-byte ${hash} digest, got ${message.length} bytes`);
    }
  } else if (messageType !== 'RAW') {
    throw new LatchkeyError('ValidationException', `messageType must be RAW or DIGEST, got ${String(messageType)}`);
  }
  return { info, scheme: SCHEME[algorithm], hash };
}

/** PSS salt is as long as the hash, as AWS KMS makes it; verification insists on that length. */
function pssSaltLength(plan: SigningPlan): number {
  if (plan.hash === null) throw new LatchkeyError('KMSInternalException', 'RSASSA-PSS algorithm without a hash');
  return HASH_LENGTH_BYTES[plan.hash];
}

/** The key argument for crypto.sign/verify, carrying the algorithm's padding and encoding. */
function nodeKey(plan: SigningPlan, key: KeyObject) {
  switch (plan.scheme) {
    case 'rsa-pss': return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSaltLength(plan) };
    case 'rsa-pkcs1': return { key, padding: constants.RSA_PKCS1_PADDING };
    case 'ecdsa': return { key, dsaEncoding: 'der' as const };
    case 'pure': return { key };
  }
}

function curveParams(info: KeySpecInfo): CurveParams {
  return CURVES[curveOf(info)];
}

function signDigest(plan: SigningPlan, privateKey: KeyObject, hash: HashName, digest: Uint8Array): Uint8Array {
  switch (plan.scheme) {
    case 'rsa-pss': return signRsaPssDigest(privateKey, rsaBitsOf(plan.info), hash, digest);
    case 'rsa-pkcs1': return signRsaPkcs1Digest(privateKey, hash, digest);
    case 'ecdsa': return signEcdsaDigest(privateKey, curveParams(plan.info), digest);
    case 'pure': throw new LatchkeyError('ValidationException', 'this algorithm signs RAW messages only');
  }
}

function verifyDigest(plan: SigningPlan, publicKey: KeyObject, hash: HashName, digest: Uint8Array, signature: Uint8Array): boolean {
  switch (plan.scheme) {
    case 'rsa-pss': return verifyRsaPssDigest(publicKey, rsaBitsOf(plan.info), hash, digest, signature);
    case 'rsa-pkcs1': return verifyRsaPkcs1Digest(publicKey, rsaBitsOf(plan.info), hash, digest, signature);
    case 'ecdsa': return verifyEcdsaDigest(publicKey, curveParams(plan.info), digest, signature);
    case 'pure': return false;
  }
}

export function sign(key: LoadedKey, algorithm: SigningAlgorithm, message: Uint8Array, messageType: MessageType): Uint8Array {
  const p = plan(key, algorithm, message, messageType);
  const privateKey = requirePrivateKey(key, 'sign');
  if (messageType === 'DIGEST' && p.hash !== null) return signDigest(p, privateKey, p.hash, message);
  return nodeSign(p.hash, message, nodeKey(p, privateKey));
}

/** False for a signature that does not verify or is malformed; throws only for a wrong algorithm or message. */
export function verify(key: LoadedKey, algorithm: SigningAlgorithm, message: Uint8Array, messageType: MessageType, signature: Uint8Array): boolean {
  const p = plan(key, algorithm, message, messageType);
  const publicKey = requirePublicKey(key);
  if (messageType === 'DIGEST' && p.hash !== null) return verifyDigest(p, publicKey, p.hash, message, signature);
  try {
    return nodeVerify(p.hash, message, nodeKey(p, publicKey), signature);
  } catch {
    // OpenSSL rejects some malformed signatures by throwing instead of returning false.
    return false;
  }
}
