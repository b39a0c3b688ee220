/**
 * ECDH with a KEY_AGREEMENT key, as AWS KMS DeriveSharedSecret: the raw shared secret (the x
 * coordinate), which the caller feeds to its own KDF. OpenSSL checks while parsing the peer's SPKI
 * that the point lies on the named curve; every curve here has cofactor 1, so that check is what
 * defeats invalid-curve attacks.
 */
import { createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core';
import { asBuffer } from './bytes.ts';
import { curveOf } from './spec-details.ts';
import { requireFamily, requirePrivateKey, type LoadedKey } from './loaded-key.ts';

function peerKey(spki: Uint8Array, curve: string): KeyObject {
  let peer: KeyObject;
  try {
    peer = createPublicKey({ key: asBuffer(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new LatchkeyError('ValidationException', 'the peer public key is not a valid DER SubjectPublicKeyInfo EC key', { cause: error });
  }
  if (peer.asymmetricKeyType !== 'ec' || peer.asymmetricKeyDetails?.namedCurve !== curve) {
    throw new LatchkeyError('ValidationException', `the peer public key must be an EC key on ${curve}`);
  }
  return peer;
}

export function deriveSharedSecret(key: LoadedKey, peerPublicKeySpki: Uint8Array): Uint8Array {
  const info = requireFamily(key, ['ec'], 'derive shared secrets');
  const privateKey = requirePrivateKey(key, 'derive shared secrets');
  const publicKey = peerKey(peerPublicKeySpki, curveOf(info));
  try {
    return diffieHellman({ privateKey, publicKey });
  } catch (error) {
    throw new LatchkeyError('ValidationException', 'ECDH with the peer public key failed', { cause: error });
  }
}
