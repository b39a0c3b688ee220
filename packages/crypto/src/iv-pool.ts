/**
 * GCM IVs for the symmetric hot path. Each crypto.randomBytes call costs a few microseconds of
 * fixed overhead, a fifth of a whole small encryption, so IVs are cut from a 4 KiB buffer filled by
 * the same CSPRNG (Node's randomUUID caches entropy the same way). Every pool byte is handed out
 * once, as a copy, and the pool is refilled only after it is used up. IVs are public, so the pool
 * holds nothing secret. Only IVs come from here: key material always uses crypto.randomBytes.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export function nextIv(length: number): Buffer {
  if (offset + length > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const iv = Buffer.alloc(length);
  pool.copy(iv, 0, offset, offset + length);
  offset += length;
  return iv;
}
