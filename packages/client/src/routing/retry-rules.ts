/**
 * Which failures may be tried again, and where, as pure functions. The rule of the design
 * (invariant 5, Jepsen's ok/fail/info): a call may be repeated only when repeating it cannot do a
 * thing twice. Reads and data-plane calls change no state; a write that carries an idempotency key
 * lands once however often it is sent; any other write may be sent again only when the first
 * attempt provably never left (the connection was refused). A write whose outcome is unknown is
 * reported as indeterminate and never repeated.
 */
import { ERROR_CODES, isErrorCode } from '@latchkey/core';
import { LatchkeyClientError } from '../client-error.ts';
import type { ApiRequest } from '../api-request.ts';

/**
 * region: the region did not serve (no answer, time-out, a dependency down): count it against the
 *   region's health and try another.
 * key-elsewhere: the region is fine but has not received this key or version yet: try another.
 * pinned: the key's region policy excludes this region: learn the policy, then go where it is allowed.
 * server: an internal error; it may succeed on a repeat.
 * final: the answer stands (a user error, an invalid signature): repeating cannot change it.
 */
export type FailureClass = 'region' | 'key-elsewhere' | 'pinned' | 'server' | 'final';

export function classifyFailure(error: unknown): FailureClass {
  if (!(error instanceof LatchkeyClientError)) return 'final';
  switch (error.code) {
    case 'NetworkError':
    case 'TimeoutException':
      return 'region';
    case 'KeyUnavailableException':
      return 'key-elsewhere';
    case 'KeyNotAllowedInRegionException':
      return 'pinned';
    case 'InvalidResponseException':
      // A 5xx without a Latchkey body came from something broken in between; a 2xx we cannot read stands.
      return error.status !== null && error.status >= 500 ? 'server' : 'final';
    default:
      break;
  }
  if (!isErrorCode(error.code)) return error.status !== null && error.status >= 500 ? 'server' : 'final';
  const kind = ERROR_CODES[error.code].kind;
  if (kind === 'unavailable' || kind === 'indeterminate') return 'region';
  return kind === 'internal' ? 'server' : 'final';
}

/** True when the failure proves the request never reached a node: a refused connection. */
export function provablyNotSent(error: unknown): boolean {
  return error instanceof LatchkeyClientError && error.code === 'NetworkError' && error.status === null && !error.indeterminate;
}

/** Whether sending `request` again after `error` can at worst repeat something harmless. */
export function mayRepeat(request: ApiRequest, error: unknown): boolean {
  if (request.effect === 'read' || request.idempotent === true) return true;
  return provablyNotSent(error);
}

/** Whether the failure may have left the change applied: the caller must read it back before assuming it failed. */
export function outcomeUnknown(request: ApiRequest, error: unknown): boolean {
  return request.effect === 'write' && error instanceof LatchkeyClientError && error.indeterminate;
}
