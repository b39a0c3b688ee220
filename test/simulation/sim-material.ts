/**
 * Simulated key material and wrapping. A version's secret is a name (`materialId`), unique per
 * generation, so that two regions holding different secrets under the same version number are
 * caught. Wrapping tags the secret with the region it is wrapped for, standing in for encryption
 * under that region's transport public key: only that region's unwrap accepts it, and a checker can
 * tell whom a blob is for without any key, which is what makes leakage checkable.
 */
import { LatchkeyError } from '@latchkey/core';

export interface SimSecret {
  readonly keyId: string;
  readonly keyVersion: number;
  readonly materialId: string;
}

interface WrappedBlob extends SimSecret {
  readonly wrappedFor: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function wrapForRegion(secret: SimSecret, region: string): Uint8Array {
  const blob: WrappedBlob = { keyId: secret.keyId, keyVersion: secret.keyVersion, materialId: secret.materialId, wrappedFor: region };
  return encoder.encode(JSON.stringify(blob));
}

function readBlob(bytes: Uint8Array): WrappedBlob | null {
  try {
    const value = JSON.parse(decoder.decode(bytes)) as Partial<WrappedBlob>;
    if (typeof value.wrappedFor !== 'string' || typeof value.materialId !== 'string') return null;
    return value as WrappedBlob;
  } catch {
    return null;
  }
}

/** Whom a blob is wrapped for (what an observer with every region's private key could tell). */
export function wrappedForOf(bytes: Uint8Array): string | null {
  return readBlob(bytes)?.wrappedFor ?? null;
}

/** The material id inside a blob, for checkers that compare material across regions. */
export function materialIdOf(bytes: Uint8Array): string | null {
  return readBlob(bytes)?.materialId ?? null;
}

/** Unwraps as `region` would with its transport private key: anything wrapped for another region fails. */
export function unwrapAsRegion(bytes: Uint8Array, region: string, keyId: string, keyVersion: number): SimSecret {
  const blob = readBlob(bytes);
  if (blob === null || blob.wrappedFor !== region || blob.keyId !== keyId || blob.keyVersion !== keyVersion) {
    throw new LatchkeyError('KMSInternalException', `material for ${keyId} v${keyVersion} does not unwrap in ${region}`);
  }
  return { keyId: blob.keyId, keyVersion: blob.keyVersion, materialId: blob.materialId };
}
