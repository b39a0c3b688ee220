/**
 * Big-endian bytes to and from BigInt, and the modular arithmetic the prehashed ECDSA code needs.
 * Only the prehashed (DIGEST) path uses these; every other operation stays inside OpenSSL.
 */
import { asBuffer } from './bytes.ts';

export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${asBuffer(bytes).toString('hex')}`);
}

/** Minimal big-endian encoding of a non-negative value (0 is one zero byte). */
export function bigIntToMinimalBytes(value: bigint): Uint8Array {
  const hex = value.toString(16);
  return Uint8Array.from(Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex'));
}

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Square-and-multiply; the exponent is always public here, so its bit pattern may show in timing. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = mod(base, modulus);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Inverse modulo a prime by Fermat's little theorem: a fixed, public exponent, no data-dependent branches on `a`. */
export function modInversePrime(a: bigint, prime: bigint): bigint {
  return modPow(a, prime - 2n, prime);
}

export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}
