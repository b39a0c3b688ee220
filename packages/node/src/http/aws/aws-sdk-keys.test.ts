// Proves the AWS SDK for JavaScript v3 (@aws-sdk/client-kms, unchanged but for endpoint and
// credentials) manages keys on a node: CreateKey, DescribeKey by id / ARN / alias / alias ARN,
// ListKeys and ListAliases pagination (Marker, Limit, NextMarker, Truncated, and the SDK's own
// paginators), enable/disable, description, deletion scheduling and cancellation (the key comes
// back Disabled), tags, aliases, rotation (status, period, on demand, ListKeyRotations) and
// ReplicateKey's refusals in a one-region deployment; every refusal with AWS's error name and
// HTTP 400, every date as a Date (the wire carries epoch seconds).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand,
  DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GetKeyRotationStatusCommand, KMSClient,
  ListAliasesCommand, ListKeyRotationsCommand, ListKeysCommand, ListResourceTagsCommand, ReplicateKeyCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand, TagResourceCommand, UntagResourceCommand, UpdateAliasCommand, UpdateKeyDescriptionCommand,
  paginateListAliases, paginateListKeys,
} from '@aws-sdk/client-kms';
import { startTestNode, type TestNode } from '../../testing/test-node.ts';
import { issueAwsCredential, kmsClientFor } from '../../testing/aws-test-client.ts';

let t: TestNode;
let kms: KMSClient;
const ARN_PREFIX = 'arn:aws:kms:local:000000000000';

beforeAll(async () => {
  t = await startTestNode();
  kms = kmsClientFor(t, await issueAwsCredential(t));
});
afterAll(async () => {
  kms?.destroy();
  await t?.close();
});

/** The error the SDK raised: its AWS name, HTTP status and request id. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined; requestId: string | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, requestId: e.$metadata?.requestId, message: e.message };
  }
  throw new TypeError('expected the call to fail');
}

async function newKey(input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}): Promise<string> {
  return (await kms.send(new CreateKeyCommand(input))).KeyMetadata?.KeyId as string;
}

describe('CreateKey and DescribeKey', () => {
  it('create a key and describe it by id, ARN, alias name and alias ARN', async () => {
    const created = await kms.send(new CreateKeyCommand({ Description: 'orders', Tags: [{ TagKey: 'team', TagValue: 'pay' }] }));
    const meta = created.KeyMetadata!;
    expect(meta).toMatchObject({
      AWSAccountId: '000000000000', Arn: `${ARN_PREFIX}:key/${meta.KeyId}`, Enabled: true, KeyState: 'Enabled', Description: 'orders',
      KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT', Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'], MultiRegion: false,
    });
    expect(meta.CreationDate).toBeInstanceOf(Date);
    expect(meta.CreationDate?.getTime()).toBe(t.clock.nowMs());
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/describe-me', TargetKeyId: meta.Arn }));
    for (const keyId of [meta.KeyId!, meta.Arn!, 'alias/describe-me', `${ARN_PREFIX}:alias/describe-me`]) {
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyId).toBe(meta.KeyId);
    }
  });

  it('create signing, MAC and multi-Region keys', async () => {
    const signing = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    expect(signing).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    const mac = (await kms.send(new CreateKeyCommand({ CustomerMasterKeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    expect(mac).toMatchObject({ KeySpec: 'HMAC_256', MacAlgorithms: ['HMAC_SHA_256'] });
    const multi = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
    expect(multi.MultiRegion).toBe(true);
    expect(multi.MultiRegionConfiguration).toMatchObject({ MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Region: 'local', Arn: multi.Arn }, ReplicaKeys: [] });
  });

  it('refuse what AWS refuses, with its names and HTTP 400', async () => {
    expect(await failure(kms.send(new CreateKeyCommand({ KeySpec: 'SM2' as never })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failure(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })))).toMatchObject({ name: 'UnsupportedOperationException', status: 400 });
    expect(await failure(kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })))).toMatchObject({ name: 'ValidationException' });
    const missing = await failure(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })));
    expect(missing).toMatchObject({ name: 'NotFoundException', status: 400 });
    expect(missing.requestId).toMatch(/.+/);
    expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:local:111111111111:key/x' })))).toMatchObject({ name: 'NotFoundException' });
    expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/nothing-here' })))).toMatchObject({ name: 'NotFoundException' });
  });
});

describe('ListKeys and ListAliases', () => {
  it('page through every key with Limit and Marker, and with the SDK paginator', async () => {
    const made = new Set<string>();
    for (let i = 0; i < 5; i++) made.add(await newKey({ Description: `page ${i}` }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await kms.send(new ListKeysCommand({ Limit: 2, ...(marker ? { Marker: marker } : {}) }));
      expect(page.Keys!.length).toBeLessThanOrEqual(2);
      for (const key of page.Keys!) {
        expect(key.KeyArn).toBe(`${ARN_PREFIX}:key/${key.KeyId}`);
        seen.push(key.KeyId!);
      }
      expect(page.Truncated).toBe(page.NextMarker !== undefined);
      marker = page.NextMarker;
      pages += 1;
    } while (marker);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    const viaPaginator: string[] = [];
    for await (const page of paginateListKeys({ client: kms, pageSize: 3 }, {})) viaPaginator.push(...page.Keys!.map((k) => k.KeyId!));
    expect(viaPaginator).toEqual(seen);
    expect(await failure(kms.send(new ListKeysCommand({ Limit: 0 })))).toMatchObject({ name: 'ValidationException' });
  });

  it('page through aliases, optionally of one key', async () => {
    const keyId = await newKey();
    for (const name of ['alias/list-a', 'alias/list-b', 'alias/list-c']) await kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: keyId }));
    const all: string[] = [];
    for await (const page of paginateListAliases({ client: kms, pageSize: 2 }, { KeyId: keyId })) {
      expect(page.Aliases!.length).toBeLessThanOrEqual(2);
      for (const alias of page.Aliases!) {
        expect(alias).toMatchObject({ TargetKeyId: keyId, AliasArn: `${ARN_PREFIX}:${alias.AliasName}` });
        expect(alias.CreationDate).toBeInstanceOf(Date);
        all.push(alias.AliasName!);
      }
    }
    expect(all).toEqual(['alias/list-a', 'alias/list-b', 'alias/list-c']);
    const first = await kms.send(new ListAliasesCommand({ KeyId: keyId, Limit: 1 }));
    expect(first).toMatchObject({ Truncated: true, NextMarker: 'alias/list-a' });
  });
});

describe('key state', () => {
  it('disable, enable and update the description', async () => {
    const keyId = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ Enabled: false, KeyState: 'Disabled' });
    expect(await failure(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))).toMatchObject({ name: 'DisabledException', status: 400 });
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'renamed' }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ Enabled: true, Description: 'renamed' });
  });

  it('schedule deletion (KMSInvalidStateException while pending), then cancel: the key is Disabled', async () => {
    const keyId = await newKey();
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: `${ARN_PREFIX}:key/${keyId}`, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate?.getTime()).toBe(t.clock.nowMs() + 7 * 86_400_000);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', PendingDeletionWindowInDays: 7 });
    expect(await failure(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })))).toMatchObject({ name: 'KMSInvalidStateException' });
    expect(await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }))).toMatchObject({ KeyId: `${ARN_PREFIX}:key/${keyId}` });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 3 })))).toMatchObject({ name: 'ValidationException' });
  });
});

describe('tags', () => {
  it('tag, list page by page and untag', async () => {
    const keyId = await newKey({ Tags: [{ TagKey: 'a', TagValue: '1' }] });
    await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'b', TagValue: '2' }, { TagKey: 'c', TagValue: '' }] }));
    const first = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 2 }));
    expect(first).toMatchObject({ Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }], Truncated: true, NextMarker: 'b' });
    const second = await kms.send(new ListResourceTagsCommand({ KeyId: keyId, Limit: 2, Marker: first.NextMarker }));
    expect(second).toMatchObject({ Tags: [{ TagKey: 'c', TagValue: '' }], Truncated: false });
    expect(second.NextMarker).toBeUndefined();
    await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['a', 'c'] }));
    expect((await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([{ TagKey: 'b', TagValue: '2' }]);
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    expect((await failure(kms.send(new TagResourceCommand({ KeyId: keyId, Tags: tooMany })))).name).toMatch(/TagException|ValidationException/);
  });
});

describe('aliases', () => {
  it('create, move to a key of the same kind, delete; refuse duplicates and unknown names', async () => {
    const [one, two] = [await newKey(), await newKey()];
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: one }));
    expect(await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: two })))).toMatchObject({ name: 'AlreadyExistsException' });
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: `${ARN_PREFIX}:key/${two}` }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/moving' }))).KeyMetadata?.KeyId).toBe(two);
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/moving' }));
    expect(await failure(kms.send(new DeleteAliasCommand({ AliasName: 'alias/moving' })))).toMatchObject({ name: 'NotFoundException' });
    expect(await failure(kms.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: one })))).toMatchObject({ name: 'InvalidAliasNameException' });
  });
});

describe('rotation', () => {
  it('reports, enables with a period, rotates on demand and lists rotations page by page', async () => {
    const keyId = await newKey();
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).toMatchObject({ KeyRotationEnabled: false, KeyId: `${ARN_PREFIX}:key/${keyId}` });
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    expect(status.NextRotationDate?.getTime()).toBe(t.clock.nowMs() + 90 * 86_400_000);
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(false);
    for (let i = 0; i < 3; i++) expect(await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))).toMatchObject({ KeyId: `${ARN_PREFIX}:key/${keyId}` });
    const first = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, Limit: 2 }));
    expect(first.Rotations).toHaveLength(2);
    expect(first.Rotations![0]).toMatchObject({ RotationType: 'ON_DEMAND', KeyId: `${ARN_PREFIX}:key/${keyId}` });
    expect(first.Rotations![0]!.RotationDate).toBeInstanceOf(Date);
    expect(first.Truncated).toBe(true);
    const rest = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId, Marker: first.NextMarker }));
    expect(rest).toMatchObject({ Truncated: false });
    expect(rest.Rotations).toHaveLength(1);
    expect(await failure(kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 30 })))).toMatchObject({ name: 'ValidationException' });
  });

  it('refuses rotation questions about asymmetric keys, as AWS does', async () => {
    const signing = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    for (const command of [new GetKeyRotationStatusCommand({ KeyId: signing }), new EnableKeyRotationCommand({ KeyId: signing }), new RotateKeyOnDemandCommand({ KeyId: signing })]) {
      expect(await failure(kms.send(command as never))).toMatchObject({ name: 'UnsupportedOperationException' });
    }
  });
});

describe('ReplicateKey in a one-region deployment', () => {
  it('refuses the region the key is already in and regions outside the deployment', async () => {
    const keyId = await newKey();
    expect(await failure(kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'local' })))).toMatchObject({ name: 'AlreadyExistsException' });
    expect(await failure(kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-east-1' })))).toMatchObject({ name: 'ValidationException' });
  });
});
