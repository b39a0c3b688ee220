/**
 * Envelope encryption of whole buffers: one allocation for the message, frames sealed in place.
 * Decryption checks everything before it returns a byte: the expected context (if given), the
 * header tag, every frame's tag and order, the final frame, and that nothing trails it.
 */
import { invalidInput } from '../client-error.ts';
import { canonicalContext } from './canonical-context.ts';
import { envelopeError } from './envelope-errors.ts';
import { sealFrame } from './envelope-crypto.ts';
import { checkFrameLength, DEFAULT_FRAME_LENGTH, MAX_SEQUENCE, messageLength, parseHeader, type ParsedHeader } from './envelope-format.ts';
import type { DataKeySource } from './data-key-source.ts';
import { FrameReader, truncated } from './frame-reader.ts';
import type { EnvelopeDecryptOptions, EnvelopeDecryptOutput, EnvelopeEncryptOptions } from './envelope-types.ts';

function asBuffer(bytes: Uint8Array, name: string): Buffer {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export async function encryptEnvelope(
  source: DataKeySource, keyId: string, plaintext: Uint8Array, options: EnvelopeEncryptOptions, newMessageId: () => Buffer,
): Promise<Uint8Array> {
  const input = asBuffer(plaintext, 'plaintext');
  const frameLength = checkFrameLength(options.frameLength ?? DEFAULT_FRAME_LENGTH);
  const frames = Math.max(1, Math.ceil(input.length / frameLength));
  if (frames > MAX_SEQUENCE) throw invalidInput('the plaintext needs more frames than the format allows; use a larger frameLength');
  const messageId = newMessageId();
  const { messageKey, header } = await source.forEncrypt({ keyId, encryptionContext: options.encryptionContext, plaintextBytes: input.length, messageId, frameLength });
  const out = Buffer.allocUnsafe(messageLength(header.length, input.length, frameLength));
  let offset = header.copy(out, 0);
  for (let sequence = 1; sequence <= frames; sequence++) {
    const start = (sequence - 1) * frameLength;
    offset = sealFrame(messageKey, messageId, out, offset, sequence === frames, sequence, input.subarray(start, start + frameLength));
  }
  // Every byte of the unsafe allocation must have been written, or old memory would leak out.
  if (offset !== out.length) throw new RangeError(`envelope size mismatch: wrote ${offset} of ${out.length} bytes`);
  return out;
}

/** Refuses a message whose context is not the expected one, before any service call. */
export function checkExpectedContext(header: ParsedHeader, options: EnvelopeDecryptOptions): void {
  if (options.encryptionContext === undefined) return;
  if (!canonicalContext(options.encryptionContext).bytes.equals(header.contextBytes)) {
    throw envelopeError('the message\'s encryption context is not the expected one');
  }
}

export async function decryptEnvelope(source: DataKeySource, message: Uint8Array, options: EnvelopeDecryptOptions): Promise<EnvelopeDecryptOutput> {
  const bytes = asBuffer(message, 'message');
  const header = parseHeader(bytes);
  if (header === null) throw truncated('inside its header');
  checkExpectedContext(header, options);
  const messageKey = await source.forDecrypt(header);
  const reader = new FrameReader(header, messageKey);
  try {
    const plaintexts: Buffer[] = [];
    try {
      let offset = header.length;
      while (!reader.done) {
        if (offset === bytes.length) throw truncated(`before its final frame, after ${plaintexts.length} frames`);
        const head = reader.head(bytes.subarray(offset));
        if (head === null || bytes.length < offset + head.totalLength) throw truncated(`inside frame ${plaintexts.length + 1}`);
        plaintexts.push(reader.open(head, bytes.subarray(offset, offset + head.totalLength)));
        offset += head.totalLength;
      }
      if (offset !== bytes.length) throw envelopeError(`${bytes.length - offset} bytes follow the final frame`);
    } catch (error) {
      // Nothing of a message that failed its checks leaves this function, not even in memory we drop.
      for (const part of plaintexts) part.fill(0);
      throw error;
    }
    // A one-frame message (most small ones) needs no second copy of its plaintext.
    const plaintext = plaintexts.length === 1 ? plaintexts[0] as Buffer : Buffer.concat(plaintexts);
    return { plaintext, keyId: header.keyId, encryptionContext: header.encryptionContext, messageId: Buffer.from(header.messageId) };
  } finally {
    reader.dispose();
  }
}
