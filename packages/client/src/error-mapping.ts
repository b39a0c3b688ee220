/**
 * How an HTTP answer or a transport failure becomes a LatchkeyClientError. The rule for
 * `indeterminate` (invariant 5 of the design): a write whose outcome is unknown (the node said 504,
 * a gateway lost the node, a timeout, or the connection broke after the request may have left) is
 * indeterminate. A read never is, and neither is a failure that happened before anything was sent.
 */
import { LatchkeyClientError } from './client-error.ts';
import type { ApiRequest } from './api-request.ts';

// Failures that prove the request never reached a server: connecting itself failed.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT',
]);

// Statuses where a gateway (not a Latchkey node) lost the upstream while the request may have been in it.
const OUTCOME_UNKNOWN_STATUSES = new Set([502, 504]);

function describe(request: ApiRequest): string {
  return `${request.method} ${request.path}`;
}

function parseErrorBody(text: string): { code: string; message: string; requestId: string | null } | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { code, message, requestId } = body as Record<string, unknown>;
  if (typeof code !== 'string' || code.length === 0) return null;
  return {
    code,
    message: typeof message === 'string' ? message : code,
    requestId: typeof requestId === 'string' ? requestId : null,
  };
}

/** A code for answers without a Latchkey error body, which only something in between sends. */
function gatewayCode(status: number): string {
  if (status === 504) return 'TimeoutException';
  if (status === 502 || status === 503) return 'NetworkError';
  return 'InvalidResponseException';
}

export function errorFromAnswer(request: ApiRequest, status: number, text: string, headerRequestId: string | null): LatchkeyClientError {
  const parsed = parseErrorBody(text);
  const code = parsed?.code ?? gatewayCode(status);
  const indeterminate = request.effect === 'write' && (OUTCOME_UNKNOWN_STATUSES.has(status) || code === 'IndeterminateException');
  return new LatchkeyClientError({
    code,
    message: parsed?.message ?? `${describe(request)} answered HTTP ${status} without a Latchkey error body`,
    status,
    requestId: parsed?.requestId ?? headerRequestId,
    indeterminate,
  });
}

/** A 2xx answer we cannot read: for a write it was applied, so the caller must not assume failure. */
export function invalidAnswer(request: ApiRequest, status: number, requestId: string | null, problem: string): LatchkeyClientError {
  return new LatchkeyClientError({
    code: 'InvalidResponseException',
    message: `${describe(request)} answered HTTP ${status}, but ${problem}`,
    status,
    requestId,
    indeterminate: request.effect === 'write',
  });
}

function systemErrorCode(failure: unknown): string | null {
  // fetch wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }).
  for (let current = failure, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
}

export function errorFromFailure(request: ApiRequest, failure: unknown, timedOut: boolean, timeoutMs: number, requestId: string): LatchkeyClientError {
  if (timedOut) {
    return new LatchkeyClientError({
      code: 'TimeoutException',
      message: `${describe(request)} got no complete answer within ${timeoutMs} ms`,
      status: null,
      requestId,
      // We cannot tell whether the node received it; for a write, that is exactly "unknown".
      indeterminate: request.effect === 'write',
      cause: failure,
    });
  }
  const systemCode = systemErrorCode(failure);
  const detail = failure instanceof Error ? (failure.cause instanceof Error ? failure.cause.message : failure.message) : String(failure);
  return new LatchkeyClientError({
    code: 'NetworkError',
    message: `${describe(request)} failed: ${detail}`,
    status: null,
    requestId,
    indeterminate: request.effect === 'write' && (systemCode === null || !NOT_SENT_CODES.has(systemCode)),
    cause: failure,
  });
}
