// Proves every data-plane operation end to end over HTTP, for every key spec: encrypt/decrypt with
// context, re-encrypt, data keys and key pairs, sign/verify (checked independently with node:crypto
// on the published public key), MAC, ECDH (both sides agree), random, and the batch endpoints.
import { createHash, createPublicKey, diffieHellman, generateKeyPairSync, verify as nodeVerify, constants } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, startTestNode, unb64, type TestNode } from './testing/test-node.ts';

let t: TestNode;
beforeAll(async () => {
  t = await startTestNode();
});
afterAll(async () => {
  await t.close();
});

async function create(keySpec: string, keyUsage: string): Promise<string> {
  const res = await t.call('POST', '/v1/keys', { keySpec, keyUsage });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.keyMetadata.keyId;
}

describe('symmetric encryption', () => {
  it('round trips with encryption context; a changed context or byte fails', async () => {
    const keyId = await create('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const ctx = { tenant: 't1', purpose: 'test' };
    const enc = await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64('secret value'), encryptionContext: ctx });
    expect(enc.body).toMatchObject({ keyId, keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const dec = await t.call('POST', `/v1/keys/${keyId}/decrypt`, { ciphertext: enc.body.ciphertext, encryptionContext: { purpose: 'test', tenant: 't1' } });
    expect(unb64(dec.body.plaintext).toString()).toBe('secret value');
    expect((await t.call('POST', '/v1/decrypt', { ciphertext: enc.body.ciphertext, encryptionContext: { tenant: 't2', purpose: 'test' } })).body.code).toBe('InvalidCiphertextException');
    const tampered = unb64(enc.body.ciphertext);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect((await t.call('POST', '/v1/decrypt', { ciphertext: b64(tampered), encryptionContext: ctx })).body.code).toBe('InvalidCiphertextException');
    const other = await create('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    expect((await t.call('POST', `/v1/keys/${other}/decrypt`, { ciphertext: enc.body.ciphertext, encryptionContext: ctx })).body.code).toBe('IncorrectKeyException');
  });

  it('re-encrypts under another key and context without exposing plaintext', async () => {
    const a = await create('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const b = await create('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const enc = await t.call('POST', `/v1/keys/${a}/encrypt`, { plaintext: b64('move me'), encryptionContext: { x: '1' } });
    const re = await t.call('POST', '/v1/re-encrypt', { ciphertext: enc.body.ciphertext, sourceEncryptionContext: { x: '1' }, destinationKeyId: b, destinationEncryptionContext: { y: '2' } });
    expect(re.body).toMatchObject({ sourceKeyId: a, keyId: b });
    expect(re.body.plaintext).toBeUndefined();
    const dec = await t.call('POST', '/v1/decrypt', { ciphertext: re.body.ciphertext, encryptionContext: { y: '2' } });
    expect(unb64(dec.body.plaintext).toString()).toBe('move me');
  });

  it('generates data keys of AES sizes and byte counts, with and without plaintext', async () => {
    const keyId = await create('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const dk = await t.call('POST', `/v1/keys/${keyId}/generate-data-key`, { keySpec: 'AES_128', encryptionContext: { f: 'a' } });
    expect(unb64(dk.body.plaintext)).toHaveLength(16);
    const back = await t.call('POST', '/v1/decrypt', { ciphertext: dk.body.ciphertext, encryptionContext: { f: 'a' } });
    expect(back.body.plaintext).toBe(dk.body.plaintext);
    const n = await t.call('POST', `/v1/keys/${keyId}/generate-data-key`, { numberOfBytes: 64 });
    expect(unb64(n.body.plaintext)).toHaveLength(64);
    const without = await t.call('POST', `/v1/keys/${keyId}/generate-data-key-without-plaintext`, {});
    expect(without.body.plaintext).toBeUndefined();
    expect(unb64((await t.call('POST', '/v1/decrypt', { ciphertext: without.body.ciphertext })).body.plaintext)).toHaveLength(32);
    expect((await t.call('POST', `/v1/keys/${keyId}/generate-data-key`, { keySpec: 'AES_256', numberOfBytes: 8 })).body.code).toBe('ValidationException');
  });

  it('generates data key pairs whose private key decrypts and matches the public key', async () => {
    const keyId = await create('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const pair = await t.call('POST', `/v1/keys/${keyId}/generate-data-key-pair`, { keyPairSpec: 'ECC_NIST_P256' });
    const priv = unb64((await t.call('POST', '/v1/decrypt', { ciphertext: pair.body.privateKeyCiphertext })).body.plaintext);
    expect(priv.equals(unb64(pair.body.privateKeyPlaintext))).toBe(true);
    const { createPrivateKey } = await import('node:crypto');
    const derivedPublic = createPublicKey(createPrivateKey({ key: priv, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
    expect(Buffer.from(derivedPublic).equals(unb64(pair.body.publicKey))).toBe(true);
    const without = await t.call('POST', `/v1/keys/${keyId}/generate-data-key-pair-without-plaintext`, { keyPairSpec: 'RSA_2048' });
    expect(without.body.privateKeyPlaintext).toBeUndefined();
  });
});

const SIGNING: [string, string[]][] = [
  ['RSA_2048', ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512']],
  ['ECC_NIST_P256', ['ECDSA_SHA_256']],
  ['ECC_NIST_P384', ['ECDSA_SHA_384']],
  ['ECC_NIST_P521', ['ECDSA_SHA_512']],
  ['ECC_SECG_P256K1', ['ECDSA_SHA_256']],
  ['ECC_NIST_EDWARDS25519', ['ED25519_SHA_512']],
  ['ML_DSA_44', ['ML_DSA_SHAKE_256']],
  ['ML_DSA_65', ['ML_DSA_SHAKE_256']],
  ['ML_DSA_87', ['ML_DSA_SHAKE_256']],
];

function independentVerify(spki: Buffer, algorithm: string, message: Buffer, signature: Buffer): boolean {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const hash = /SHA_(\d+)$/.exec(algorithm)?.[1];
  if (algorithm.startsWith('ED25519') || algorithm.startsWith('ML_DSA')) return nodeVerify(null, message, key, signature);
  const name = `sha${hash}`;
  if (algorithm.startsWith('RSASSA_PSS')) {
    return nodeVerify(name, message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(hash) / 8 }, signature);
  }
  return nodeVerify(name, message, { key, dsaEncoding: 'der' }, signature);
}

describe('signing', () => {
  for (const [spec, algorithms] of SIGNING) {
    it(`${spec}: signs RAW${algorithms[0]?.startsWith('E') && !algorithms[0].startsWith('ED') || algorithms[0]?.startsWith('RSA') ? ' and DIGEST' : ''}, verifies, publishes its public key`, async () => {
      const keyId = await create(spec, 'SIGN_VERIFY');
      const pub = await t.call('GET', `/v1/keys/${keyId}/public-key`);
      expect(pub.body.publicKeyPem).toContain('BEGIN PUBLIC KEY');
      const spki = unb64(pub.body.publicKey);
      const message = Buffer.from(`message for ${spec}`);
      for (const algorithm of algorithms) {
        const signed = await t.call('POST', `/v1/keys/${keyId}/sign`, { message: b64(message), signingAlgorithm: algorithm });
        expect(signed.status, JSON.stringify(signed.body)).toBe(200);
        const signature = unb64(signed.body.signature);
        expect(independentVerify(spki, algorithm, message, signature)).toBe(true);
        const ok = await t.call('POST', `/v1/keys/${keyId}/verify`, { message: b64(message), signingAlgorithm: algorithm, signature: signed.body.signature });
        expect(ok.body.signatureValid).toBe(true);
        const bad = await t.call('POST', `/v1/keys/${keyId}/verify`, { message: b64('other'), signingAlgorithm: algorithm, signature: signed.body.signature });
        expect(bad.body.code).toBe('KMSInvalidSignatureException');
        const hash = /SHA_(\d+)$/.exec(algorithm)?.[1];
        if (hash && !algorithm.startsWith('ED') && !algorithm.startsWith('ML')) {
          const digest = createHash(`sha${hash}`).update(message).digest();
          const viaDigest = await t.call('POST', `/v1/keys/${keyId}/sign`, { message: b64(digest), messageType: 'DIGEST', signingAlgorithm: algorithm });
          expect(independentVerify(spki, algorithm, message, unb64(viaDigest.body.signature))).toBe(true);
        }
      }
      const wrongAlg = await t.call('POST', `/v1/keys/${keyId}/sign`, { message: b64('x'), signingAlgorithm: spec.startsWith('RSA') ? 'ECDSA_SHA_256' : 'RSASSA_PSS_SHA_256' });
      expect(wrongAlg.body.code).toBe('InvalidKeyUsageException');
    });
  }
});

describe('RSA encryption, MAC, key agreement, random', () => {
  it('RSA OAEP SHA-1 and SHA-256 round trip; symmetric-only calls are refused', async () => {
    const keyId = await create('RSA_2048', 'ENCRYPT_DECRYPT');
    for (const alg of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']) {
      const enc = await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64('rsa data'), encryptionAlgorithm: alg });
      expect(enc.status, JSON.stringify(enc.body)).toBe(200);
      const dec = await t.call('POST', `/v1/keys/${keyId}/decrypt`, { ciphertext: enc.body.ciphertext, encryptionAlgorithm: alg });
      expect(unb64(dec.body.plaintext).toString()).toBe('rsa data');
    }
    expect((await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64('x') })).body.code).toBe('InvalidKeyUsageException');
    expect((await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64(Buffer.alloc(300)), encryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).body.code).toBe('ValidationException');
  });

  for (const spec of ['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512']) {
    it(`${spec} generates and verifies MACs`, async () => {
      const keyId = await create(spec, 'GENERATE_VERIFY_MAC');
      const alg = `HMAC_SHA_${spec.slice(5)}`;
      const mac = await t.call('POST', `/v1/keys/${keyId}/generate-mac`, { message: b64('hello'), macAlgorithm: alg });
      expect(unb64(mac.body.mac)).toHaveLength(Number(spec.slice(5)) / 8);
      expect((await t.call('POST', `/v1/keys/${keyId}/verify-mac`, { message: b64('hello'), macAlgorithm: alg, mac: mac.body.mac })).body.macValid).toBe(true);
      expect((await t.call('POST', `/v1/keys/${keyId}/verify-mac`, { message: b64('hellO'), macAlgorithm: alg, mac: mac.body.mac })).body.code).toBe('KMSInvalidMacException');
      expect((await t.call('POST', `/v1/keys/${keyId}/encrypt`, { plaintext: b64('x') })).body.code).toBe('InvalidKeyUsageException');
    });
  }

  for (const [spec, curve] of [['ECC_NIST_P256', 'prime256v1'], ['ECC_NIST_P384', 'secp384r1'], ['ECC_NIST_P521', 'secp521r1'], ['ECC_SECG_P256K1', 'secp256k1']] as const) {
    it(`${spec} derives the same ECDH secret as the peer`, async () => {
      const keyId = await create(spec, 'KEY_AGREEMENT');
      const peer = generateKeyPairSync('ec', { namedCurve: curve });
      const peerSpki = peer.publicKey.export({ format: 'der', type: 'spki' });
      const res = await t.call('POST', `/v1/keys/${keyId}/derive-shared-secret`, { keyAgreementAlgorithm: 'ECDH', publicKey: b64(peerSpki) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const ours = createPublicKey({ key: unb64((await t.call('GET', `/v1/keys/${keyId}/public-key`)).body.publicKey), format: 'der', type: 'spki' });
      expect(unb64(res.body.sharedSecret).equals(diffieHellman({ privateKey: peer.privateKey, publicKey: ours }))).toBe(true);
    });
  }

  it('generates 1 to 1024 random bytes and refuses more', async () => {
    expect(unb64((await t.call('POST', '/v1/random', { numberOfBytes: 1024 })).body.plaintext)).toHaveLength(1024);
    expect((await t.call('POST', '/v1/random', { numberOfBytes: 1025 })).status).toBe(400);
    expect((await t.call('POST', '/v1/random', { numberOfBytes: 0 })).status).toBe(400);
  });
});

describe('batch', () => {
  it('encrypts and decrypts many items; a bad item fails alone', async () => {
    const keyId = await create('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    const items = Array.from({ length: 50 }, (_, i) => ({ keyId, plaintext: b64(`item ${i}`), encryptionContext: { i: String(i) } }));
    items[7] = { keyId: '00000000-0000-4000-8000-000000000000', plaintext: b64('x'), encryptionContext: { i: '7' } };
    const enc = await t.call('POST', '/v1/batch/encrypt', { items });
    expect(enc.body.results).toHaveLength(50);
    expect(enc.body.results[7]).toMatchObject({ ok: false, code: 'NotFoundException' });
    const ok = enc.body.results.filter((r: any) => r.ok);
    expect(ok).toHaveLength(49);
    const decItems = enc.body.results.map((r: any, i: number) => (r.ok ? { ciphertext: r.ciphertext, encryptionContext: { i: String(i) } } : { ciphertext: b64('garbage-garbage-garbage-garbage-garbage') }));
    decItems[3].encryptionContext = { i: 'wrong' };
    const dec = await t.call('POST', '/v1/batch/decrypt', { items: decItems });
    expect(dec.body.results[3]).toMatchObject({ ok: false, code: 'InvalidCiphertextException' });
    expect(dec.body.results[7]).toMatchObject({ ok: false, code: 'InvalidCiphertextException' });
    expect(unb64(dec.body.results[10].plaintext).toString()).toBe('item 10');
    expect((await t.call('POST', '/v1/batch/encrypt', { items: [] })).status).toBe(400);
    expect((await t.call('POST', '/v1/batch/encrypt', { items: Array.from({ length: 1001 }, () => items[0]) })).status).toBe(400);
  });
});
