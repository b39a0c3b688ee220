// Proves the AWS SDK for JavaScript v3 does cryptography through a node exactly as AWS clients
// expect: Encrypt/Decrypt with an encryption context (a wrong one is InvalidCiphertextException,
// another key named is IncorrectKeyException, a disabled key DisabledException), ReEncrypt, data
// keys and data key pairs, Sign/Verify whose ECDSA signatures are DER and RSA-PSS salts are as long
// as the hash (checked with node:crypto against the DER SPKI public key), MACs, ECDH shared
// secrets (checked against a local ECDH), RSA-OAEP and random bytes; KeyId always answers as an ARN.
import {
  constants, createECDH, createHash, createPrivateKey, createPublicKey, publicEncrypt, verify as verifySignature,
} from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateKeyCommand, DecryptCommand, DeriveSharedSecretCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, GenerateDataKeyCommand,
  GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateMacCommand,
  GenerateRandomCommand, GetPublicKeyCommand, KMSClient, ReEncryptCommand, SignCommand, VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { startTestNode, type TestNode } from '../../testing/test-node.ts';
import { issueAwsCredential, kmsClientFor } from '../../testing/aws-test-client.ts';

let t: TestNode;
let kms: KMSClient;
const arn = (keyId: string) => `arn:aws:kms:local:000000000000:key/${keyId}`;
const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

beforeAll(async () => {
  t = await startTestNode();
  kms = kmsClientFor(t, await issueAwsCredential(t));
});
afterAll(async () => {
  kms?.destroy();
  await t?.close();
});

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new TypeError('expected the call to fail');
}

async function newKey(input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}): Promise<string> {
  return (await kms.send(new CreateKeyCommand(input))).KeyMetadata?.KeyId as string;
}

describe('symmetric encryption', () => {
  it('encrypts and decrypts with an encryption context; KeyId answers as an ARN', async () => {
    const keyId = await newKey();
    const context = { order: '42', tenant: 'acme' };
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('card 4111'), EncryptionContext: context }));
    expect(encrypted).toMatchObject({ KeyId: arn(keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }));
    expect(decrypted).toMatchObject({ KeyId: arn(keyId), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(text(decrypted.Plaintext)).toBe('card 4111');
    const named = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context, KeyId: arn(keyId) }));
    expect(text(named.Plaintext)).toBe('card 4111');
  });

  it('refuses a wrong context, another key, a disabled key and bytes that are not a ciphertext', async () => {
    const [keyId, other] = [await newKey(), await newKey()];
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x'), EncryptionContext: { a: '1' } }));
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: '2' } })))).toEqual({ name: 'InvalidCiphertextException', status: 400 });
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob })))).toMatchObject({ name: 'InvalidCiphertextException' });
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: '1' }, KeyId: other })))).toEqual({ name: 'IncorrectKeyException', status: 400 });
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('not a ciphertext at all') })))).toMatchObject({ name: 'InvalidCiphertextException' });
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: '1' } })))).toEqual({ name: 'DisabledException', status: 400 });
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    const signing = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    expect(await failure(kms.send(new EncryptCommand({ KeyId: signing, Plaintext: Buffer.from('x') })))).toMatchObject({ name: 'InvalidKeyUsageException' });
    expect(await failure(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4097) })))).toMatchObject({ name: 'ValidationException' });
  });

  it('re-encrypts under another key and context without showing the plaintext', async () => {
    const [source, destination] = [await newKey(), await newKey()];
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: source, Plaintext: Buffer.from('move me'), EncryptionContext: { v: '1' } }));
    const moved = await kms.send(new ReEncryptCommand({
      CiphertextBlob, SourceEncryptionContext: { v: '1' }, DestinationKeyId: destination, DestinationEncryptionContext: { v: '2' },
    }));
    expect(moved).toMatchObject({ SourceKeyId: arn(source), KeyId: arn(destination), SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { v: '2' } }));
    expect(decrypted.KeyId).toBe(arn(destination));
    expect(text(decrypted.Plaintext)).toBe('move me');
  });
});

describe('data keys', () => {
  it('generates data keys by NumberOfBytes or KeySpec, with and without plaintext', async () => {
    const keyId = await newKey();
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32, EncryptionContext: { p: 'q' } }));
    expect(dataKey.KeyId).toBe(arn(keyId));
    expect(dataKey.Plaintext).toHaveLength(32);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { p: 'q' } }));
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).toBe(true);
    expect((await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_128' }))).Plaintext).toHaveLength(16);
    const sealed = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    expect('Plaintext' in sealed).toBe(false);
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }))).Plaintext).toHaveLength(32);
    expect(await failure(kms.send(new GenerateDataKeyCommand({ KeyId: keyId })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 1025 })))).toMatchObject({ name: 'ValidationException' });
  });

  it('generates data key pairs: DER SPKI public key, PKCS#8 private key encrypted under the key', async () => {
    const keyId = await newKey();
    const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }));
    expect(pair).toMatchObject({ KeyId: arn(keyId), KeyPairSpec: 'ECC_NIST_P256' });
    const publicKey = createPublicKey({ key: Buffer.from(pair.PublicKey!), format: 'der', type: 'spki' });
    const privateKey = createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' });
    expect(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).equals(publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
    const unsealed = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    expect(Buffer.from(unsealed.Plaintext!).equals(Buffer.from(pair.PrivateKeyPlaintext!))).toBe(true);
    const sealed = await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'RSA_2048' }));
    expect('PrivateKeyPlaintext' in sealed).toBe(false);
    expect(createPublicKey({ key: Buffer.from(sealed.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('rsa');
  });
});

describe('signatures', () => {
  it('signs with ECDSA P-256 as DER, verifiable with the DER SPKI public key; a changed message fails', async () => {
    const keyId = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const message = Buffer.from('release v1.2.3');
    const signed = await kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(signed).toMatchObject({ KeyId: arn(keyId), SigningAlgorithm: 'ECDSA_SHA_256' });
    const publicKey = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    expect(publicKey).toMatchObject({ KeyId: arn(keyId), KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] });
    const key = createPublicKey({ key: Buffer.from(publicKey.PublicKey!), format: 'der', type: 'spki' });
    expect(Buffer.from(signed.Signature!)[0]).toBe(0x30);
    expect(verifySignature('sha256', message, { key, dsaEncoding: 'der' }, Buffer.from(signed.Signature!))).toBe(true);
    expect(await kms.send(new VerifyCommand({ KeyId: keyId, Message: message, Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256' })))
      .toMatchObject({ SignatureValid: true, KeyId: arn(keyId) });
    const digest = createHash('sha256').update(message).digest();
    const overDigest = await kms.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(verifySignature('sha256', message, { key, dsaEncoding: 'der' }, Buffer.from(overDigest.Signature!))).toBe(true);
    expect(await failure(kms.send(new VerifyCommand({ KeyId: keyId, Message: Buffer.from('release v6.6.6'), Signature: signed.Signature, SigningAlgorithm: 'ECDSA_SHA_256' }))))
      .toEqual({ name: 'KMSInvalidSignatureException', status: 400 });
    expect(await failure(kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })))).toMatchObject({ name: 'InvalidKeyUsageException' });
  });

  it('signs with RSA-PSS using a salt as long as the hash', async () => {
    const keyId = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const message = Buffer.from('pss');
    const signed = await kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    const key = createPublicKey({ key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!), format: 'der', type: 'spki' });
    const pss = (saltLength: number) => verifySignature('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, Buffer.from(signed.Signature!));
    expect(pss(32)).toBe(true);
    expect(pss(20)).toBe(false);
  });
});

describe('MACs, key agreement, RSA encryption and random bytes', () => {
  it('generates and verifies MACs; a changed MAC is KMSInvalidMacException', async () => {
    const keyId = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const { Mac, MacAlgorithm, KeyId } = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' }));
    expect({ MacAlgorithm, KeyId, length: Mac?.length }).toEqual({ MacAlgorithm: 'HMAC_SHA_256', KeyId: arn(keyId), length: 32 });
    expect(await kms.send(new VerifyMacCommand({ KeyId: keyId, Message: Buffer.from('m'), Mac, MacAlgorithm: 'HMAC_SHA_256' }))).toMatchObject({ MacValid: true });
    const changed = Buffer.from(Mac!);
    changed[0] = (changed[0] as number) ^ 1;
    expect(await failure(kms.send(new VerifyMacCommand({ KeyId: keyId, Message: Buffer.from('m'), Mac: changed, MacAlgorithm: 'HMAC_SHA_256' }))))
      .toEqual({ name: 'KMSInvalidMacException', status: 400 });
  });

  it('derives the same ECDH shared secret as the peer computes locally', async () => {
    const keyId = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const peer = createECDH('prime256v1');
    peer.generateKeys();
    const peerSpki = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: peer.getPublicKey().subarray(1, 33).toString('base64url'), y: peer.getPublicKey().subarray(33).toString('base64url') }, format: 'jwk' })
      .export({ format: 'der', type: 'spki' });
    const derived = await kms.send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki }));
    expect(derived).toMatchObject({ KeyId: arn(keyId), KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' });
    const kmsPublic = createPublicKey({ key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!), format: 'der', type: 'spki' });
    const raw = Buffer.from(kmsPublic.export({ format: 'jwk' }).x!, 'base64url');
    const rawY = Buffer.from(kmsPublic.export({ format: 'jwk' }).y!, 'base64url');
    expect(Buffer.from(derived.SharedSecret!).equals(peer.computeSecret(Buffer.concat([Buffer.of(4), raw, rawY])))).toBe(true);
  });

  it('decrypts RSA-OAEP ciphertexts made with the public key, and refuses a public key of a symmetric key', async () => {
    const keyId = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const key = createPublicKey({ key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!), format: 'der', type: 'spki' });
    const ciphertext = publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, Buffer.from('oaep'));
    const decrypted = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    expect(text(decrypted.Plaintext)).toBe('oaep');
    expect(await failure(kms.send(new GetPublicKeyCommand({ KeyId: await newKey() })))).toMatchObject({ name: 'UnsupportedOperationException' });
  });

  it('generates random bytes, 1 to 1024', async () => {
    expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 48 }))).Plaintext).toHaveLength(48);
    expect(await failure(kms.send(new GenerateRandomCommand({ NumberOfBytes: 0 })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(kms.send(new GenerateRandomCommand({})))).toMatchObject({ name: 'ValidationException' });
  });
});
