/**
 * `--digest`: hash the message locally and send only the digest (messageType DIGEST). The message
 * then never leaves the machine and may exceed the node's 4 KiB message limit (build artifacts).
 * Only RSA and ECDSA algorithms sign a digest; Ed25519 and ML-DSA sign the message itself.
 */
import { createHash } from 'node:crypto';
import type { DigestHash } from './command.ts';

const DIGEST_ALGORITHM = /^(?:RSASSA_PSS|RSASSA_PKCS1_V1_5|ECDSA)_SHA_(256|384|512)$/;

/** The hash an algorithm signs with, or null when it cannot sign a digest. */
export function digestHashOf(signingAlgorithm: string): DigestHash | null {
  const bits = DIGEST_ALGORITHM.exec(signingAlgorithm)?.[1];
  return bits === undefined ? null : (`sha${bits}` as DigestHash);
}

export function digestOf(hash: DigestHash, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hash).update(message).digest());
}
