/** PEM for a DER SubjectPublicKeyInfo, as GetPublicKey and JWKS tooling want it. */
import { createPublicKey } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core';
import { asBuffer } from './bytes.ts';

export function publicKeyPem(spki: Uint8Array): string {
  try {
    return createPublicKey({ key: asBuffer(spki), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
  } catch (error) {
    throw new LatchkeyError('ValidationException', 'public key is not DER SubjectPublicKeyInfo', { cause: error });
  }
}
