// Proves which failures are retried and where: reads and data-plane calls always may be repeated;
// writes only with an idempotency key, or when the connection was refused (nothing was sent); an
// indeterminate write is never repeated without one; region-level failures count against a region,
// a key not yet replicated moves on without blaming the region, and user errors end the call.
import { describe, expect, it } from 'vitest';
import { LatchkeyClientError } from '../client-error.ts';
import { classifyFailure, mayRepeat, outcomeUnknown, provablyNotSent } from './retry-rules.ts';
import type { ApiRequest } from '../api-request.ts';

function failure(code: string, status: number | null, indeterminate = false): LatchkeyClientError {
  return new LatchkeyClientError({ code, message: code, status, requestId: null, indeterminate });
}

const encrypt: ApiRequest = { operation: 'Encrypt', method: 'POST', path: '/v1/keys/k/encrypt', effect: 'read', keyIds: ['k'] };
const describeKey: ApiRequest = { operation: 'DescribeKey', method: 'GET', path: '/v1/keys/k', effect: 'read' };
const createKey: ApiRequest = { operation: 'CreateKey', method: 'POST', path: '/v1/keys', effect: 'write' };
const idempotentCreate: ApiRequest = { ...createKey, idempotent: true };
const rotate: ApiRequest = { operation: 'RotateKeyOnDemand', method: 'POST', path: '/v1/keys/k/rotate', effect: 'write' };

const REFUSED = failure('NetworkError', null, false);
const LOST_AFTER_SEND = failure('NetworkError', null, true);
const WRITE_TIMEOUT = failure('TimeoutException', null, true);
const INDETERMINATE = failure('IndeterminateException', 504, true);

describe('classifyFailure', () => {
  it.each([
    ['NetworkError', null, 'region'],
    ['TimeoutException', null, 'region'],
    ['TimeoutException', 504, 'region'],
    ['DependencyTimeoutException', 503, 'region'],
    ['IndeterminateException', 504, 'region'],
    ['KeyUnavailableException', 503, 'key-elsewhere'],
    ['KeyNotAllowedInRegionException', 403, 'pinned'],
    ['KMSInternalException', 500, 'server'],
    ['InvalidResponseException', 500, 'server'],
    ['InvalidResponseException', 200, 'final'],
    ['NotFoundException', 404, 'final'],
    ['AccessDeniedException', 403, 'final'],
    ['KMSInvalidSignatureException', 400, 'final'],
    ['ConflictException', 409, 'final'],
    ['FutureServerException', 503, 'server'],
    ['FutureUserException', 400, 'final'],
  ] as const)('%s (HTTP %s) is %s', (code, status, expected) => {
    expect(classifyFailure(failure(code, status))).toBe(expected);
  });

  it('treats anything that is not a client error (a bug) as final', () => {
    expect(classifyFailure(new TypeError('boom'))).toBe('final');
  });
});

describe('mayRepeat', () => {
  it('repeats reads and data-plane calls after any failure', () => {
    for (const error of [REFUSED, LOST_AFTER_SEND, failure('TimeoutException', null)]) {
      expect(mayRepeat(encrypt, error)).toBe(true);
      expect(mayRepeat(describeKey, error)).toBe(true);
    }
  });

  it('repeats writes carrying an idempotency key, even after an unknown outcome', () => {
    for (const error of [REFUSED, LOST_AFTER_SEND, WRITE_TIMEOUT, INDETERMINATE]) expect(mayRepeat(idempotentCreate, error)).toBe(true);
  });

  it('never repeats a plain write whose outcome is unknown or that the node refused', () => {
    for (const error of [LOST_AFTER_SEND, WRITE_TIMEOUT, INDETERMINATE, failure('DependencyTimeoutException', 503)]) {
      expect(mayRepeat(createKey, error)).toBe(false);
      expect(mayRepeat(rotate, error)).toBe(false);
    }
  });

  it('repeats a plain write whose connection was refused: it never left', () => {
    expect(provablyNotSent(REFUSED)).toBe(true);
    expect(mayRepeat(createKey, REFUSED)).toBe(true);
  });
});

describe('outcomeUnknown', () => {
  it('is true exactly for writes whose error is indeterminate', () => {
    expect(outcomeUnknown(createKey, WRITE_TIMEOUT)).toBe(true);
    expect(outcomeUnknown(createKey, INDETERMINATE)).toBe(true);
    expect(outcomeUnknown(createKey, REFUSED)).toBe(false);
    expect(outcomeUnknown(encrypt, failure('TimeoutException', null, false))).toBe(false);
  });
});
