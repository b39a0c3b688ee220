// Proves the HTTP edge: authentication and admin-only token management, request ids, the error
// catalogue for malformed input (bad JSON, unknown fields, wrong types, oversized bodies, unknown
// routes, wrong media type) answering 4xx with a stable code, health, readiness, metrics, OpenAPI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, startTestNode, type TestNode } from './testing/test-node.ts';

let t: TestNode;
let keyId: string;

beforeAll(async () => {
  t = await startTestNode({ env: { LATCHKEY_BODY_LIMIT_BYTES: '16384' } });
  keyId = (await t.call('POST', '/v1/keys', {})).body.keyMetadata.keyId;
});
afterAll(async () => {
  await t.close();
});

describe('authentication', () => {
  it('needs a bearer token on /v1', async () => {
    expect((await t.call('GET', '/v1/keys', undefined, { token: null })).body.code).toBe('MissingAuthenticationTokenException');
    const wrong = await t.call('GET', '/v1/keys', undefined, { token: 'lk_nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('UnrecognizedClientException');
  });

  it('lets admins issue and revoke tokens; other principals may not', async () => {
    const issued = await t.call('POST', '/v1/tokens', { principal: 'app-1' });
    expect(issued.status).toBe(201);
    const appToken = issued.body.token as string;
    expect((await t.call('GET', '/v1/whoami', undefined, { token: appToken })).body).toEqual({ principal: 'app-1', admin: false });
    expect((await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64('x') }, { token: appToken })).status).toBe(200);
    expect((await t.call('POST', '/v1/tokens', { principal: 'x' }, { token: appToken })).body.code).toBe('AccessDeniedException');
    const listed = await t.call('GET', '/v1/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(appToken);
    expect((await t.call('DELETE', `/v1/tokens/${issued.body.tokenId}`)).status).toBe(204);
    expect((await t.call('GET', '/v1/whoami', undefined, { token: appToken })).body.code).toBe('UnrecognizedClientException');
  });

  it('stores the admin token file with mode 0600', async () => {
    const { stat } = await import('node:fs/promises');
    const info = await stat(t.node.config.adminTokenFile);
    expect(info.mode & 0o777).toBe(0o600);
  });
});

describe('malformed requests get 4xx with a stable code', () => {
  const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [
    ['invalid JSON', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, undefined, { rawBody: '{"plaintext":' }), 400, 'SerializationException'],
    ['empty JSON body', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, undefined, { rawBody: '' }), 400, 'SerializationException'],
    ['unknown field', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64('x'), bogus: 1 }), 400, 'ValidationException'],
    ['wrong type', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: 42 }), 400, 'ValidationException'],
    ['not base64', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: 'not base64!' }), 400, 'ValidationException'],
    ['plaintext over 4096 bytes', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64(Buffer.alloc(4097)) }), 400, 'ValidationException'],
    ['oversized body', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: 'A'.repeat(20_000) }), 413, 'RequestTooLargeException'],
    ['unknown route', () => t.call('GET', '/v1/nothing-here'), 404, 'UnknownOperationException'],
    ['wrong media type', () => t.call('POST', `/v1/keys/${keyId}/encrypt`, undefined, { rawBody: 'x', headers: { 'content-type': 'text/plain' } }), 415, 'UnsupportedMediaTypeException'],
    ['unknown key', () => t.call('POST', '/v1/keys/00000000-0000-4000-8000-000000000000/encrypt', { plaintext: b64('x') }), 404, 'NotFoundException'],
    ['garbage key reference', () => t.call('POST', '/v1/keys/%00%ff/encrypt', { plaintext: b64('x') }), 404, 'NotFoundException'],
    ['bad keySpec', () => t.call('POST', '/v1/keys', { keySpec: 'AES_999' }), 400, 'ValidationException'],
    ['bad usage for spec', () => t.call('POST', '/v1/keys', { keySpec: 'HMAC_256', keyUsage: 'SIGN_VERIFY' }), 400, 'ValidationException'],
    ['garbage ciphertext', () => t.call('POST', '/v1/decrypt', { ciphertext: b64('garbage garbage garbage garbage garbage') }), 400, 'InvalidCiphertextException'],
    ['JSON array body', () => t.call('POST', '/v1/keys', [1, 2]), 400, 'ValidationException'],
    ['prototype pollution', () => t.call('POST', '/v1/keys', undefined, { rawBody: '{"__proto__":{"admin":true}}' }), 400, 'SerializationException'],
  ];
  for (const [name, send, status, code] of cases) {
    it(name, async () => {
      const res = await send();
      expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
      expect(typeof res.body.message).toBe('string');
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    });
  }
});

describe('operations endpoints', () => {
  it('echoes a request id or makes one', async () => {
    const res = await t.call('GET', '/healthz', undefined, { headers: { 'x-request-id': 'drill-42' } });
    expect(res.headers.get('x-request-id')).toBe('drill-42');
    expect((await t.call('GET', '/healthz')).headers.get('x-request-id')).toMatch(/.+/);
  });

  it('answers health, readiness and metrics without a token', async () => {
    expect((await t.call('GET', '/healthz', undefined, { token: null })).status).toBe(200);
    expect((await t.call('GET', '/readyz', undefined, { token: null })).body.status).toBe('ready');
    const metrics = await t.call('GET', '/metrics', undefined, { token: null });
    expect(metrics.body).toContain('latchkey_requests_total{');
    expect(metrics.body).toMatch(/latchkey_keys\{[^}]*state="Enabled"[^}]*\} [1-9]/);
    expect(metrics.body).toContain('operation="Encrypt"');
    expect(metrics.body).toContain('latchkey_request_duration_seconds_bucket');
  });

  it('publishes an OpenAPI document naming every operation', async () => {
    const doc = await t.call('GET', '/v1/openapi.json', undefined, { token: null });
    expect(doc.body.openapi).toBe('3.1.0');
    const ops = Object.values(doc.body.paths).flatMap((p: any) => Object.values(p).map((o: any) => o.operationId));
    for (const op of ['CreateKey', 'Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'Sign', 'Verify', 'GenerateMac', 'BatchEncrypt', 'CreateAlias', 'CreateToken']) {
      expect(ops).toContain(op);
    }
    expect(doc.body.paths['/v1/keys/{keyId}/encrypt'].post.requestBody).toBeDefined();
  });
});
