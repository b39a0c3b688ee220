/** Material that leaves the service: data key pairs (GenerateDataKeyPair) for envelope encryption and signing. */
import { DATA_KEY_PAIR_SPECS, LatchkeyError, type DataKeyPairSpec } from '@latchkey/core';
import { generateKeyPairDer } from './key-material.ts';

/** A fresh pair: PKCS#8 DER private key and DER SubjectPublicKeyInfo public key. */
export function generateDataKeyPair(spec: DataKeyPairSpec): { privateKey: Uint8Array; publicKey: Uint8Array } {
  if (!DATA_KEY_PAIR_SPECS.includes(spec)) throw new LatchkeyError('ValidationException', `keyPairSpec ${String(spec)} is not supported`);
  return generateKeyPairDer(spec);
}
