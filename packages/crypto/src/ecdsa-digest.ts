/**
 * ECDSA over a caller's precomputed digest (MessageType DIGEST). Node 24 cannot ECDSA-sign a digest
 * (crypto.sign always hashes; nodejs/node#62345 proposes crypto.signDigest), so the last scalar
 * step runs here in BigInt:
 *
 * - OpenSSL still makes the nonce: each signature generates a throwaway key pair on the curve, whose
 *   private scalar is k and whose public point is R = k*G. No point is ever multiplied by a secret
 *   in JavaScript.
 * - JavaScript computes s = k^-1 (z + r*d) mod n as (k*b)^-1 * (b*z + (b*r)*d) for a random b, so
 *   the inversion (Fermat, fixed public exponent) only ever sees the uniformly random k*b.
 *
 * BigInt is not constant-time, and d and k pass through the JS heap on this path (JWK export), where
 * they cannot be scrubbed. That is the price of DIGEST signing until Node ships signDigest; RAW
 * signing never takes this path. Verification uses public values only.
 */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core';
import { bitLength, bytesToBigInt, mod, modInversePrime } from './bigint-bytes.ts';
import type { CurveParams } from './ec-curves.ts';
import { generator, linearCombination, type AffinePoint } from './ec-point.ts';
import { decodeEcdsaSignature, encodeEcdsaSignature } from './ecdsa-der.ts';

function jwkNumber(value: string | undefined): bigint {
  if (value === undefined) throw new LatchkeyError('KMSInternalException', 'EC key export lacks a coordinate');
  return bytesToBigInt(Buffer.from(value, 'base64url'));
}

/** The leftmost bitlen(n) bits of the digest, as SEC 1 section 4.1.3 step 5 says. */
function digestToInteger(digest: Uint8Array, n: bigint): bigint {
  const z = bytesToBigInt(digest);
  const excessBits = digest.length * 8 - bitLength(n);
  return excessBits > 0 ? z >> BigInt(excessBits) : z;
}

/** Uniform in [1, n-1]: 64 extra random bits make the bias of the reduction negligible (FIPS 186-5 A.2.1). */
function randomScalar(curve: CurveParams): bigint {
  return mod(bytesToBigInt(randomBytes(curve.byteLength + 8)), curve.n - 1n) + 1n;
}

/** A fresh nonce k with R = k*G, both from OpenSSL's key generation. */
function nonce(curve: CurveParams): { k: bigint; rx: bigint } {
  const jwk = generateKeyPairSync('ec', { namedCurve: curve.name }).privateKey.export({ format: 'jwk' });
  return { k: jwkNumber(jwk.d), rx: jwkNumber(jwk.x) };
}

export function signEcdsaDigest(privateKey: KeyObject, curve: CurveParams, digest: Uint8Array): Uint8Array {
  const { n } = curve;
  const d = jwkNumber(privateKey.export({ format: 'jwk' }).d);
  const z = mod(digestToInteger(digest, n), n);
  for (;;) {
    const { k, rx } = nonce(curve);
    const r = mod(rx, n);
    if (r === 0n) continue;
    const b = randomScalar(curve);
    // s = (k*b)^-1 * (b*z + b*r*d) = k^-1 (z + r*d)
    const blindedInverse = modInversePrime(mod(k * b, n), n);
    const s = mod(blindedInverse * mod(b * z + mod(b * r, n) * d, n), n);
    if (s !== 0n) return encodeEcdsaSignature(r, s);
  }
}

function publicPoint(publicKey: KeyObject): AffinePoint {
  const jwk = publicKey.export({ format: 'jwk' });
  return { x: jwkNumber(jwk.x), y: jwkNumber(jwk.y) };
}

/** SEC 1 section 4.1.4; false for any malformed or out-of-range signature. */
export function verifyEcdsaDigest(publicKey: KeyObject, curve: CurveParams, digest: Uint8Array, signature: Uint8Array): boolean {
  const { n } = curve;
  const parsed = decodeEcdsaSignature(signature);
  if (parsed === null || parsed.r >= n || parsed.s >= n) return false;
  const w = modInversePrime(parsed.s, n);
  const z = digestToInteger(digest, n);
  const point = linearCombination(curve, mod(z * w, n), generator(curve), mod(parsed.r * w, n), publicPoint(publicKey));
  return point !== null && mod(point.x, n) === parsed.r;
}
