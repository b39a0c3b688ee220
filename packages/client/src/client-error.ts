/**
 * The client's errors module: the one error type a caller of @latchkey/client sees. Callers match on
 * `code`: the server's catalogue code when the node answered, or a transport code when no usable
 * answer arrived. `indeterminate` says the request changes state and may have been applied, so a
 * caller must read the state back (or retry with the same idempotency key) instead of assuming it failed.
 */
import type { ErrorCode } from '@latchkey/core';

/**
 * NetworkError: no answer (connection refused, reset, DNS) or a gateway without a Latchkey body.
 * TimeoutException: no complete answer within `timeoutMs`.
 * InvalidResponseException: an answer arrived but is not what docs/api.md promises.
 * ValidationException is also raised locally, before sending, for input that cannot form a request.
 */
export type TransportErrorCode = 'NetworkError' | 'TimeoutException' | 'InvalidResponseException';

export type ClientErrorCode = ErrorCode | TransportErrorCode;

export interface ClientErrorInit {
  /** A code from the table, or an unknown code a newer server sent, kept verbatim. */
  readonly code: ClientErrorCode | (string & {});
  readonly message: string;
  /** The HTTP status of the answer; null when no answer arrived (or the request was never sent). */
  readonly status: number | null;
  readonly requestId: string | null;
  readonly indeterminate: boolean;
  readonly cause?: unknown;
  /** The region whose answer (or silence) this is, when the client routes between regions. */
  readonly region?: string | null;
  /** How many attempts the call made before giving up; 1 when it was not repeated. */
  readonly attempts?: number;
}

export class LatchkeyClientError extends Error {
  readonly code: ClientErrorCode | (string & {});
  readonly status: number | null;
  readonly requestId: string | null;
  readonly indeterminate: boolean;
  readonly region: string | null;
  readonly attempts: number;

  constructor(init: ClientErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LatchkeyClientError';
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId;
    this.indeterminate = init.indeterminate;
    this.region = init.region ?? null;
    this.attempts = init.attempts ?? 1;
  }

  toJSON(): { code: string; message: string; status: number | null; requestId: string | null; indeterminate: boolean } {
    return { code: this.code, message: this.message, status: this.status, requestId: this.requestId, indeterminate: this.indeterminate };
  }
}

export function isLatchkeyClientError(value: unknown): value is LatchkeyClientError {
  return value instanceof LatchkeyClientError;
}

/** Input that cannot even form a request (an empty key id would silently address another route). */
export function invalidInput(message: string): LatchkeyClientError {
  return new LatchkeyClientError({ code: 'ValidationException', message, status: null, requestId: null, indeterminate: false });
}

/** Misuse of the constructor is a programming error, reported the way the platform does (as URL does). */
export function invalidOption(message: string): TypeError {
  return new TypeError(`LatchkeyClient: ${message}`);
}
