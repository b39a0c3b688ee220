/** The CSPRNG, for data keys and GenerateRandom. There is deliberately no way to inject another source. */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core';

/** Node's own ceiling for one randomBytes call. */
const MAX_BYTES = 2 ** 31 - 1;

export function randomBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > MAX_BYTES) throw new LatchkeyError('ValidationException', 'a random byte count must be a non-negative integer');
  return nodeRandomBytes(n);
}
