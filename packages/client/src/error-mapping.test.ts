// Proves how answers and transport failures become LatchkeyClientError, against a real HTTP server:
// the server's code, message and request id are kept; gateways without a Latchkey body get transport
// codes; a timeout is TimeoutException; and `indeterminate` is true exactly for writes whose outcome
// is unknown (504, timeout, connection lost after sending), never for reads or refused connections.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LatchkeyClient } from './latchkey-client.ts';
import { LatchkeyClientError } from './client-error.ts';
import { startRecordingServer, type RecordingServer } from './testing/recording-server.ts';

let server: RecordingServer;
let client: LatchkeyClient;

beforeAll(async () => {
  server = await startRecordingServer();
  client = new LatchkeyClient({ url: server.url, token: 'tkn', timeoutMs: 300 });
});
afterAll(() => server.close());
beforeEach(() => server.answer({ status: 200, body: {} }));

async function failure(promise: Promise<unknown>): Promise<LatchkeyClientError> {
  const error: unknown = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LatchkeyClientError);
  return error as LatchkeyClientError;
}

async function refusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('answers from the node', () => {
  it('keeps the code, status, message and request id of a Latchkey error body', async () => {
    server.answer({ status: 404, body: { code: 'NotFoundException', message: 'key k not found', requestId: 'req-body' }, headers: { 'x-request-id': 'req-header' } });
    const error = await failure(client.describeKey('k'));
    expect(error).toMatchObject({ code: 'NotFoundException', status: 404, message: 'key k not found', requestId: 'req-body', indeterminate: false });
    expect(error.name).toBe('LatchkeyClientError');
  });

  it('falls back to the x-request-id header and keeps a code it does not know', async () => {
    server.answer({ status: 400, body: { code: 'FutureException', message: 'new' }, headers: { 'x-request-id': 'req-header' } });
    expect(await failure(client.whoami())).toMatchObject({ code: 'FutureException', requestId: 'req-header', status: 400 });
  });

  it('marks a 504 IndeterminateException on a write as indeterminate, and on a read not', async () => {
    server.answer({ status: 504, body: { code: 'IndeterminateException', message: 'unknown outcome', requestId: 'r' } });
    expect(await failure(client.rotateKey('k'))).toMatchObject({ code: 'IndeterminateException', indeterminate: true });
    expect(await failure(client.describeKey('k'))).toMatchObject({ code: 'IndeterminateException', indeterminate: false });
  });

  it('does not mark a definite refusal of a write as indeterminate', async () => {
    server.answer({ status: 409, body: { code: 'ConflictException', message: 'changed concurrently' } });
    expect(await failure(client.enableKey('k'))).toMatchObject({ code: 'ConflictException', indeterminate: false });
    server.answer({ status: 503, body: { code: 'DependencyTimeoutException', message: 'no quorum' } });
    expect(await failure(client.createKey())).toMatchObject({ code: 'DependencyTimeoutException', status: 503, indeterminate: false });
  });

  it('gives gateway answers without a Latchkey body transport codes', async () => {
    server.answer({ status: 504, rawBody: '<html>Gateway Timeout</html>', headers: { 'content-type': 'text/html' } });
    expect(await failure(client.createKey())).toMatchObject({ code: 'TimeoutException', status: 504, indeterminate: true });
    server.answer({ status: 502, rawBody: 'bad gateway' });
    expect(await failure(client.tagKey({ keyId: 'k', tags: { a: 'b' } }))).toMatchObject({ code: 'NetworkError', status: 502, indeterminate: true });
    server.answer({ status: 503, rawBody: 'no upstream' });
    expect(await failure(client.encrypt({ keyId: 'k', plaintext: new Uint8Array(1) }))).toMatchObject({ code: 'NetworkError', indeterminate: false });
    server.answer({ status: 500, rawBody: 'oops' });
    expect(await failure(client.listKeys())).toMatchObject({ code: 'InvalidResponseException', status: 500 });
  });

  it('reports a 2xx answer it cannot read as InvalidResponseException, indeterminate for writes', async () => {
    server.answer({ status: 200, rawBody: 'not json' });
    expect(await failure(client.describeKey('k'))).toMatchObject({ code: 'InvalidResponseException', indeterminate: false });
    server.answer({ status: 201, body: [] });
    expect(await failure(client.createKey())).toMatchObject({ code: 'InvalidResponseException', indeterminate: true });
    server.answer({ status: 200, body: { ciphertext: 'not base64!', keyId: 'k', keyVersion: 1 } });
    const error = await failure(client.encrypt({ keyId: 'k', plaintext: new Uint8Array(1) }));
    expect(error).toMatchObject({ code: 'InvalidResponseException', indeterminate: false });
    expect(error.message).toContain('ciphertext');
  });
});

describe('transport failures', () => {
  it('turns a slow answer into TimeoutException with the request id it sent', async () => {
    server.answer({ status: 200, body: {}, delayMs: 2_000 });
    const started = performance.now();
    const read = await failure(client.describeKey('k'));
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(read).toMatchObject({ code: 'TimeoutException', status: null, indeterminate: false });
    expect(read.requestId).toBe(server.last().headers['x-request-id']);
    const write = await failure(client.scheduleKeyDeletion({ keyId: 'k' }));
    expect(write).toMatchObject({ code: 'TimeoutException', indeterminate: true });
  });

  it('reports a refused connection as NetworkError that is not indeterminate, even for a write', async () => {
    const offline = new LatchkeyClient({ url: `http://127.0.0.1:${await refusedPort()}`, token: 't' });
    const error = await failure(offline.createKey());
    expect(error).toMatchObject({ code: 'NetworkError', status: null, indeterminate: false });
    expect(error.cause).toBeDefined();
  });

  it('reports a connection lost after sending a write as indeterminate', async () => {
    server.answer({ hangUp: true });
    expect(await failure(client.rotateKey('k'))).toMatchObject({ code: 'NetworkError', indeterminate: true });
    expect(await failure(client.describeKey('k'))).toMatchObject({ code: 'NetworkError', indeterminate: false });
  });
});

describe('construction', () => {
  it('fails fast on a bad url, token or timeout', () => {
    expect(() => new LatchkeyClient({ url: 'not a url', token: 't' })).toThrow(TypeError);
    expect(() => new LatchkeyClient({ url: 'ftp://h', token: 't' })).toThrow(/http/);
    expect(() => new LatchkeyClient({ url: 'http://h', token: '' })).toThrow(/token/);
    expect(() => new LatchkeyClient({ url: 'http://h', token: 'a\nb' })).toThrow(/token/);
    expect(() => new LatchkeyClient({ url: 'http://h', token: 't', timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('keeps a path prefix of the base url', async () => {
    const prefixed = new LatchkeyClient({ url: `${server.url}/kms/`, token: 't' });
    server.answer({ body: { principal: 'p', admin: false } });
    await prefixed.whoami();
    expect(server.last().path).toBe('/kms/v1/whoami');
  });
});
