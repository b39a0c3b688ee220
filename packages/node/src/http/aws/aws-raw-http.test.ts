// Proves, with raw HTTP, that the AWS endpoint checks SigV4 as AWS does and that malformed requests
// never get a 5xx. Requests are signed by the real AWS SDK (captured instead of sent) and replayed
// as they are or altered: unsigned, unknown access key, wrong secret, stale or future date, an
// altered signed header, an altered body, a session token, another region's scope, a malformed
// Authorization header are all refused with AWS's names, HTTP 400, the AWS error shape and an
// x-amzn-RequestId; an unsigned extra header is ignored, as SigV4 intends. Bad JSON, wrong member
// types, an unknown or missing X-Amz-Target, a wrong content type and oversized bodies are 4xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateKeyCommand, EncryptCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { startTestNode, type TestNode } from '../../testing/test-node.ts';
import { issueAwsCredential, kmsClientFor, sendRaw, signedRequest, type AwsCredentials, type RawAnswer, type RawRequest } from '../../testing/aws-test-client.ts';

let t: TestNode;
let credentials: AwsCredentials;

beforeAll(async () => {
  t = await startTestNode();
  credentials = await issueAwsCredential(t);
});
afterAll(async () => {
  await t?.close();
});

const listKeys = () => new ListKeysCommand({ Limit: 5 });

function expectAwsError(answer: RawAnswer, name: string, status = 400): void {
  expect({ status: answer.status, type: answer.json?.__type }).toEqual({ status, type: name });
  expect(typeof answer.json?.message).toBe('string');
  expect(answer.headers['x-amzn-requestid']).toMatch(/.+/);
  expect(answer.headers['content-type']).toContain('application/x-amz-json-1.1');
}

function without(request: RawRequest, header: string): RawRequest {
  const headers = { ...request.headers };
  delete headers[header];
  return { ...request, headers };
}

describe('SigV4 signatures', () => {
  it('accepts a request the SDK signed, replayed byte for byte, and one with an extra unsigned header', async () => {
    const request = await signedRequest(t, credentials, listKeys());
    const answer = await sendRaw(t, request);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ Truncated: false });
    expect(answer.headers['x-amzn-requestid']).toMatch(/.+/);
    expect((await sendRaw(t, { ...request, headers: { ...request.headers, 'x-not-signed': 'anything' } })).status).toBe(200);
  });

  it('refuses an unsigned request: MissingAuthenticationTokenException', async () => {
    expectAwsError(await sendRaw(t, without(await signedRequest(t, credentials, listKeys()), 'authorization')), 'MissingAuthenticationTokenException');
  });

  it('refuses an unknown access key id and a session token: UnrecognizedClientException', async () => {
    const unknown = await signedRequest(t, { accessKeyId: 'LKIAUNKNOWNUNKNOWN00', secretAccessKey: credentials.secretAccessKey }, listKeys());
    expectAwsError(await sendRaw(t, unknown), 'UnrecognizedClientException');
    const request = await signedRequest(t, credentials, listKeys());
    expectAwsError(await sendRaw(t, { ...request, headers: { ...request.headers, 'x-amz-security-token': 'session' } }), 'UnrecognizedClientException');
  });

  it('refuses a signature made with the wrong secret: InvalidSignatureException', async () => {
    const wrong = await signedRequest(t, { accessKeyId: credentials.accessKeyId, secretAccessKey: 'x'.repeat(40) }, listKeys());
    expectAwsError(await sendRaw(t, wrong), 'InvalidSignatureException');
  });

  it('refuses requests dated more than 5 minutes away: InvalidSignatureException (signature expired / not yet current)', async () => {
    const stale = await sendRaw(t, await signedRequest(t, credentials, listKeys(), { systemClockOffsetMs: -6 * 60_000 }));
    expectAwsError(stale, 'InvalidSignatureException');
    expect(stale.json.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const future = await sendRaw(t, await signedRequest(t, credentials, listKeys(), { systemClockOffsetMs: 6 * 60_000 }));
    expect(future.json.message).toMatch(/^Signature not yet current/);
    expect((await sendRaw(t, await signedRequest(t, credentials, listKeys(), { systemClockOffsetMs: -4 * 60_000 }))).status).toBe(200);
  });

  it('refuses an altered signed header and an altered body: InvalidSignatureException', async () => {
    const request = await signedRequest(t, credentials, listKeys());
    expectAwsError(await sendRaw(t, { ...request, headers: { ...request.headers, 'amz-sdk-invocation-id': 'altered' } }), 'InvalidSignatureException');
    expectAwsError(await sendRaw(t, { ...request, body: Buffer.from(request.body.toString().replace('5', '6')) }), 'InvalidSignatureException');
    // Without the declared payload hash the body is still covered: it is hashed into the canonical request.
    const noHash = without(request, 'x-amz-content-sha256');
    expectAwsError(await sendRaw(t, { ...noHash, body: Buffer.from(request.body.toString().replace('5', '6')) }), 'InvalidSignatureException');
  });

  it('refuses a signature scoped to another region or service', async () => {
    const otherRegion = await sendRaw(t, await signedRequest(t, credentials, listKeys(), { region: 'us-east-1' }));
    expectAwsError(otherRegion, 'InvalidSignatureException');
    expect(otherRegion.json.message).toContain("not 'us-east-1'");
    const request = await signedRequest(t, credentials, listKeys());
    const kinesis = request.headers.authorization!.replace('/kms/aws4_request', '/kinesis/aws4_request');
    expectAwsError(await sendRaw(t, { ...request, headers: { ...request.headers, authorization: kinesis } }), 'InvalidSignatureException');
  });

  it('refuses malformed Authorization headers and dates: IncompleteSignatureException', async () => {
    const request = await signedRequest(t, credentials, listKeys());
    const auth = request.headers.authorization!;
    const variants = [
      'Bearer lk_not_here',
      'AWS4-HMAC-SHA256 Credential=only',
      auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;x-amz-date'),
      auth.replace(/Signature=[0-9a-f]+/, 'Sig=abc'),
    ];
    for (const authorization of variants) expectAwsError(await sendRaw(t, { ...request, headers: { ...request.headers, authorization } }), 'IncompleteSignatureException');
    expectAwsError(await sendRaw(t, { ...request, headers: { ...request.headers, 'x-amz-date': '2026-01-01' } }), 'IncompleteSignatureException');
    expectAwsError(await sendRaw(t, without(request, 'x-amz-date')), 'IncompleteSignatureException');
  });

  it('works through the SDK with retries on, and the SDK corrects a skewed clock from the Date header', async () => {
    const kms = kmsClientFor(t, credentials, { maxAttempts: 3, systemClockOffsetMs: -20 * 60_000 });
    const created = await kms.send(new CreateKeyCommand({}));
    expect(created.KeyMetadata?.KeyId).toMatch(/.+/);
    kms.destroy();
  });
});

describe('malformed requests never get a 5xx', () => {
  it('bad JSON, a non-object body and wrong member types are SerializationException', async () => {
    for (const body of ['{"Limit": 5', '[1,2]', '"text"', '{"__proto__": {"x": 1}}']) {
      const answer = await sendRaw(t, await signedRequest(t, credentials, listKeys(), { body }));
      expect(answer.status, body).toBe(400);
      expect(['SerializationException', 'ValidationException']).toContain(answer.json.__type);
    }
    expectAwsError(await sendRaw(t, await signedRequest(t, credentials, listKeys(), { body: '{"Limit": "5"}' })), 'SerializationException');
    const encrypt = new EncryptCommand({ KeyId: 'alias/x', Plaintext: Buffer.from('x') });
    expectAwsError(await sendRaw(t, await signedRequest(t, credentials, encrypt, { body: '{"KeyId": "alias/x", "Plaintext": "not base64!"}' })), 'SerializationException');
    expectAwsError(await sendRaw(t, await signedRequest(t, credentials, encrypt, { body: '{"Plaintext": "eA=="}' })), 'ValidationException');
  });

  it('an empty body is an empty input', async () => {
    expect((await sendRaw(t, await signedRequest(t, credentials, listKeys(), { body: '' }))).status).toBe(200);
  });

  it('an unknown or missing X-Amz-Target is UnknownOperationException, signed or not', async () => {
    const request = await signedRequest(t, credentials, listKeys());
    for (const target of ['TrentService.DeleteEverything', 'TrentService.toString', 'TrentService.__proto__', 'DynamoDB_20120810.ListTables']) {
      expectAwsError(await sendRaw(t, { ...request, headers: { ...request.headers, 'x-amz-target': target } }), 'UnknownOperationException');
    }
    expectAwsError(await sendRaw(t, without(request, 'x-amz-target')), 'UnknownOperationException');
    expectAwsError(await sendRaw(t, without(without(request, 'x-amz-target'), 'authorization')), 'UnknownOperationException');
  });

  it('a wrong content type and an oversized body are refused in the AWS shape', async () => {
    const request = await signedRequest(t, credentials, listKeys());
    for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencoded']) {
      const answer = await sendRaw(t, { ...request, headers: { ...request.headers, 'content-type': type } });
      expect(answer.status).toBe(400);
      expect(answer.json.__type).toBe('UnsupportedMediaTypeException');
      expect(answer.headers['x-amzn-requestid']).toMatch(/.+/);
    }
    const huge = Buffer.from(JSON.stringify({ Limit: 5, Pad: 'x'.repeat(200_000) }));
    const answer = await sendRaw(t, { ...request, headers: { ...request.headers, 'content-length': String(huge.length) }, body: huge });
    expect(answer.status).toBe(400);
    expect(answer.json.__type).toBe('RequestTooLargeException');
  });

  it('leaves the native API as it was', async () => {
    const native = await t.call('GET', '/v1/keys');
    expect(native.status).toBe(200);
    expect(native.headers.get('x-amzn-requestid')).toBeNull();
    const metrics = await t.call('GET', '/metrics', undefined, { token: null });
    expect(metrics.body).toMatch(/operation="aws:ListKeys",result="ok"/);
    expect(metrics.body).toMatch(/operation="aws:ListKeys",result="InvalidSignatureException"/);
  });
});
