/**
 * Callers hand us any Uint8Array; some node:crypto calls want a Buffer, so we view the same memory
 * instead of copying (a copy of key material is one more copy to forget).
 */

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
