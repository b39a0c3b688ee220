/**
 * Strict standard base64 for binary fields: padded, no whitespace, no URL alphabet. Buffer's own
 * decoder skips bad characters silently, which would let a corrupted field decrypt to garbage.
 */
import { LatchkeyError } from '@latchkey/core';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodeBase64(field: string, value: string, maxBytes: number, options: { invalidCode?: 'ValidationException' | 'InvalidCiphertextException' } = {}): Buffer {
  if (value.length > Math.ceil(maxBytes / 3) * 4 || !BASE64.test(value)) {
    const code = options.invalidCode ?? 'ValidationException';
    throw new LatchkeyError(code, `${field} must be standard padded base64 of at most ${maxBytes} bytes`);
  }
  return Buffer.from(value, 'base64');
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
