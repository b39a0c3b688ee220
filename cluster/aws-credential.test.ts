// Proves what cluster:up adds to the manifest for AWS clients, against a real (in-process) node:
// every region's awsUrl (the node's own URL) and the admin principal's access key id and secret,
// which the real AWS SDK then uses against that region; and that the next up revokes the
// credential the previous up issued, keeping only the id (never the secret) in the base folder.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { startTestNode, type TestNode } from '../packages/node/src/testing/test-node.ts';
import { replacePreviousAwsCredential, withAwsCredential } from './aws-credential.ts';
import type { Manifest, ManifestRegion } from './manifest.ts';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(async () => {
  await t?.close();
});

function manifestFor(node: TestNode): Manifest {
  const region = { name: node.node.config.region, url: node.url, nodeLogPath: '/dev/null' } as ManifestRegion;
  return { regions: [region], adminToken: node.token, base: node.dataDir } as unknown as Manifest;
}

describe('the AWS credential of cluster:up', () => {
  it('lists awsUrl per region and a credential of the admin principal that AWS clients can use', async () => {
    const manifest = await withAwsCredential(manifestFor(t), { log: () => undefined });
    expect(manifest.regions[0]?.awsUrl).toBe(t.url);
    expect(manifest.awsAccessKeyId).toMatch(/^LKIA/);
    const described = await t.call('GET', `/v1/aws-credentials/${manifest.awsAccessKeyId}`);
    expect(described.body).toMatchObject({ principal: 'admin', usable: true });
    const kms = new KMSClient({
      endpoint: manifest.regions[0]!.awsUrl, region: manifest.regions[0]!.name,
      credentials: { accessKeyId: manifest.awsAccessKeyId!, secretAccessKey: manifest.awsSecretAccessKey! },
    });
    expect((await kms.send(new ListKeysCommand({}))).Keys).toBeDefined();
    kms.destroy();
  });

  it('revokes the previous run\'s credential on the next run and keeps only ids on disk', async () => {
    const lines: string[] = [];
    const first = await withAwsCredential(manifestFor(t), { log: () => undefined });
    await replacePreviousAwsCredential(first, (line) => lines.push(line));
    const second = await withAwsCredential(manifestFor(t), { log: () => undefined });
    await replacePreviousAwsCredential(second, (line) => lines.push(line));
    expect(lines).toEqual([`revoked the AWS credential ${first.awsAccessKeyId} of the previous run`]);
    expect((await t.call('GET', `/v1/aws-credentials/${first.awsAccessKeyId}`)).status).toBe(404);
    expect((await t.call('GET', `/v1/aws-credentials/${second.awsAccessKeyId}`)).status).toBe(200);
    const kept = await readFile(join(t.dataDir, 'aws-credential-id'), 'utf8');
    expect(kept.trim()).toBe(second.awsAccessKeyId);
    expect(kept).not.toContain(second.awsSecretAccessKey!);
  });
});
