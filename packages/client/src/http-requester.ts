/**
 * The single-endpoint Requester: one node, over the global fetch, with one deadline that covers
 * connecting, sending and reading the whole answer. It sends its own x-request-id so that even a
 * request that timed out can be found in the node's logs and audit trail.
 */
import { errorFromAnswer, errorFromFailure, invalidAnswer } from './error-mapping.ts';
import { invalidOption } from './client-error.ts';
import type { ApiRequest, ApiResponse, AttemptOptions, Requester } from './api-request.ts';

export interface HttpRequesterOptions {
  readonly url: string;
  readonly token: string;
  readonly timeoutMs: number;
  /** Request ids; crypto.randomUUID unless a test wants fixed ones. */
  readonly newRequestId?: () => string;
}

/** Validates once, at construction, so a bad URL fails where it was configured rather than on first use. */
export function parseBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidOption(`url is not a valid URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalidOption('url must be http: or https:');
  if (parsed.search || parsed.hash) throw invalidOption('url must not carry a query or fragment');
  // Keep a path prefix (a node behind a proxy at /kms) but drop the trailing slash we add ourselves.
  return parsed.href.replace(/\/+$/, '');
}

function checkToken(token: unknown): string {
  // A newline in a header would make fetch throw on every call; say so once, at construction.
  if (typeof token !== 'string' || token.length === 0 || /[\s\x00-\x1f\x7f]/.test(token)) {
    throw invalidOption('token must be a non-empty string without whitespace');
  }
  return token;
}

function checkTimeout(timeoutMs: number): number {
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw invalidOption('timeoutMs must be a positive integer');
  return timeoutMs;
}

function requestUrl(baseUrl: string, request: ApiRequest): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) search.set(name, String(value));
  }
  const query = search.toString();
  return `${baseUrl}${request.path}${query ? `?${query}` : ''}`;
}

function requestInit(request: ApiRequest, token: string, requestId: string, signal: AbortSignal): RequestInit {
  const headers: Record<string, string> = { accept: 'application/json', 'x-request-id': requestId };
  if (request.authenticated !== false) headers.authorization = `Bearer ${token}`;
  // No content-type without a body: a JSON parser would reject the empty body of a GET or DELETE.
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  return {
    method: request.method,
    headers,
    signal,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  };
}

function parseBody(request: ApiRequest, status: number, text: string, requestId: string | null, strict: boolean): unknown {
  if (status === 204 || text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    // An accepted error status (a proxy's HTML 503 to a probe) still tells the caller something.
    if (!strict) return undefined;
    throw invalidAnswer(request, status, requestId, 'its body is not JSON');
  }
}

export function createHttpRequester(options: HttpRequesterOptions): Requester {
  const baseUrl = parseBaseUrl(options.url);
  const token = checkToken(options.token);
  const timeoutMs = checkTimeout(options.timeoutMs);
  const newRequestId = options.newRequestId ?? (() => crypto.randomUUID());

  return async (request: ApiRequest, attempt: AttemptOptions = {}): Promise<ApiResponse> => {
    const sentRequestId = newRequestId();
    // A router may shorten one attempt to what is left of its overall deadline, never lengthen it.
    const attemptTimeoutMs = Math.max(1, Math.min(timeoutMs, Math.ceil(attempt.timeoutMs ?? timeoutMs)));
    const signal = AbortSignal.timeout(attemptTimeoutMs);
    // Built outside the try: a body that cannot be serialised is a bug to surface, not a network error.
    const url = requestUrl(baseUrl, request);
    const init = requestInit(request, token, sentRequestId, signal);
    let status: number;
    let text: string;
    let headerRequestId: string | null;
    try {
      const response = await fetch(url, init);
      status = response.status;
      headerRequestId = response.headers.get('x-request-id');
      text = await response.text();
    } catch (failure) {
      throw errorFromFailure(request, failure, signal.aborted, attemptTimeoutMs, sentRequestId);
    }
    const requestId = headerRequestId ?? sentRequestId;
    const ok = status >= 200 && status < 300;
    if (!ok && !request.acceptAnyStatus) throw errorFromAnswer(request, status, text, requestId);
    return { status, body: parseBody(request, status, text, requestId, ok), requestId };
  };
}
