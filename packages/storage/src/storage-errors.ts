/**
 * The three ways storage fails, as LatchkeyErrors: the store is not usable right now (closed,
 * locked, I/O trouble: retry later or elsewhere), the bytes on disk are not what we wrote
 * (corruption: an internal error, never silently repaired), or the caller handed us something
 * that must not be written (a bug upstream, so internal too, and nothing of the batch is written).
 */
import { LatchkeyError } from '@latchkey/core';

export function unavailable(message: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError('DependencyTimeoutException', `key store unavailable: ${message}`, { cause });
}

export function corrupt(message: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError('KMSInternalException', `key store data is corrupt: ${message}`, { cause });
}

export function refused(message: string, cause?: unknown): LatchkeyError {
  return new LatchkeyError('KMSInternalException', `key store refused a write: ${message}`, { cause });
}
