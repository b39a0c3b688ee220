// Proves the AWS Encryption SDK for JavaScript (@aws-crypto/client-node), with a KMS keyring whose
// client is a stock KMSClient pointed at a node, encrypts and decrypts buffers and streams (the
// keyring calls GenerateDataKey, Encrypt and Decrypt and checks the KeyId ARNs the node answers),
// works with a discovery keyring and a second wrapping key, and that a tampered encryption context
// fails to decrypt.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { startTestNode, type TestNode } from '../../testing/test-node.ts';
import { issueAwsCredential } from '../../testing/aws-test-client.ts';

let t: TestNode;
let kms: KMS;
let generatorArn: string;
let secondArn: string;
const { encrypt, decrypt, encryptStream, decryptUnsignedMessageStream, decryptStream } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

function keyring(keyIds: { generatorKeyId?: string; keyIds?: string[]; discovery?: boolean }): KmsKeyringNode {
  // The keyring asks for a client per region (taken from the key ARN); every region here is this node.
  // It calls the aggregated client's methods (kms.generateDataKey(...)), so it gets KMS, a KMSClient subclass.
  return new KmsKeyringNode({ ...keyIds, clientProvider: () => kms } as ConstructorParameters<typeof KmsKeyringNode>[0]);
}

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  t = await startTestNode();
  kms = new KMS({ endpoint: t.node.awsUrl, region: t.node.config.region, credentials: await issueAwsCredential(t, 'esdk-app') });
  generatorArn = (await kms.send(new CreateKeyCommand({ Description: 'esdk generator' }))).KeyMetadata!.Arn!;
  secondArn = (await kms.send(new CreateKeyCommand({ Description: 'esdk second' }))).KeyMetadata!.Arn!;
});
afterAll(async () => {
  kms?.destroy();
  await t?.close();
});

describe('AWS Encryption SDK with a KMS keyring on a Latchkey node', () => {
  it('encrypts and decrypts a buffer, keeping the encryption context', async () => {
    const plaintext = Buffer.from('the quick brown fox');
    const context = { purpose: 'esdk-test', tenant: 'acme' };
    const { result } = await encrypt(keyring({ generatorKeyId: generatorArn }), plaintext, { encryptionContext: context });
    const decrypted = await decrypt(keyring({ generatorKeyId: generatorArn }), result);
    expect(decrypted.plaintext.equals(plaintext)).toBe(true);
    expect(decrypted.messageHeader.encryptionContext).toMatchObject(context);
    expect(decrypted.messageHeader.encryptedDataKeys.map((k) => k.providerInfo)).toEqual([generatorArn]);
  });

  it('wraps the data key under two keys; either one, or a discovery keyring, decrypts', async () => {
    const plaintext = randomBytes(1000);
    const { result } = await encrypt(keyring({ generatorKeyId: generatorArn, keyIds: [secondArn] }), plaintext, { encryptionContext: { k: 'v' } });
    for (const ring of [keyring({ keyIds: [secondArn] }), keyring({ discovery: true })]) {
      expect((await decrypt(ring, result)).plaintext.equals(plaintext)).toBe(true);
    }
  });

  it('encrypts and decrypts a stream', async () => {
    const plaintext = randomBytes(3 * 1024 * 1024 + 17);
    const encrypted = await drain(Readable.from([plaintext.subarray(0, 1_000_000), plaintext.subarray(1_000_000)])
      .pipe(encryptStream(keyring({ generatorKeyId: generatorArn }), { encryptionContext: { stream: 'yes' } })));
    const decrypted = await drain(Readable.from([encrypted]).pipe(decryptStream(keyring({ generatorKeyId: generatorArn }))));
    expect(decrypted.equals(plaintext)).toBe(true);
    // The unsigned-message stream decryptor refuses signed messages; the default suite signs, so this proves the suite.
    await expect(drain(Readable.from([encrypted]).pipe(decryptUnsignedMessageStream(keyring({ generatorKeyId: generatorArn }))))).rejects.toThrow();
  }, 60_000);

  it('fails to decrypt when the encryption context in the message was tampered with', async () => {
    const { result } = await encrypt(keyring({ generatorKeyId: generatorArn }), Buffer.from('secret'), { encryptionContext: { purpose: 'payroll' } });
    const at = result.indexOf(Buffer.from('payroll'));
    expect(at).toBeGreaterThan(0);
    const tampered = Buffer.from(result);
    tampered.write('paYroll', at);
    const refused = await decrypt(keyring({ generatorKeyId: generatorArn }), tampered).then(() => null, (error: Error) => error);
    // The node itself refused: the context is bound to the data key's ciphertext as AAD.
    expect(refused?.message).toContain('InvalidCiphertextException');
    // Untouched, it still decrypts: the failure came from the tampering.
    expect((await decrypt(keyring({ generatorKeyId: generatorArn }), result)).plaintext.toString()).toBe('secret');
  });
});
