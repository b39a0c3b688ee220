/**
 * The seam every operation goes through: an operation describes its HTTP request as data and hands
 * it to a Requester. One endpoint over fetch is a Requester (http-requester.ts); the region router
 * (routing/region-router.ts) is another that wraps one of those per region and decides where each
 * request goes and whether it may be sent again, from the facts an operation states here.
 */

/**
 * read: changes no key, alias or token state (this includes encrypt, sign and data keys), so it is
 * safe to repeat. write: changes state, so an unknown outcome is indeterminate, never "failed".
 */
export type RequestEffect = 'read' | 'write';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
  /** The operation's name as docs/api.md and the node's metrics call it (Encrypt, CreateKey): a metrics label. */
  readonly operation: string;
  readonly method: HttpMethod;
  /** The path, already encoded (see paths.ts). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** A JSON value; undefined sends no body at all. */
  readonly body?: unknown;
  readonly effect: RequestEffect;
  /**
   * A write that carries an idempotency key: the node turns a repeat into the same outcome, so the
   * router may send it again (to another region) after an unknown outcome.
   */
  readonly idempotent?: boolean;
  /** The keys (ids or aliases) the request uses: it may only go to regions every one of them is allowed in. */
  readonly keyIds?: readonly string[];
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

/** Per-attempt settings a router passes down: the time left of the call's overall deadline, say. */
export interface AttemptOptions {
  readonly timeoutMs?: number;
}

/** Sends one request; throws LatchkeyClientError for error answers and transport failures. */
export type Requester = (request: ApiRequest, attempt?: AttemptOptions) => Promise<ApiResponse>;
