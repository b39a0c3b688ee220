// Proves the data-plane and batch methods put binary inputs on the wire as standard base64, turn
// binary answers back into the same bytes, address aliases encoded, pick the right decrypt route,
// and surface an invalid signature or MAC as the server's error code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatchkeyClient } from './latchkey-client.ts';
import { LatchkeyClientError } from './client-error.ts';
import { startRecordingServer, type RecordingServer } from './testing/recording-server.ts';

let server: RecordingServer;
let client: LatchkeyClient;

beforeAll(async () => {
  server = await startRecordingServer();
  client = new LatchkeyClient({ url: server.url, token: 'app-token' });
});
afterAll(() => server.close());

// Every byte value, including the ones that are not valid UTF-8, so text handling would show.
const BYTES = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
const B64 = Buffer.from(BYTES).toString('base64');
const OTHER = Uint8Array.of(0, 1, 2, 250, 251);
const OTHER_B64 = Buffer.from(OTHER).toString('base64');

function lastBody(): Record<string, unknown> {
  return server.last().body as Record<string, unknown>;
}

describe('encrypt and decrypt', () => {
  it('encrypt sends base64 plaintext to the encoded alias path and decodes the ciphertext', async () => {
    server.answer({ body: { ciphertext: OTHER_B64, keyId: 'k1', keyVersion: 2, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } });
    const answer = await client.encrypt({ keyId: 'alias/billing', plaintext: BYTES, encryptionContext: { tenant: 't1' } });
    expect(server.last().method).toBe('POST');
    expect(server.last().path).toBe('/v1/keys/alias%2Fbilling/encrypt');
    expect(lastBody()).toEqual({ plaintext: B64, encryptionContext: { tenant: 't1' } });
    expect(answer).toEqual({ ciphertext: OTHER, keyId: 'k1', keyVersion: 2, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
  });

  it('decrypt without a key id uses /v1/decrypt, with one the key route', async () => {
    server.answer({ body: { plaintext: B64, keyId: 'k1', keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' } });
    const anyKey = await client.decrypt({ ciphertext: OTHER, encryptionContext: { a: 'b' } });
    expect(server.last().path).toBe('/v1/decrypt');
    expect(lastBody()).toEqual({ ciphertext: OTHER_B64, encryptionContext: { a: 'b' } });
    expect(anyKey.plaintext).toEqual(BYTES);

    await client.decrypt({ ciphertext: OTHER, keyId: 'alias/x', encryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
    expect(server.last().path).toBe('/v1/keys/alias%2Fx/decrypt');
    expect(lastBody()).toEqual({ ciphertext: OTHER_B64, encryptionAlgorithm: 'RSAES_OAEP_SHA_256' });
  });

  it('round-trips bytes through a server that echoes them back', async () => {
    server.answer((request) => {
      const body = request.body as { plaintext?: string; ciphertext?: string };
      return { body: { ciphertext: body.plaintext, plaintext: body.ciphertext, keyId: 'k', keyVersion: 1 } };
    });
    for (const plaintext of [new Uint8Array(0), Uint8Array.of(0), BYTES, new Uint8Array(4096).fill(0xa5)]) {
      const { ciphertext } = await client.encrypt({ keyId: 'k', plaintext });
      expect((await client.decrypt({ ciphertext })).plaintext).toEqual(plaintext);
    }
  });

  it('reEncrypt sends every named field and decodes the new ciphertext', async () => {
    server.answer({ body: { ciphertext: B64, sourceKeyId: 'k1', sourceKeyVersion: 1, keyId: 'k2', keyVersion: 3 } });
    const answer = await client.reEncrypt({
      ciphertext: OTHER, sourceKeyId: 'alias/old', sourceEncryptionContext: { a: '1' }, destinationKeyId: 'alias/new',
      destinationEncryptionContext: { b: '2' },
    });
    expect(server.last().path).toBe('/v1/re-encrypt');
    expect(lastBody()).toEqual({
      ciphertext: OTHER_B64, sourceKeyId: 'alias/old', sourceEncryptionContext: { a: '1' }, destinationKeyId: 'alias/new',
      destinationEncryptionContext: { b: '2' },
    });
    expect(answer.ciphertext).toEqual(BYTES);
    expect(answer.keyVersion).toBe(3);
  });
});

describe('data keys', () => {
  it('generateDataKey and its without-plaintext twin', async () => {
    server.answer({ body: { ciphertext: OTHER_B64, plaintext: B64, keyId: 'k1', keyVersion: 1 } });
    const withPlain = await client.generateDataKey({ keyId: 'k1', keySpec: 'AES_256', encryptionContext: { a: 'b' } });
    expect(server.last().path).toBe('/v1/keys/k1/generate-data-key');
    expect(lastBody()).toEqual({ keySpec: 'AES_256', encryptionContext: { a: 'b' } });
    expect(withPlain.plaintext).toEqual(BYTES);
    expect(withPlain.ciphertext).toEqual(OTHER);

    server.answer({ body: { ciphertext: OTHER_B64, keyId: 'k1', keyVersion: 1 } });
    const without = await client.generateDataKeyWithoutPlaintext({ keyId: 'k1', numberOfBytes: 16 });
    expect(server.last().path).toBe('/v1/keys/k1/generate-data-key-without-plaintext');
    expect(lastBody()).toEqual({ numberOfBytes: 16 });
    expect(without).toEqual({ ciphertext: OTHER, keyId: 'k1', keyVersion: 1 });
  });

  it('generateDataKeyPair and its without-plaintext twin', async () => {
    const pair = { privateKeyCiphertext: OTHER_B64, privateKeyPlaintext: B64, publicKey: 'AQID', keyPairSpec: 'ECC_NIST_P256', keyId: 'k1', keyVersion: 1 };
    server.answer({ body: pair });
    const withPlain = await client.generateDataKeyPair({ keyId: 'k1', keyPairSpec: 'ECC_NIST_P256' });
    expect(server.last().path).toBe('/v1/keys/k1/generate-data-key-pair');
    expect(lastBody()).toEqual({ keyPairSpec: 'ECC_NIST_P256' });
    expect(withPlain).toMatchObject({ privateKeyCiphertext: OTHER, privateKeyPlaintext: BYTES, publicKey: Uint8Array.of(1, 2, 3) });

    const { privateKeyPlaintext: _omitted, ...withoutPlain } = pair;
    server.answer({ body: withoutPlain });
    const without = await client.generateDataKeyPairWithoutPlaintext({ keyId: 'k1', keyPairSpec: 'RSA_2048', encryptionContext: { a: 'b' } });
    expect(server.last().path).toBe('/v1/keys/k1/generate-data-key-pair-without-plaintext');
    expect(lastBody()).toEqual({ keyPairSpec: 'RSA_2048', encryptionContext: { a: 'b' } });
    expect(without).toMatchObject({ privateKeyCiphertext: OTHER, publicKey: Uint8Array.of(1, 2, 3) });
    expect('privateKeyPlaintext' in without).toBe(false);
  });

  it('generateRandom sends the count and decodes the bytes', async () => {
    server.answer({ body: { plaintext: B64 } });
    expect(await client.generateRandom({ numberOfBytes: 256 })).toEqual({ plaintext: BYTES });
    expect(server.last().path).toBe('/v1/random');
    expect(lastBody()).toEqual({ numberOfBytes: 256 });
  });
});

describe('signatures, MACs and key agreement', () => {
  it('sign and verify carry message and signature as base64', async () => {
    server.answer({ body: { signature: OTHER_B64, keyId: 'k1', signingAlgorithm: 'ECDSA_SHA_256' } });
    const signed = await client.sign({ keyId: 'alias/ci', message: BYTES, messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256' });
    expect(server.last().path).toBe('/v1/keys/alias%2Fci/sign');
    expect(lastBody()).toEqual({ message: B64, messageType: 'RAW', signingAlgorithm: 'ECDSA_SHA_256' });
    expect(signed.signature).toEqual(OTHER);

    server.answer({ body: { signatureValid: true, keyId: 'k1', signingAlgorithm: 'ECDSA_SHA_256' } });
    const verified = await client.verify({ keyId: 'alias/ci', message: BYTES, signingAlgorithm: 'ECDSA_SHA_256', signature: signed.signature });
    expect(server.last().path).toBe('/v1/keys/alias%2Fci/verify');
    expect(lastBody()).toEqual({ message: B64, signingAlgorithm: 'ECDSA_SHA_256', signature: OTHER_B64 });
    expect(verified.signatureValid).toBe(true);
  });

  it('an invalid signature or MAC rejects with the server code', async () => {
    server.answer({ status: 400, body: { code: 'KMSInvalidSignatureException', message: 'signature does not verify', requestId: 'r1' } });
    const bad = await client.verify({ keyId: 'k1', message: BYTES, signingAlgorithm: 'ED25519_SHA_512', signature: OTHER }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(LatchkeyClientError);
    expect(bad).toMatchObject({ code: 'KMSInvalidSignatureException', status: 400, requestId: 'r1', indeterminate: false });

    server.answer({ status: 400, body: { code: 'KMSInvalidMacException', message: 'mac does not verify' } });
    await expect(client.verifyMac({ keyId: 'k1', message: BYTES, macAlgorithm: 'HMAC_SHA_256', mac: OTHER })).rejects.toMatchObject({ code: 'KMSInvalidMacException' });
  });

  it('generateMac and verifyMac', async () => {
    server.answer({ body: { mac: OTHER_B64, keyId: 'k1', macAlgorithm: 'HMAC_SHA_256' } });
    expect((await client.generateMac({ keyId: 'k1', message: BYTES, macAlgorithm: 'HMAC_SHA_256' })).mac).toEqual(OTHER);
    expect(server.last().path).toBe('/v1/keys/k1/generate-mac');
    expect(lastBody()).toEqual({ message: B64, macAlgorithm: 'HMAC_SHA_256' });

    server.answer({ body: { macValid: true, keyId: 'k1', macAlgorithm: 'HMAC_SHA_256' } });
    expect((await client.verifyMac({ keyId: 'k1', message: BYTES, macAlgorithm: 'HMAC_SHA_256', mac: OTHER })).macValid).toBe(true);
    expect(server.last().path).toBe('/v1/keys/k1/verify-mac');
    expect(lastBody()).toEqual({ message: B64, macAlgorithm: 'HMAC_SHA_256', mac: OTHER_B64 });
  });

  it('deriveSharedSecret defaults the algorithm to ECDH', async () => {
    server.answer({ body: { sharedSecret: B64, keyId: 'k1', keyAgreementAlgorithm: 'ECDH' } });
    const answer = await client.deriveSharedSecret({ keyId: 'k1', publicKey: OTHER });
    expect(server.last().path).toBe('/v1/keys/k1/derive-shared-secret');
    expect(lastBody()).toEqual({ keyAgreementAlgorithm: 'ECDH', publicKey: OTHER_B64 });
    expect(answer.sharedSecret).toEqual(BYTES);
  });
});

describe('batch', () => {
  it('batchEncrypt encodes every item and decodes successful results, keeping failures', async () => {
    server.answer({
      body: { results: [{ ok: true, ciphertext: OTHER_B64, keyId: 'k1', keyVersion: 1 }, { ok: false, code: 'NotFoundException', message: 'no key' }] },
    });
    const { results } = await client.batchEncrypt({ items: [{ keyId: 'k1', plaintext: BYTES, encryptionContext: { a: 'b' } }, { keyId: 'nope', plaintext: OTHER }] });
    expect(server.last().path).toBe('/v1/batch/encrypt');
    expect(lastBody()).toEqual({ items: [{ keyId: 'k1', plaintext: B64, encryptionContext: { a: 'b' } }, { keyId: 'nope', plaintext: OTHER_B64 }] });
    expect(results).toEqual([
      { ok: true, ciphertext: OTHER, keyId: 'k1', keyVersion: 1 },
      { ok: false, code: 'NotFoundException', message: 'no key' },
    ]);
  });

  it('batchDecrypt decodes plaintexts and refuses an answer whose results do not match the items', async () => {
    server.answer({ body: { results: [{ ok: true, plaintext: B64, keyId: 'k1', keyVersion: 4 }] } });
    const { results } = await client.batchDecrypt({ items: [{ ciphertext: OTHER }] });
    expect(server.last().path).toBe('/v1/batch/decrypt');
    expect(lastBody()).toEqual({ items: [{ ciphertext: OTHER_B64 }] });
    expect(results[0]).toEqual({ ok: true, plaintext: BYTES, keyId: 'k1', keyVersion: 4 });

    await expect(client.batchDecrypt({ items: [{ ciphertext: OTHER }, { ciphertext: OTHER }] })).rejects.toMatchObject({ code: 'InvalidResponseException' });
  });
});
