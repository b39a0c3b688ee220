/**
 * Reads a message's frames in order, one at a time, for both the buffer and the stream decryptor.
 * It enforces what authentication alone would also catch but reports more clearly: frames come in
 * sequence from 1 with no gap or repeat, regular frames are full, and nothing follows the final frame.
 */
import { envelopeError } from './envelope-errors.ts';
import type { LatchkeyClientError } from '../client-error.ts';
import { openFrame } from './envelope-crypto.ts';
import { MAX_SEQUENCE, parseFrameHead, type FrameHead, type ParsedHeader } from './envelope-format.ts';
import type { KeyObject } from 'node:crypto';

export class FrameReader {
  readonly #header: ParsedHeader;
  #messageKey: KeyObject | null;
  #expected = 1;
  #done = false;

  constructor(header: ParsedHeader, messageKey: KeyObject) {
    this.#header = header;
    this.#messageKey = messageKey;
  }

  /** True once the final frame has been read and authenticated. */
  get done(): boolean {
    return this.#done;
  }

  /** The head of the next frame from its first bytes; null when more bytes are needed. */
  head(bytes: Buffer): FrameHead | null {
    if (this.#done) throw envelopeError(`${bytes.length} bytes follow the final frame`);
    const head = parseFrameHead(bytes, 0, this.#header.frameLength);
    if (head === null) return null;
    if (head.sequence !== this.#expected) {
      throw envelopeError(`frames out of order or missing: expected frame ${this.#expected}, found frame ${head.sequence}`);
    }
    // One encoding per message: an empty final frame only for an empty message.
    if (head.final && head.contentLength === 0 && head.sequence !== 1) throw envelopeError(`the final frame ${head.sequence} is empty`);
    if (!head.final && head.sequence === MAX_SEQUENCE) throw envelopeError('the message has more frames than the format allows');
    return head;
  }

  /** Authenticates and decrypts the frame `head` describes, given exactly its bytes. */
  open(head: FrameHead, frame: Buffer): Buffer {
    if (this.#messageKey === null) throw envelopeError('the message was already read to its end or abandoned');
    const plaintext = openFrame(this.#messageKey, this.#header.messageId, head, frame);
    this.#expected += 1;
    if (head.final) {
      this.#done = true;
      this.dispose();
    }
    return plaintext;
  }

  /** Drops the message key (a KeyObject cannot be wiped; dropping it lets its memory go). */
  dispose(): void {
    this.#messageKey = null;
  }
}

export function truncated(where: string): LatchkeyClientError {
  return envelopeError(`the message is truncated: it ends ${where}`);
}
