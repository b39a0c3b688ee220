/**
 * Failures of envelope decryption: one code, the one the service uses for the same thing
 * (InvalidCiphertextException: tampered, truncated, wrong context, not ours), and a message that
 * says which check failed, so that an operator can tell a truncated upload from a forged header.
 */
import { LatchkeyClientError } from '../client-error.ts';

export function envelopeError(message: string, cause?: unknown): LatchkeyClientError {
  return new LatchkeyClientError({
    code: 'InvalidCiphertextException', message: `envelope: ${message}`, status: null, requestId: null, indeterminate: false, cause,
  });
}
