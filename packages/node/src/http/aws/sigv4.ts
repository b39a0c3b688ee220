/**
 * Verifies AWS Signature Version 4 on a request, as AWS does for KMS: the canonical request is
 * rebuilt from exactly the headers the client listed as signed (their values as received), the
 * method, path, query and the SHA-256 of the body as received; the credential scope must be this
 * region and service `kms`; the request time must be within 5 minutes of now. Failures carry
 * AWS's error names. The secret never leaves this module's HMAC calls.
 */
import { createHmac, createSecretKey, hash, timingSafeEqual, type KeyObject } from 'node:crypto';
import { LatchkeyError } from '@latchkey/core';
import { formatAmzDate, parseAuthorization, requestTime, SIGV4_ALGORITHM, type ParsedAuthorization } from './sigv4-authorization.ts';

export const SIGV4_SKEW_MS_MAX = 5 * 60_000;

export interface SignedRequest {
  readonly method: string;
  /** Path and query exactly as sent. */
  readonly url: string;
  /** Node's rawHeaders: name, value, name, value, ... */
  readonly rawHeaders: readonly string[];
  readonly body: Uint8Array;
}

export interface SigV4Verifier {
  readonly region: string;
  readonly service: string;
  nowMs(): number;
  lookup(accessKeyId: string): { principal: string; secret: Buffer } | undefined;
}

export interface VerifiedCaller {
  readonly accessKeyId: string;
  readonly principal: string;
}

const invalid = (message: string) => new LatchkeyError('InvalidSignatureException', message);
const unrecognized = () => new LatchkeyError('UnrecognizedClientException', 'The security token included in the request is invalid.');

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValues(rawHeaders: readonly string[]): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const list = values.get(name) ?? [];
    const raw = rawHeaders[i + 1] as string;
    // Inner runs of spaces and tabs fold to one space, as the signer folded them; most values have none.
    list.push(raw.includes('  ') || raw.includes('\t') ? raw.replace(/[ \t]+/g, ' ').trim() : raw.trim());
    values.set(name, list);
  }
  return values;
}

/** The path as the AWS SDKs canonicalize it for every service but S3: dot segments removed, encoded again. */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalid('The request signature we calculated does not match the signature you provided: the query string is not valid percent-encoding.');
  }
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').filter((p) => p.length > 0).map((pair) => {
    const equals = pair.indexOf('=');
    const key = equals < 0 ? pair : pair.slice(0, equals);
    const value = equals < 0 ? '' : pair.slice(equals + 1);
    return [escapeUri(decodeComponent(key)), escapeUri(decodeComponent(value))] as const;
  }).filter(([key]) => key.toLowerCase() !== 'x-amz-signature');
  pairs.sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([key, value]) => `${key}=${value}`).join('&');
}

function sha256Hex(data: Uint8Array | string): string {
  return hash('sha256', data, 'hex');
}

function canonicalRequest(request: SignedRequest, auth: ParsedAuthorization, headers: Map<string, string[]>, payloadHash: string): string {
  const question = request.url.indexOf('?');
  const path = question < 0 ? request.url : request.url.slice(0, question);
  const query = question < 0 ? '' : request.url.slice(question + 1);
  const lines = auth.signedHeaders.map((name) => `${name}:${(headers.get(name) ?? []).join(',')}\n`).join('');
  return `${request.method}\n${canonicalPath(path)}\n${canonicalQuery(query)}\n${lines}\n${auth.signedHeaders.join(';')}\n${payloadHash}`;
}

// Derived signing keys are cached per secret (weakly: a revoked credential's secret takes its keys
// along), as KeyObjects: an HMAC keyed by a KeyObject costs a fifth of one keyed by raw bytes.
const signingKeys = new WeakMap<Buffer, Map<string, KeyObject>>();

function signingKey(secret: Buffer, scope: ParsedAuthorization): KeyObject {
  let perSecret = signingKeys.get(secret);
  if (!perSecret) signingKeys.set(secret, (perSecret = new Map()));
  const cacheKey = scope.scope;
  const cached = perSecret.get(cacheKey);
  if (cached) return cached;
  let key: Buffer = createHmac('sha256', Buffer.concat([Buffer.from('AWS4'), secret])).update(scope.scopeDate).digest();
  for (const part of [scope.scopeRegion, scope.scopeService, scope.scopeTerminator]) key = createHmac('sha256', key).update(part).digest();
  if (perSecret.size > 16) perSecret.clear();
  const keyObject = createSecretKey(key);
  key.fill(0);
  perSecret.set(cacheKey, keyObject);
  return keyObject;
}

function checkScope(auth: ParsedAuthorization, amzDate: string, verifier: SigV4Verifier): void {
  if (auth.scopeDate !== amzDate.slice(0, 8)) {
    throw invalid(`Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate.slice(0, 20)}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }
  if (auth.scopeRegion !== verifier.region) {
    throw invalid(`Credential should be scoped to a valid region, not '${auth.scopeRegion.slice(0, 64)}'. This node serves region '${verifier.region}'.`);
  }
  if (auth.scopeService !== verifier.service) throw invalid(`Credential should be scoped to correct service: '${verifier.service}'.`);
  if (auth.scopeTerminator !== 'aws4_request') throw invalid(`Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.scopeTerminator.slice(0, 40)}'.`);
  if (!auth.signedHeaders.includes('host')) {
    throw new LatchkeyError('IncompleteSignatureException', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
}

function checkTime(requestMs: number, amzDate: string, nowMs: number): void {
  if (requestMs < nowMs - SIGV4_SKEW_MS_MAX) {
    throw invalid(`Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - SIGV4_SKEW_MS_MAX)} (${formatAmzDate(nowMs)} - 5 min.)`);
  }
  if (requestMs > nowMs + SIGV4_SKEW_MS_MAX) {
    throw invalid(`Signature not yet current: ${amzDate} is still later than ${formatAmzDate(nowMs + SIGV4_SKEW_MS_MAX)} (${formatAmzDate(nowMs)} + 5 min.)`);
  }
}

function single(headers: Map<string, string[]>, name: string): string | undefined {
  const values = headers.get(name);
  if (values === undefined) return undefined;
  if (values.length !== 1) throw new LatchkeyError('IncompleteSignatureException', `the request carries ${values.length} ${name} headers`);
  return values[0];
}

export function verifySigV4(request: SignedRequest, verifier: SigV4Verifier): VerifiedCaller {
  const headers = headerValues(request.rawHeaders);
  const authorization = single(headers, 'authorization');
  if (authorization === undefined) throw new LatchkeyError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const auth = parseAuthorization(authorization);
  const time = requestTime(single(headers, 'x-amz-date'), single(headers, 'date'));
  checkScope(auth, time.amzDate, verifier);
  // Latchkey issues no session tokens, so a request carrying one was made with someone else's credentials.
  if (headers.has('x-amz-security-token')) throw unrecognized();
  const credential = verifier.lookup(auth.accessKeyId);
  if (!credential) throw unrecognized();
  checkTime(time.ms, time.amzDate, verifier.nowMs());
  const payloadHash = sha256Hex(request.body);
  const declared = single(headers, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== payloadHash) throw invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  const stringToSign = `${SIGV4_ALGORITHM}\n${time.amzDate}\n${auth.scope}\n${sha256Hex(canonicalRequest(request, auth, headers, payloadHash))}`;
  const expected = createHmac('sha256', signingKey(credential.secret, auth)).update(stringToSign).digest();
  const given = /^[0-9a-f]{64}$/.test(auth.signature) ? Buffer.from(auth.signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalid('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  return { accessKeyId: auth.accessKeyId, principal: credential.principal };
}
