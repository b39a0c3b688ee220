// Proves the native admin API for AWS credentials: only administrators issue, list and revoke them;
// the secret is shown once and never listed; the secret is not in the data folder or the logs in
// the clear (it is stored wrapped under the root key) yet survives a restart; a revoked credential
// is refused at once with UnrecognizedClientException; the AWS principal is the credential's.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateKeyCommand, DescribeKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { startTestNode, type TestNode } from '../../testing/test-node.ts';
import { issueAwsCredential, kmsClientFor } from '../../testing/aws-test-client.ts';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(async () => {
  await t?.close();
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('AWS credentials through the admin API', () => {
  it('are issued, listed and described by administrators only', async () => {
    const appToken = (await t.call('POST', '/v1/tokens', { principal: 'not-admin' })).body.token as string;
    const refused = await t.call('POST', '/v1/aws-credentials', { principal: 'x' }, { token: appToken });
    expect(refused).toMatchObject({ status: 403, body: { code: 'AccessDeniedException' } });
    expect((await t.call('GET', '/v1/aws-credentials', undefined, { token: appToken })).status).toBe(403);
    expect((await t.call('POST', '/v1/aws-credentials', { principal: 'bad principal!' })).body.code).toBe('ValidationException');

    const issued = await t.call('POST', '/v1/aws-credentials', { principal: 'orders-service' });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ principal: 'orders-service' });
    expect(issued.body.accessKeyId).toMatch(/^LKIA[A-Z2-7]{16}$/);
    expect(issued.body.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    const listed = await t.call('GET', '/v1/aws-credentials');
    const entry = listed.body.credentials.find((c: { accessKeyId: string }) => c.accessKeyId === issued.body.accessKeyId);
    expect(entry).toEqual({ accessKeyId: issued.body.accessKeyId, principal: 'orders-service', creationDate: new Date(t.clock.nowMs()).toISOString(), usable: true });
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.secretAccessKey);
    expect((await t.call('GET', `/v1/aws-credentials/${issued.body.accessKeyId}`)).body).toEqual(entry);
    expect((await t.call('GET', '/v1/aws-credentials/LKIANOTHINGNOTHING00')).body.code).toBe('NotFoundException');
  });

  it('act as their principal', async () => {
    const credentials = await issueAwsCredential(t, 'billing-service');
    const kms = kmsClientFor(t, credentials);
    await kms.send(new CreateKeyCommand({ Description: 'made by billing' }));
    await expect(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' }))).rejects.toMatchObject({ name: 'NotFoundException' });
    kms.destroy();
    const refusal = t.logs.map((line) => JSON.parse(line)).find((entry) => entry.operation === 'aws:DescribeKey');
    expect(refusal).toMatchObject({ principal: 'billing-service', code: 'NotFoundException' });
  });

  it('keep the secret out of the data folder and the logs in the clear, and survive a restart', async () => {
    const credentials = await issueAwsCredential(t, 'restart-service');
    const clear = Buffer.from(credentials.secretAccessKey);
    for (const file of await filesUnder(t.dataDir)) {
      expect((await readFile(file)).includes(clear), `${file} holds the secret in the clear`).toBe(false);
    }
    expect(t.logs.join('')).not.toContain(credentials.secretAccessKey);
    t = await t.restart();
    const kms = kmsClientFor(t, credentials);
    expect((await kms.send(new ListKeysCommand({}))).Keys).toBeDefined();
    kms.destroy();
  });

  it('are refused at once when revoked, and cannot be revoked twice', async () => {
    const credentials = await issueAwsCredential(t, 'short-lived');
    const kms = kmsClientFor(t, credentials);
    await kms.send(new ListKeysCommand({}));
    expect((await t.call('DELETE', `/v1/aws-credentials/${credentials.accessKeyId}`)).status).toBe(204);
    await expect(kms.send(new ListKeysCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 400 } });
    expect((await t.call('DELETE', `/v1/aws-credentials/${credentials.accessKeyId}`)).body.code).toBe('NotFoundException');
    expect((await t.call('GET', `/v1/aws-credentials/${credentials.accessKeyId}`)).status).toBe(404);
    kms.destroy();
  });
});
