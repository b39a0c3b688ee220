/**
 * The envelope message format, version 1 (docs/envelope-format.md is the reference): the byte
 * layout of the header and of frame heads, and their strict parsing. No cryptography here; see
 * envelope-crypto.ts. Parsers answer `null` when more bytes are needed (streams feed them piece by
 * piece) and throw when the bytes cannot be a valid message, so nothing malformed is half-read.
 *
 *   header: magic "LKEV" | formatVersion u8 | algorithmId u8 | messageId 32 | frameLength u32 |
 *           keyId u16-len | encryptionContext u16-len (canonical) | wrappedDataKey u16-len | headerTag 16
 *   frame:  type u8 (0 regular, 1 final) | sequence u32 | [final: contentLength u32] | ciphertext | tag 16
 */
import { encodeEncryptionContext, type EncryptionContext } from '@latchkey/core';
import { invalidInput } from '../client-error.ts';
import { envelopeError } from './envelope-errors.ts';

export const MAGIC = Buffer.from('LKEV', 'latin1');
export const FORMAT_VERSION = 1;
/** AES-256-GCM frames; per-message key and header tag by HKDF-SHA256 from the data key. */
export const ALGORITHM_AES_256_GCM_HKDF_SHA256 = 1;
export const MESSAGE_ID_BYTES = 32;
export const TAG_BYTES = 16;
export const DEFAULT_FRAME_LENGTH = 64 * 1024;
/** Also the most a streaming decryptor buffers, so a hostile header cannot make it hold more. */
export const MAX_FRAME_LENGTH = 4 * 1024 * 1024;
export const MAX_SEQUENCE = 0xffff_ffff;
export const FIXED_HEADER_BYTES = 4 + 1 + 1 + MESSAGE_ID_BYTES + 4;
export const FRAME_REGULAR = 0;
export const FRAME_FINAL = 1;
export const REGULAR_FRAME_OVERHEAD = 1 + 4 + TAG_BYTES;
export const FINAL_FRAME_OVERHEAD = 1 + 4 + 4 + TAG_BYTES;

const MAX_U16 = 0xffff;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function checkFrameLength(frameLength: number): number {
  if (!Number.isSafeInteger(frameLength) || frameLength < 1 || frameLength > MAX_FRAME_LENGTH) {
    throw invalidInput(`frameLength must be an integer from 1 to ${MAX_FRAME_LENGTH}`);
  }
  return frameLength;
}

function lengthPrefixed(field: string, bytes: Uint8Array): Buffer {
  if (bytes.length > MAX_U16) throw envelopeError(`${field} of ${bytes.length} bytes does not fit the envelope header`);
  const out = Buffer.allocUnsafe(2 + bytes.length);
  out.writeUInt16BE(bytes.length, 0);
  out.set(bytes, 2);
  return out;
}

/** The part of the header that is the same for every message under one data key: computed once per key. */
export function encodeHeaderBody(keyId: string, contextBytes: Uint8Array, wrappedKey: Uint8Array): Buffer {
  return Buffer.concat([lengthPrefixed('keyId', Buffer.from(keyId, 'utf8')), lengthPrefixed('encryption context', contextBytes), lengthPrefixed('wrapped data key', wrappedKey)]);
}

/** Writes the header up to (not including) its tag at the start of `out`; returns where the tag goes. */
export function writeHeader(out: Buffer, messageId: Uint8Array, frameLength: number, body: Buffer): number {
  MAGIC.copy(out, 0);
  out[4] = FORMAT_VERSION;
  out[5] = ALGORITHM_AES_256_GCM_HKDF_SHA256;
  out.set(messageId, 6);
  out.writeUInt32BE(frameLength, 6 + MESSAGE_ID_BYTES);
  body.copy(out, FIXED_HEADER_BYTES);
  return FIXED_HEADER_BYTES + body.length;
}

export interface ParsedHeader {
  readonly messageId: Buffer;
  readonly frameLength: number;
  readonly keyId: string;
  readonly contextBytes: Buffer;
  readonly encryptionContext: EncryptionContext;
  readonly wrappedKey: Buffer;
  /** The header bytes its tag authenticates (everything before the tag). */
  readonly authenticated: Buffer;
  readonly tag: Buffer;
  /** Bytes of the whole header, tag included. */
  readonly length: number;
}

/** Reads a u16-length-prefixed field at `offset`; null when the bytes end first. */
function readField(bytes: Buffer, offset: number): { value: Buffer; end: number } | null {
  if (bytes.length < offset + 2) return null;
  const end = offset + 2 + bytes.readUInt16BE(offset);
  return bytes.length < end ? null : { value: bytes.subarray(offset + 2, end), end };
}

function checkPrologue(bytes: Buffer): void {
  const seen = Math.min(bytes.length, 4);
  if (!bytes.subarray(0, seen).equals(MAGIC.subarray(0, seen))) throw envelopeError('not a Latchkey envelope message (bad magic bytes)');
  if (bytes.length > 4 && bytes[4] !== FORMAT_VERSION) throw envelopeError(`unsupported envelope format version ${bytes[4]}`);
  if (bytes.length > 5 && bytes[5] !== ALGORITHM_AES_256_GCM_HKDF_SHA256) throw envelopeError(`unsupported envelope algorithm id ${bytes[5]}`);
}

/** The header at the start of `bytes`, or null when it is not complete yet. */
export function parseHeader(bytes: Buffer): ParsedHeader | null {
  checkPrologue(bytes);
  if (bytes.length < FIXED_HEADER_BYTES) return null;
  const frameLength = bytes.readUInt32BE(6 + MESSAGE_ID_BYTES);
  if (frameLength < 1 || frameLength > MAX_FRAME_LENGTH) throw envelopeError(`frame length ${frameLength} is out of range`);
  const keyId = readField(bytes, FIXED_HEADER_BYTES);
  const context = keyId && readField(bytes, keyId.end);
  const wrapped = context && readField(bytes, context.end);
  if (!keyId || !context || !wrapped || bytes.length < wrapped.end + TAG_BYTES) return null;
  if (keyId.value.length === 0 || wrapped.value.length === 0) throw envelopeError('the header names no key or carries no wrapped data key');
  return {
    messageId: bytes.subarray(6, 6 + MESSAGE_ID_BYTES),
    frameLength,
    keyId: decodeText(keyId.value, 'key id'),
    contextBytes: context.value,
    encryptionContext: decodeEncryptionContext(context.value),
    wrappedKey: wrapped.value,
    authenticated: bytes.subarray(0, wrapped.end),
    tag: bytes.subarray(wrapped.end, wrapped.end + TAG_BYTES),
    length: wrapped.end + TAG_BYTES,
  };
}

function decodeText(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw envelopeError(`the header's ${what} is not UTF-8`);
  }
}

/**
 * Recently decoded contexts, by their bytes: a service decrypts messages of a handful of contexts
 * over and over, and decoding (with its canonical re-encoding check) costs as much as a small frame.
 * The objects are frozen, so one caller cannot change what another receives.
 */
const decodedContexts = new Map<string, EncryptionContext>();
const DECODED_CONTEXTS_MAX = 256;

export function decodeEncryptionContext(bytes: Buffer): EncryptionContext {
  const id = bytes.toString('latin1');
  const known = decodedContexts.get(id);
  if (known !== undefined) return known;
  const context = Object.freeze(decodeCanonicalContext(bytes));
  if (decodedContexts.size >= DECODED_CONTEXTS_MAX) decodedContexts.delete(decodedContexts.keys().next().value as string);
  decodedContexts.set(id, context);
  return context;
}

/** Inverse of core's canonical encoding; anything but the canonical form of some context is refused. */
function decodeCanonicalContext(bytes: Buffer): EncryptionContext {
  const bad = () => envelopeError('the header\'s encryption context is malformed');
  if (bytes.length < 2) throw bad();
  const pairs: [string, string][] = [];
  let offset = 2;
  for (let i = 0; i < bytes.readUInt16BE(0); i++) {
    const key = readField(bytes, offset);
    const value = key && readField(bytes, key.end);
    if (!key || !value) throw bad();
    pairs.push([decodeText(key.value, 'encryption context'), decodeText(value.value, 'encryption context')]);
    offset = value.end;
  }
  const context: EncryptionContext = Object.fromEntries(pairs);
  // Sorted, unique keys and no trailing bytes: exactly one encoding per context, as the service binds it.
  if (offset !== bytes.length || !Buffer.from(encodeEncryptionContext(context)).equals(bytes)) throw bad();
  return context;
}

export interface FrameHead {
  readonly final: boolean;
  readonly sequence: number;
  readonly contentLength: number;
  /** Bytes before the ciphertext. */
  readonly headLength: number;
  /** Bytes of the whole frame, tag included. */
  readonly totalLength: number;
}

/** The frame starting at `offset`; null when its head is not complete yet (the body may still be missing). */
export function parseFrameHead(bytes: Buffer, offset: number, frameLength: number): FrameHead | null {
  if (bytes.length < offset + 5) return null;
  const type = bytes[offset];
  const sequence = bytes.readUInt32BE(offset + 1);
  if (type === FRAME_REGULAR) {
    return { final: false, sequence, contentLength: frameLength, headLength: 5, totalLength: 5 + frameLength + TAG_BYTES };
  }
  if (type !== FRAME_FINAL) throw envelopeError(`frame ${sequence} has an unknown frame type ${type}`);
  if (bytes.length < offset + 9) return null;
  const contentLength = bytes.readUInt32BE(offset + 5);
  if (contentLength > frameLength) throw envelopeError(`the final frame claims ${contentLength} bytes, more than the frame length ${frameLength}`);
  return { final: true, sequence, contentLength, headLength: 9, totalLength: 9 + contentLength + TAG_BYTES };
}

/** Bytes of a whole message of `plaintextLength` bytes (for sizing the output in one allocation). */
export function messageLength(headerLength: number, plaintextLength: number, frameLength: number): number {
  const regularFrames = Math.max(0, Math.ceil(plaintextLength / frameLength) - 1);
  return headerLength + regularFrames * (REGULAR_FRAME_OVERHEAD + frameLength) + FINAL_FRAME_OVERHEAD + (plaintextLength - regularFrames * frameLength);
}
