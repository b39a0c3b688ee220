/**
 * Elliptic-curve point arithmetic in Jacobian coordinates, used only to verify prehashed ECDSA
 * signatures. Verification handles public values only, so BigInt's variable timing leaks nothing
 * secret here; signing never multiplies a secret scalar in JavaScript (see ecdsa-digest.ts).
 */
import { mod, modInversePrime } from './bigint-bytes.ts';
import type { CurveParams } from './ec-curves.ts';

/** A point (X, Y, Z) standing for (X/Z^2, Y/Z^3); Z = 0 is the point at infinity. */
interface JacobianPoint {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
}

export interface AffinePoint {
  readonly x: bigint;
  readonly y: bigint;
}

const INFINITY: JacobianPoint = { x: 1n, y: 1n, z: 0n };

export function isOnCurve(curve: CurveParams, point: AffinePoint): boolean {
  const { p, a, b } = curve;
  if (point.x < 0n || point.x >= p || point.y < 0n || point.y >= p) return false;
  return mod(point.y * point.y - (point.x * point.x * point.x + a * point.x + b), p) === 0n;
}

function double(curve: CurveParams, q: JacobianPoint): JacobianPoint {
  const { p, a } = curve;
  if (q.z === 0n || q.y === 0n) return INFINITY;
  const yy = mod(q.y * q.y, p);
  const zz = mod(q.z * q.z, p);
  const s = mod(4n * q.x * yy, p);
  const m = mod(3n * q.x * q.x + a * zz * zz, p);
  const x = mod(m * m - 2n * s, p);
  const y = mod(m * (s - x) - 8n * yy * yy, p);
  const z = mod(2n * q.y * q.z, p);
  return { x, y, z };
}

function add(curve: CurveParams, q1: JacobianPoint, q2: JacobianPoint): JacobianPoint {
  const { p } = curve;
  if (q1.z === 0n) return q2;
  if (q2.z === 0n) return q1;
  const z1z1 = mod(q1.z * q1.z, p);
  const z2z2 = mod(q2.z * q2.z, p);
  const u1 = mod(q1.x * z2z2, p);
  const u2 = mod(q2.x * z1z1, p);
  const s1 = mod(q1.y * q2.z * z2z2, p);
  const s2 = mod(q2.y * q1.z * z1z1, p);
  if (u1 === u2) return s1 === s2 ? double(curve, q1) : INFINITY;
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const v = mod(u1 * hh, p);
  const x = mod(r * r - hhh - 2n * v, p);
  const y = mod(r * (v - x) - s1 * hhh, p);
  const z = mod(q1.z * q2.z * h, p);
  return { x, y, z };
}

function toAffine(curve: CurveParams, q: JacobianPoint): AffinePoint | null {
  if (q.z === 0n) return null;
  const zInv = modInversePrime(q.z, curve.p);
  const zInv2 = mod(zInv * zInv, curve.p);
  return { x: mod(q.x * zInv2, curve.p), y: mod(q.y * zInv2 * zInv, curve.p) };
}

/**
 * u1*P + u2*Q in one pass (Shamir's trick); null for the point at infinity. Both scalars must be
 * public: the loop's branches follow their bits.
 */
export function linearCombination(curve: CurveParams, u1: bigint, p1: AffinePoint, u2: bigint, p2: AffinePoint): AffinePoint | null {
  const a: JacobianPoint = { x: p1.x, y: p1.y, z: 1n };
  const b: JacobianPoint = { x: p2.x, y: p2.y, z: 1n };
  const ab = add(curve, a, b);
  let acc = INFINITY;
  const bits = Math.max(u1.toString(2).length, u2.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    acc = double(curve, acc);
    const bit1 = (u1 >> BigInt(i)) & 1n;
    const bit2 = (u2 >> BigInt(i)) & 1n;
    if (bit1 && bit2) acc = add(curve, acc, ab);
    else if (bit1) acc = add(curve, acc, a);
    else if (bit2) acc = add(curve, acc, b);
  }
  return toAffine(curve, acc);
}

export function generator(curve: CurveParams): AffinePoint {
  return { x: curve.gx, y: curve.gy };
}
