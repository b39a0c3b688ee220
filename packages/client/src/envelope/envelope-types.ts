/** Inputs and answers of envelope encryption (docs/envelope-format.md). */
import type { EncryptionContext } from '@latchkey/core';

export interface EnvelopeEncryptOptions {
  /** Bound to the data key by the service and written in the header; decryption needs the same. */
  readonly encryptionContext?: EncryptionContext;
  /** Plaintext bytes per frame, 1 to 4 MiB; default 64 KiB. A streaming decryptor holds one frame at a time. */
  readonly frameLength?: number;
}

export interface EnvelopeStreamOptions extends EnvelopeEncryptOptions {
  /**
   * The total plaintext length, when known in advance. With it, a stream may use a cached data key
   * (and fails if more bytes arrive); without it, each stream gets a data key of its own.
   */
  readonly plaintextLength?: number;
}

export interface EnvelopeDecryptOptions {
  /** When given, the message's encryption context must be exactly this; checked before any service call. */
  readonly encryptionContext?: EncryptionContext;
}

export interface EnvelopeHeaderInfo {
  /** The service key whose data key encrypted the message. */
  readonly keyId: string;
  readonly encryptionContext: EncryptionContext;
  readonly messageId: Uint8Array;
}

export interface EnvelopeDecryptOutput extends EnvelopeHeaderInfo {
  readonly plaintext: Uint8Array;
}
