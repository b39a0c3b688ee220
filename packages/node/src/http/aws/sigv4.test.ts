// Proves the SigV4 verifier against known answers of AWS's published Signature Version 4 test
// suite (get-vanilla, post-vanilla, get-vanilla-query-order-key-case) and pins its rules: the
// request time window is 5 minutes either way, the scope must name this region and service, a
// changed method, path, query, signed header or body fails, header values are trimmed and inner
// runs of spaces folded before signing, and dates that do not exist are malformed.
import { describe, expect, it } from 'vitest';
import { LatchkeyError } from '@latchkey/core';
import { parseAmzDate, parseAuthorization } from './sigv4-authorization.ts';
import { verifySigV4, type SignedRequest, type SigV4Verifier } from './sigv4.ts';

const SECRET = Buffer.from('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
const AMZ_DATE = '20150830T123600Z';
const NOW = Date.UTC(2015, 7, 30, 12, 36, 0);
const SCOPE = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

function verifier(overrides: Partial<SigV4Verifier> = {}): SigV4Verifier {
  return {
    region: 'us-east-1', service: 'service', nowMs: () => NOW,
    lookup: (id) => (id === 'AKIDEXAMPLE' ? { principal: 'example', secret: SECRET } : undefined),
    ...overrides,
  };
}

function request(method: string, url: string, signature: string, extra: string[] = [], body = ''): SignedRequest {
  return {
    method, url, body: Buffer.from(body),
    rawHeaders: [
      'Host', 'example.amazonaws.com', 'X-Amz-Date', AMZ_DATE, ...extra,
      'Authorization', `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=host;x-amz-date, Signature=${signature}`,
    ],
  };
}

const VECTORS = [
  { name: 'get-vanilla', method: 'GET', url: '/', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
  { name: 'post-vanilla', method: 'POST', url: '/', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
  { name: 'get-vanilla-query-order-key-case', method: 'GET', url: '/?Param2=value2&Param1=value1', signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
];

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof LatchkeyError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('verifySigV4 on the AWS test suite', () => {
  for (const vector of VECTORS) {
    it(`accepts ${vector.name}`, () => {
      expect(verifySigV4(request(vector.method, vector.url, vector.signature), verifier())).toEqual({ accessKeyId: 'AKIDEXAMPLE', principal: 'example' });
    });
  }

  it('refuses the same signature on another method, path, query or body', () => {
    const [get, post, query] = VECTORS as [typeof VECTORS[0], typeof VECTORS[0], typeof VECTORS[0]];
    expect(codeOf(() => verifySigV4(request('POST', '/', get.signature), verifier()))).toBe('InvalidSignatureException');
    expect(codeOf(() => verifySigV4(request('GET', '/other', get.signature), verifier()))).toBe('InvalidSignatureException');
    expect(codeOf(() => verifySigV4(request('GET', '/?Param2=value2&Param1=value9', query.signature), verifier()))).toBe('InvalidSignatureException');
    expect(codeOf(() => verifySigV4(request('POST', '/', post.signature, [], '{}'), verifier()))).toBe('InvalidSignatureException');
  });

  it('ignores unsigned headers and folds whitespace in signed ones', () => {
    const get = VECTORS[0] as typeof VECTORS[0];
    expect(codeOf(() => verifySigV4(request('GET', '/', get.signature, ['X-Unsigned', 'x']), verifier()))).toBe('accepted');
    const spaced: SignedRequest = { ...request('GET', '/', get.signature), rawHeaders: request('GET', '/', get.signature).rawHeaders.map((h) => (h === 'example.amazonaws.com' ? 'example.amazonaws.com  ' : h)) };
    expect(codeOf(() => verifySigV4(spaced, verifier()))).toBe('accepted');
  });

  it('allows 5 minutes of clock difference either way, and no more', () => {
    const get = VECTORS[0] as typeof VECTORS[0];
    const at = (nowMs: number) => codeOf(() => verifySigV4(request('GET', '/', get.signature), verifier({ nowMs: () => nowMs })));
    expect(at(NOW + 5 * 60_000)).toBe('accepted');
    expect(at(NOW - 5 * 60_000)).toBe('accepted');
    expect(at(NOW + 5 * 60_000 + 1_000)).toBe('InvalidSignatureException');
    expect(at(NOW - 5 * 60_000 - 1_000)).toBe('InvalidSignatureException');
  });

  it('insists on this region and service, a known key and no session token', () => {
    const get = VECTORS[0] as typeof VECTORS[0];
    const plain = request('GET', '/', get.signature);
    expect(codeOf(() => verifySigV4(plain, verifier({ region: 'eu-west-1' })))).toBe('InvalidSignatureException');
    expect(codeOf(() => verifySigV4(plain, verifier({ service: 'kms' })))).toBe('InvalidSignatureException');
    expect(codeOf(() => verifySigV4(plain, verifier({ lookup: () => undefined })))).toBe('UnrecognizedClientException');
    expect(codeOf(() => verifySigV4(request('GET', '/', get.signature, ['X-Amz-Security-Token', 't']), verifier()))).toBe('UnrecognizedClientException');
    expect(codeOf(() => verifySigV4({ ...plain, rawHeaders: plain.rawHeaders.slice(0, 4) }, verifier()))).toBe('MissingAuthenticationTokenException');
  });
});

describe('SigV4 parts', () => {
  it('parses the Authorization header', () => {
    expect(parseAuthorization(`AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=host;x-amz-date, Signature=ab`)).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE', scope: '20150830/us-east-1/service/aws4_request', scopeRegion: 'us-east-1', signedHeaders: ['host', 'x-amz-date'], signature: 'ab',
    });
    expect(codeOf(() => parseAuthorization(`AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1, SignedHeaders=host, Signature=ab`))).toBe('IncompleteSignatureException');
  });

  it('reads ISO-8601 basic dates and refuses ones that do not exist', () => {
    expect(parseAmzDate(AMZ_DATE)).toBe(NOW);
    for (const bad of ['20151330T123600Z', '20150830T246000Z', '2015-08-30T12:36:00Z', '20150830T123600']) expect(parseAmzDate(bad)).toBeNaN();
  });
});
