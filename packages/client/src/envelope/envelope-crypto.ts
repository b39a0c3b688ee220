/**
 * The cryptography of the envelope format. A data key from the service is never used directly:
 * each message gets its own key, HKDF-SHA256 of the data key with the message's random 32-byte id
 * in the info, so that a data key reused through the cache never repeats a (key, nonce) pair, and
 * frame nonces can simply count frames. The header is authenticated by a tag that is HKDF-Expand of
 * the same extracted key over the header's bytes (an HMAC-SHA256 MAC under a key derived from the
 * data key), each frame by its own GCM tag with nonce = its sequence number and additional data
 * that binds the message id, the frame type (final or not), the sequence number and the length, so
 * that reordering, dropping, duplicating or truncating frames fails authentication.
 */
import { createCipheriv, createDecipheriv, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { envelopeError } from './envelope-errors.ts';
import { FRAME_FINAL, FRAME_REGULAR, MESSAGE_ID_BYTES, TAG_BYTES, type FrameHead } from './envelope-format.ts';

const GCM = 'aes-256-gcm';
const IV_BYTES = 12;
/** HKDF-Extract with no salt uses HashLen zero bytes (RFC 5869, 2.2). */
const NO_SALT = Buffer.alloc(32);
const INFO_LABEL = Buffer.from('latchkey/envelope/v1/message-key', 'ascii');
const HEADER_LABEL = Buffer.from('latchkey/envelope/v1/header-tag', 'ascii');
/** The counter byte of HKDF-Expand's first (and here only) block. */
const FIRST_BLOCK = Uint8Array.of(1);

/**
 * HKDF-Extract of the data key: the pseudorandom key every message key of this data key is
 * expanded from. Done once per data key, so a cached key costs one HMAC per message.
 */
export function extractKey(dataKey: Uint8Array): Buffer {
  return createHmac('sha256', NO_SALT).update(dataKey).digest();
}

/**
 * HKDF-Expand(prk, info = label | algorithmId | messageId, 32 bytes): a single HMAC block. Keys
 * are KeyObjects because node:crypto imports a Buffer key anew on every use, which costs more than
 * encrypting a small frame; the clear bytes of the message key are zeroed as soon as it is imported.
 */
export function deriveMessageKey(prk: KeyObject, algorithmId: number, messageId: Uint8Array): KeyObject {
  const bytes = createHmac('sha256', prk).update(INFO_LABEL).update(Uint8Array.of(algorithmId)).update(messageId).update(FIRST_BLOCK).digest();
  try {
    return createSecretKey(bytes);
  } finally {
    bytes.fill(0);
  }
}

/**
 * HKDF-Expand(prk, info = "latchkey/envelope/v1/header-tag" | header bytes before the tag, 16): a
 * MAC of the header under the extracted data key. An HMAC rather than a GCM tag, because node:crypto
 * sets up a cipher at several times the cost of an HMAC, and the header is authenticated per message.
 */
export function headerTag(prk: KeyObject, authenticated: Uint8Array): Buffer {
  return createHmac('sha256', prk).update(HEADER_LABEL).update(authenticated).update(FIRST_BLOCK).digest().subarray(0, TAG_BYTES);
}

export function verifyHeader(prk: KeyObject, authenticated: Uint8Array, tag: Uint8Array): void {
  const expected = headerTag(prk, authenticated);
  if (tag.length !== TAG_BYTES || !timingSafeEqual(expected, tag)) {
    throw envelopeError('header authentication failed: the header (key id, encryption context, wrapped key, frame length or message id) was altered');
  }
}

function frameIv(sequence: number): Buffer {
  const iv = Buffer.alloc(IV_BYTES);
  iv.writeUInt32BE(sequence, IV_BYTES - 4);
  return iv;
}

function frameAad(messageId: Uint8Array, final: boolean, sequence: number, contentLength: number): Buffer {
  const aad = Buffer.allocUnsafe(MESSAGE_ID_BYTES + 9);
  aad.set(messageId, 0);
  aad[MESSAGE_ID_BYTES] = final ? FRAME_FINAL : FRAME_REGULAR;
  aad.writeUInt32BE(sequence, MESSAGE_ID_BYTES + 1);
  aad.writeUInt32BE(contentLength, MESSAGE_ID_BYTES + 5);
  return aad;
}

/** Writes one frame (head, ciphertext, tag) into `out` at `offset`; returns the offset after it. */
export function sealFrame(
  messageKey: KeyObject, messageId: Uint8Array, out: Buffer, offset: number, final: boolean, sequence: number, plaintext: Uint8Array,
): number {
  let at = offset;
  out[at] = final ? FRAME_FINAL : FRAME_REGULAR;
  out.writeUInt32BE(sequence, at + 1);
  at += 5;
  if (final) {
    out.writeUInt32BE(plaintext.length, at);
    at += 4;
  }
  const cipher = createCipheriv(GCM, messageKey, frameIv(sequence), { authTagLength: TAG_BYTES });
  cipher.setAAD(frameAad(messageId, final, sequence, plaintext.length));
  at += cipher.update(plaintext).copy(out, at);
  at += cipher.final().copy(out, at);
  return at + cipher.getAuthTag().copy(out, at);
}

/** Decrypts and authenticates one frame whose bytes (head included) are `frame`. */
export function openFrame(messageKey: KeyObject, messageId: Uint8Array, head: FrameHead, frame: Buffer): Buffer {
  const bodyEnd = head.headLength + head.contentLength;
  const decipher = createDecipheriv(GCM, messageKey, frameIv(head.sequence), { authTagLength: TAG_BYTES });
  decipher.setAAD(frameAad(messageId, head.final, head.sequence, head.contentLength));
  decipher.setAuthTag(frame.subarray(bodyEnd, bodyEnd + TAG_BYTES));
  const plaintext = decipher.update(frame.subarray(head.headLength, bodyEnd));
  try {
    decipher.final();
  } catch (error) {
    plaintext.fill(0);
    throw envelopeError(`frame ${head.sequence}${head.final ? ' (final)' : ''} failed authentication: its bytes were altered or it belongs to another message`, error);
  }
  return plaintext;
}
