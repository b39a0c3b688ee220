/**
 * The ciphertext blob for symmetric keys. Every ciphertext names its key and key version, so that
 * decryption needs no other input and rotation never strands data:
 *
 *   offset  size  field
 *   0       2     magic "LK"
 *   2       1     formatVersion (1)
 *   3       1     keyId length n
 *   4       n     keyId (ASCII)
 *   4+n     4     keyVersion (u32, big-endian)
 *   8+n     12    iv (AES-GCM nonce)
 *   20+n    16    tag (AES-GCM)
 *   36+n    ...   ciphertext
 *
 * The AES-GCM additional data is the header (bytes 0 to 8+n) followed by the canonical encryption
 * context, so changing any header byte, the context or the body fails authentication.
 */
import { LatchkeyError } from './errors.ts';
import { concatBytes } from './encryption-context.ts';

export const CIPHERTEXT_MAGIC = Uint8Array.of(0x4c, 0x4b);
export const CIPHERTEXT_FORMAT_VERSION = 1;
export const GCM_IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

export interface CiphertextParts {
  readonly keyId: string;
  readonly keyVersion: number;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly body: Uint8Array;
}

const ascii = new TextEncoder();
const U32_MAX = 0xffff_ffff;

/** Key ids in a header are printable ASCII without spaces, so the bytes read back as the same string. */
function isPrintableAscii(bytes: Uint8Array): boolean {
  return bytes.every((b) => b >= 0x21 && b <= 0x7e);
}

function internal(message: string): LatchkeyError {
  return new LatchkeyError('KMSInternalException', message);
}

export function encodeCiphertextHeader(keyId: string, keyVersion: number): Uint8Array {
  const id = ascii.encode(keyId);
  // Both checks guard against writing a ciphertext that names a different key or version than the
  // one that made it: setUint32 would wrap 2^32 + 1 to 1, and decoding non-ASCII would differ.
  if (id.length < 1 || id.length > 255 || !isPrintableAscii(id)) throw internal('key id must be 1 to 255 printable ASCII characters for a ciphertext header');
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > U32_MAX) throw internal('key version does not fit a ciphertext header');
  const header = new Uint8Array(8 + id.length);
  header.set(CIPHERTEXT_MAGIC, 0);
  header[2] = CIPHERTEXT_FORMAT_VERSION;
  header[3] = id.length;
  header.set(id, 4);
  new DataView(header.buffer).setUint32(4 + id.length, keyVersion, false);
  return header;
}

export function encodeCiphertext(header: Uint8Array, iv: Uint8Array, tag: Uint8Array, body: Uint8Array): Uint8Array {
  // The decoder splits by fixed sizes, so a wrong-sized iv or tag would silently shift every field.
  if (iv.length !== GCM_IV_BYTES || tag.length !== GCM_TAG_BYTES) throw internal('iv or tag has the wrong length for a ciphertext');
  return concatBytes([header, iv, tag, body]);
}

function bad(message: string): LatchkeyError {
  return new LatchkeyError('InvalidCiphertextException', message);
}

/** Splits a blob into its parts; throws InvalidCiphertextException for anything that is not one. */
export function decodeCiphertext(blob: Uint8Array): CiphertextParts & { readonly header: Uint8Array } {
  if (!(blob instanceof Uint8Array)) throw bad('ciphertext must be bytes');
  if (blob.length < 4 || blob[0] !== CIPHERTEXT_MAGIC[0] || blob[1] !== CIPHERTEXT_MAGIC[1]) {
    throw bad('ciphertext is not a Latchkey ciphertext');
  }
  if (blob[2] !== CIPHERTEXT_FORMAT_VERSION) throw bad(`ciphertext format version ${blob[2]} is not supported`);
  const idLength = blob[3] ?? 0;
  const headerLength = 8 + idLength;
  if (idLength === 0 || blob.length < headerLength + GCM_IV_BYTES + GCM_TAG_BYTES) throw bad('ciphertext is truncated');
  const idBytes = blob.subarray(4, 4 + idLength);
  if (!isPrintableAscii(idBytes)) throw bad('ciphertext key id is not printable ASCII');
  const keyId = String.fromCharCode(...idBytes);
  const keyVersion = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(4 + idLength, false);
  if (keyVersion < 1) throw bad('ciphertext names key version 0');
  const ivStart = headerLength;
  const tagStart = ivStart + GCM_IV_BYTES;
  const bodyStart = tagStart + GCM_TAG_BYTES;
  return {
    keyId,
    keyVersion,
    header: blob.subarray(0, headerLength),
    iv: blob.subarray(ivStart, tagStart),
    tag: blob.subarray(tagStart, bodyStart),
    body: blob.subarray(bodyStart),
  };
}

/** Reads only the key reference: what `POST /v1/decrypt` needs to find the key. */
export function peekCiphertextKey(blob: Uint8Array): { keyId: string; keyVersion: number } {
  const { keyId, keyVersion } = decodeCiphertext(blob);
  return { keyId, keyVersion };
}

/** Additional data binding wrapped material at rest to its key and version. */
export function materialAad(keyId: string, keyVersion: number): Uint8Array {
  return ascii.encode(`latchkey/material/v1/${keyId}/${keyVersion}`);
}
