/**
 * Random 32-byte message ids. They must never repeat under one data key, since each message's key
 * is derived from the data key and its id; 256 random bits make a repeat impossible in practice.
 * Cut from a pool filled by the OS CSPRNG, since one syscall per message would cost more than the
 * encryption of a small message.
 */
import { randomFillSync } from 'node:crypto';
import { MESSAGE_ID_BYTES } from './envelope-format.ts';

const POOL_BYTES = 64 * MESSAGE_ID_BYTES;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

export function newMessageId(): Buffer {
  if (used + MESSAGE_ID_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  // A copy: the pool is refilled later, and a message's id must not change under it.
  const id = Buffer.from(pool.subarray(used, used + MESSAGE_ID_BYTES));
  pool.fill(0, used, used + MESSAGE_ID_BYTES);
  used += MESSAGE_ID_BYTES;
  return id;
}
