/**
 * The DER form of an ECDSA signature, SEQUENCE { r INTEGER, s INTEGER }, as AWS KMS and OpenSSL
 * return it. Decoding is strict (only the one canonical encoding of a pair is accepted), so a
 * signature cannot be re-encoded into a second valid form.
 */
import { bigIntToMinimalBytes, bytesToBigInt } from './bigint-bytes.ts';

const SEQUENCE = 0x30;
const INTEGER = 0x02;

function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  if (length < 0x100) return [0x81, length];
  return [0x82, length >> 8, length & 0xff];
}

function encodeInteger(value: bigint): number[] {
  const bytes = [...bigIntToMinimalBytes(value)];
  // A set high bit would read as negative, so DER prefixes a zero byte.
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return [INTEGER, ...encodeLength(bytes.length), ...bytes];
}

export function encodeEcdsaSignature(r: bigint, s: bigint): Uint8Array {
  const body = [...encodeInteger(r), ...encodeInteger(s)];
  return Uint8Array.from([SEQUENCE, ...encodeLength(body.length), ...body]);
}

interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
  readonly end: number;
}

function readTlv(bytes: Uint8Array, offset: number): Tlv | null {
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  if (tag === undefined || length === undefined) return null;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 2) return null;
    length = 0;
    for (let i = 0; i < count; i++) {
      const byte = bytes[start + i];
      if (byte === undefined) return null;
      length = length * 256 + byte;
    }
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) return null;
  return { tag, value: bytes.subarray(start, end), end };
}

/** Returns null for anything but the canonical DER encoding of two positive integers. */
export function decodeEcdsaSignature(signature: Uint8Array): { r: bigint; s: bigint } | null {
  const sequence = readTlv(signature, 0);
  if (!sequence || sequence.tag !== SEQUENCE || sequence.end !== signature.length) return null;
  const first = readTlv(sequence.value, 0);
  if (!first || first.tag !== INTEGER) return null;
  const second = readTlv(sequence.value, first.end);
  if (!second || second.tag !== INTEGER || second.end !== sequence.value.length) return null;
  const r = bytesToBigInt(first.value);
  const s = bytesToBigInt(second.value);
  if (r === 0n || s === 0n) return null;
  // Re-encoding catches negative numbers, superfluous zero bytes and long-form lengths that DER forbids.
  const canonical = encodeEcdsaSignature(r, s);
  if (canonical.length !== signature.length || !Buffer.from(canonical).equals(signature)) return null;
  return { r, s };
}
