/**
 * Reading the parts of a SigV4-signed request: the Authorization header (algorithm, credential
 * scope, signed headers, signature) and the request time. Anything missing or malformed is an
 * IncompleteSignatureException, as AWS answers it; nothing here decides whether the signature is good.
 */
import { LatchkeyError } from '@latchkey/core';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  /** `<yyyymmdd>/<region>/<service>/aws4_request` */
  readonly scope: string;
  readonly scopeDate: string;
  readonly scopeRegion: string;
  readonly scopeService: string;
  readonly scopeTerminator: string;
  /** As the client listed them: lower-case, `;`-separated, sorted. */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

function incomplete(message: string): LatchkeyError {
  return new LatchkeyError('IncompleteSignatureException', message);
}

function parameters(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    const equals = trimmed.indexOf('=');
    if (equals > 0) found.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  return found;
}

function required(found: Map<string, string>, name: string): string {
  const value = found.get(name);
  if (!value) throw incomplete(`Authorization header requires '${name}' parameter. Authorization=${SIGV4_ALGORITHM} Credential=..., SignedHeaders=..., Signature=...`);
  return value;
}

export function parseAuthorization(header: string): ParsedAuthorization {
  if (!header.startsWith(`${SIGV4_ALGORITHM} `)) {
    throw incomplete(`Authorization header must use the ${SIGV4_ALGORITHM} algorithm (AWS Signature Version 4)`);
  }
  const found = parameters(header.slice(SIGV4_ALGORITHM.length + 1));
  const credential = required(found, 'Credential');
  const signedHeaders = required(found, 'SignedHeaders');
  const signature = required(found, 'Signature');
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p.length === 0)) {
    throw incomplete(`Credential must have the form <access key id>/<yyyymmdd>/<region>/kms/aws4_request`);
  }
  const [accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator] = parts as [string, string, string, string, string];
  return {
    accessKeyId, scope: parts.slice(1).join('/'), scopeDate, scopeRegion, scopeService, scopeTerminator,
    signedHeaders: signedHeaders.split(';'), signature,
  };
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

// Requests of the same second carry the same X-Amz-Date: the last answer is kept.
let lastDate = { text: '', ms: Number.NaN };

/** `20240102T030405Z` (X-Amz-Date) to epoch ms; NaN when malformed. */
export function parseAmzDate(value: string): number {
  if (value === lastDate.text) return lastDate.ms;
  const ms = parseAmzDateNow(value);
  lastDate = { text: value, ms };
  return ms;
}

function parseAmzDateNow(value: string): number {
  const m = AMZ_DATE.exec(value);
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Reject dates that Date.UTC silently rolled over (month 13, second 61, ...).
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '') === value ? ms : Number.NaN;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/**
 * The request time and its ISO-8601 basic form, which goes into the string to sign: X-Amz-Date,
 * or else the HTTP Date header.
 */
export function requestTime(amzDate: string | undefined, httpDate: string | undefined): { ms: number; amzDate: string } {
  if (amzDate !== undefined) {
    const ms = parseAmzDate(amzDate);
    if (Number.isNaN(ms)) throw incomplete(`X-Amz-Date must be an ISO-8601 basic date such as 20240102T030405Z, not '${amzDate.slice(0, 40)}'`);
    return { ms, amzDate };
  }
  if (httpDate !== undefined) {
    const ms = Date.parse(httpDate);
    if (Number.isNaN(ms)) throw incomplete(`the Date header is not an HTTP date`);
    return { ms, amzDate: formatAmzDate(ms) };
  }
  throw incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
}
