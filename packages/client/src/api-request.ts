/**
 * The seam every operation goes through: an operation describes its HTTP request as data and hands
 * it to a Requester. Today the Requester is one endpoint over fetch; a region router (failover,
 * retries of what is safe to repeat) can later be a Requester that wraps several of them.
 */

/**
 * read: changes no key, alias or token state (this includes encrypt, sign and data keys), so it is
 * safe to repeat. write: changes state, so an unknown outcome is indeterminate, never "failed".
 */
export type RequestEffect = 'read' | 'write';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
  readonly method: HttpMethod;
  /** The path, already encoded (see paths.ts). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** A JSON value; undefined sends no body at all. */
  readonly body?: unknown;
  readonly effect: RequestEffect;
  /** False for the open endpoints (/healthz, /readyz), which should not see the bearer token. */
  readonly authenticated?: boolean;
  /** Hand back non-2xx answers instead of throwing: a readiness probe's 503 is an answer, not a failure. */
  readonly acceptAnyStatus?: boolean;
}

export interface ApiResponse {
  readonly status: number;
  /** The parsed JSON body; undefined when the answer has none (204). */
  readonly body: unknown;
  readonly requestId: string | null;
}

/** Sends one request; throws LatchkeyClientError for error answers and transport failures. */
export type Requester = (request: ApiRequest) => Promise<ApiResponse>;
