/**
 * The per-family details of core's KEY_SPEC_INFO (RSA size, curve, HMAC hash, ML-DSA set) are
 * optional in its type because each applies to one family. These accessors turn a missing detail
 * into an internal error instead of a silent default that would build the wrong key.
 */
import { LatchkeyError, type HashName, type KeySpecInfo } from '@latchkey/core';
import type { CurveName } from './ec-curves.ts';

function missing(detail: string, info: KeySpecInfo): LatchkeyError {
  return new LatchkeyError('KMSInternalException', `key spec table entry of family ${info.family} lacks ${detail}`);
}

export function rsaBitsOf(info: KeySpecInfo): number {
  if (info.rsaBits === undefined) throw missing('rsaBits', info);
  return info.rsaBits;
}

export function curveOf(info: KeySpecInfo): CurveName {
  if (info.curve === undefined) throw missing('curve', info);
  return info.curve;
}

export function hmacHashOf(info: KeySpecInfo): HashName {
  if (info.hmacHash === undefined) throw missing('hmacHash', info);
  return info.hmacHash;
}

export function mlDsaOf(info: KeySpecInfo): NonNullable<KeySpecInfo['mlDsa']> {
  if (info.mlDsa === undefined) throw missing('mlDsa', info);
  return info.mlDsa;
}
