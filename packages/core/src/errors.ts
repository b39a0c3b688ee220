/**
 * The one error type of Latchkey. Every failure a caller can see carries a `code` from the closed
 * table below; callers match on `code`, never on the message. The table is total: each code has an
 * HTTP status and a kind, so that the HTTP shell never has to guess.
 */

/** user: the caller can fix it; internal: our fault; unavailable: retry later; indeterminate: it may have happened. */
export type ErrorKind = 'user' | 'internal' | 'unavailable' | 'indeterminate';

interface ErrorSpec {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly summary: string;
}

export const ERROR_CODES = {
  ValidationException: { status: 400, kind: 'user', summary: 'A parameter is missing, malformed or out of range.' },
  SerializationException: { status: 400, kind: 'user', summary: 'The request body is not valid JSON.' },
  UnsupportedMediaTypeException: { status: 415, kind: 'user', summary: 'The request body is not application/json.' },
  RequestTooLargeException: { status: 413, kind: 'user', summary: 'The request body exceeds the size limit.' },
  UnknownOperationException: { status: 404, kind: 'user', summary: 'No operation exists at this path and method.' },
  MissingAuthenticationTokenException: { status: 401, kind: 'user', summary: 'The request carries no bearer token (native API) or no SigV4 signature (AWS endpoint).' },
  UnrecognizedClientException: { status: 401, kind: 'user', summary: 'The bearer token or AWS access key id is unknown or revoked.' },
  IncompleteSignatureException: { status: 400, kind: 'user', summary: 'The SigV4 Authorization header or its date is missing a part or malformed (AWS endpoint).' },
  InvalidSignatureException: { status: 403, kind: 'user', summary: 'The SigV4 signature does not match, is more than 5 minutes from now, or is scoped to another region or service (AWS endpoint).' },
  AccessDeniedException: { status: 403, kind: 'user', summary: 'The principal may not perform this operation.' },
  NotFoundException: { status: 404, kind: 'user', summary: 'The key, alias, version or token does not exist.' },
  AlreadyExistsException: { status: 409, kind: 'user', summary: 'An alias with this name already exists.' },
  InvalidAliasNameException: { status: 400, kind: 'user', summary: 'The alias name is not of the form alias/<name> or is reserved.' },
  DisabledException: { status: 409, kind: 'user', summary: 'The key is disabled.' },
  KMSInvalidStateException: { status: 409, kind: 'user', summary: 'The key is not in a state that allows this operation.' },
  InvalidKeyUsageException: { status: 400, kind: 'user', summary: 'The key spec or key usage does not allow this operation or algorithm.' },
  UnsupportedOperationException: { status: 400, kind: 'user', summary: 'The operation is not supported for this key.' },
  InvalidCiphertextException: { status: 400, kind: 'user', summary: 'The ciphertext or its encryption context is invalid, tampered or was not made by this service.' },
  IncorrectKeyException: { status: 400, kind: 'user', summary: 'The ciphertext was made under a different key than the one named.' },
  KMSInvalidSignatureException: { status: 400, kind: 'user', summary: 'The signature does not verify.' },
  KMSInvalidMacException: { status: 400, kind: 'user', summary: 'The MAC does not verify.' },
  KeyVersionRetiredException: { status: 409, kind: 'user', summary: 'The ciphertext uses a key version below the minimum decryption version.' },
  TagException: { status: 400, kind: 'user', summary: 'A tag key or value is invalid or there are too many tags.' },
  LimitExceededException: { status: 429, kind: 'user', summary: 'A per-key or per-service limit would be exceeded.' },
  ConflictException: { status: 409, kind: 'user', summary: 'The key changed concurrently; read it again and retry.' },
  KeyNotAllowedInRegionException: { status: 403, kind: 'user', summary: 'The key is pinned to other regions by its region policy.' },
  KeyUnavailableException: { status: 503, kind: 'unavailable', summary: 'The key or key version has not been replicated to this region yet; retry or use another region.' },
  DependencyTimeoutException: { status: 503, kind: 'unavailable', summary: 'A dependency (storage or replication) is unavailable; retry later.' },
  IndeterminateException: { status: 504, kind: 'indeterminate', summary: 'The change was sent but its outcome is unknown; read the key to find out.' },
  KMSInternalException: { status: 500, kind: 'internal', summary: 'An internal error; the request may be retried.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export class LatchkeyError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LatchkeyError';
    this.code = code;
    this.kind = ERROR_CODES[code].kind;
    this.status = ERROR_CODES[code].status;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isLatchkeyError(value: unknown): value is LatchkeyError {
  return value instanceof LatchkeyError;
}

/** Shorthand for the most common failure: bad input. */
export function invalid(message: string): LatchkeyError {
  return new LatchkeyError('ValidationException', message);
}

/** Wraps anything thrown into a LatchkeyError; unknown failures become internal without leaking their message. */
export function toLatchkeyError(value: unknown): LatchkeyError {
  if (value instanceof LatchkeyError) return value;
  return new LatchkeyError('KMSInternalException', 'internal error', { cause: value });
}
