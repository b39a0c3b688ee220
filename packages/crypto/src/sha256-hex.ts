/** SHA-256 as lowercase hex: how bearer tokens are stored (only their hash, never the token). */
import { createHash } from 'node:crypto';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
