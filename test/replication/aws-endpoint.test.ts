// Proves the AWS endpoint across a real 3-region deployment (3 nats-servers, JetStream R3): an AWS
// credential issued in one region replicates, its secret wrapped per region, so it signs requests
// in every region (each region's SigV4 scope is its own name); the secret is nowhere in the clear
// on disk, neither in the nodes' stores nor in JetStream's; a key created through the AWS API
// lives in its region only until ReplicateKey adds a region (mapped onto its region policy) or
// it was created MultiRegion; a revocation in any region reaches every region.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ListKeysCommand, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { eventually, startTestCluster, type TestCluster } from './harness.ts';

let c: TestCluster;
let credentials: { accessKeyId: string; secretAccessKey: string };
const clients = new Map<string, KMSClient>();

function kms(region: string, scope = region): KMSClient {
  const key = `${region}/${scope}`;
  let client = clients.get(key);
  if (!client) clients.set(key, (client = new KMSClient({ endpoint: c.at(region).node.awsUrl, region: scope, credentials, maxAttempts: 1 })));
  return client;
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  return promise.then(() => 'ok', (error: Error) => error.name);
}

beforeAll(async () => {
  c = await startTestCluster();
  const issued = await c.at('eu').call('POST', '/v1/aws-credentials', { principal: 'aws-everywhere' }, c.token);
  expect(issued.status).toBe(201);
  credentials = { accessKeyId: issued.body.accessKeyId, secretAccessKey: issued.body.secretAccessKey };
  for (const region of c.regions) {
    await eventually(async () => {
      const answer = await c.at(region).call('GET', `/v1/aws-credentials/${credentials.accessKeyId}`, undefined, c.token);
      return answer.status === 200 && answer.body.usable ? true : undefined;
    }, 20_000, `credential usable in ${region}`);
  }
}, 120_000);

afterAll(async () => {
  for (const client of clients.values()) client.destroy();
  await c?.stop();
});

describe('the AWS endpoint in a replicated deployment', () => {
  it('accepts the credential in every region, each with its own SigV4 region', async () => {
    for (const region of c.regions) expect((await kms(region).send(new ListKeysCommand({}))).Keys).toBeDefined();
    expect(await errorName(kms('us', 'eu').send(new ListKeysCommand({})))).toBe('InvalidSignatureException');
  });

  it('keeps the secret out of every data folder, the stream included', async () => {
    const clear = Buffer.from(credentials.secretAccessKey);
    const entries = await readdir(c.base, { withFileTypes: true, recursive: true });
    const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
    expect(files.some((f) => f.includes(`${path.sep}nats${path.sep}`))).toBe(true);
    for (const file of files) expect((await readFile(file)).includes(clear), `${file} holds the secret in the clear`).toBe(false);
  });

  it('creates keys in their region only; ReplicateKey adds a region to the key policy', async () => {
    const meta = (await kms('eu').send(new CreateKeyCommand({ Description: 'eu only' }))).KeyMetadata!;
    expect(meta.MultiRegion).toBe(false);
    const { CiphertextBlob } = await kms('eu').send(new EncryptCommand({ KeyId: meta.Arn, Plaintext: Buffer.from('hello us') }));
    await eventually(async () => ((await errorName(kms('us').send(new DecryptCommand({ CiphertextBlob })))) === 'KeyNotAllowedInRegionException' ? true : undefined), 20_000, 'refusal in us');
    const replicated = await kms('eu').send(new ReplicateKeyCommand({ KeyId: meta.KeyId, ReplicaRegion: 'us' }));
    expect(replicated.ReplicaKeyMetadata).toMatchObject({ Arn: `arn:aws:kms:us:000000000000:key/${meta.KeyId}`, MultiRegion: true });
    expect(replicated.ReplicaKeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');
    const decrypted = await eventually(async () => kms('us').send(new DecryptCommand({ CiphertextBlob })).catch(() => undefined), 20_000, 'decrypt in us');
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('hello us');
    expect(decrypted.KeyId).toBe(`arn:aws:kms:us:000000000000:key/${meta.KeyId}`);
    expect(await errorName(kms('eu').send(new ReplicateKeyCommand({ KeyId: meta.KeyId, ReplicaRegion: 'us' })))).toBe('AlreadyExistsException');
    expect(await errorName(kms('ap').send(new DecryptCommand({ CiphertextBlob })))).toBe('KeyNotAllowedInRegionException');
  }, 60_000);

  it('creates a MultiRegion key usable in every region, described the same way everywhere', async () => {
    const meta = (await kms('ap').send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    const { CiphertextBlob } = await kms('ap').send(new EncryptCommand({ KeyId: meta.KeyId, Plaintext: Buffer.from('everywhere') }));
    for (const region of c.regions) {
      const decrypted = await eventually(async () => kms(region).send(new DecryptCommand({ CiphertextBlob })).catch(() => undefined), 20_000, `decrypt in ${region}`);
      expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('everywhere');
      const described = (await kms(region).send(new DescribeKeyCommand({ KeyId: meta.KeyId }))).KeyMetadata!;
      expect(described.MultiRegionConfiguration?.PrimaryKey?.Region).toBe('ap');
      expect(described.MultiRegionConfiguration?.ReplicaKeys?.map((r) => r.Region)).toEqual(['eu', 'us']);
    }
  }, 60_000);

  it('revokes the credential in every region', async () => {
    expect((await c.at('us').call('DELETE', `/v1/aws-credentials/${credentials.accessKeyId}`, undefined, c.token)).status).toBe(204);
    for (const region of c.regions) {
      await eventually(async () => ((await errorName(kms(region).send(new ListKeysCommand({})))) === 'UnrecognizedClientException' ? true : undefined), 20_000, `revoked in ${region}`);
    }
  }, 60_000);
});
