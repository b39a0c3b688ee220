/** Data-plane routes: encrypt, decrypt, re-encrypt, data keys, sign/verify, MAC, ECDH, public key, random. */
import {
  KEY_SPEC_INFO, LIMITS, validateEncryptionContext,
  type DataKeyPairSpec, type DataKeySpec, type EncryptionAlgorithm, type MacAlgorithm, type MessageType, type SigningAlgorithm,
} from '@latchkey/core';
import { addRoute } from '../route.ts';
import { decodeBase64, encodeBase64 } from '../base64.ts';
import {
  b64, bool, dataKeyPairSpec, dataKeySpec, encryptionAlgorithm, encryptionContext, int, keyAgreementAlgorithm, keyIdParams, keyRef,
  macAlgorithm, messageType, object, signingAlgorithm,
} from '../schemas.ts';
import type { RouteRegistrar } from './services.ts';

interface KeyParams { keyId: string }
type Context = Record<string, string> | undefined;

const CIPHERTEXT_B64 = b64(LIMITS.ciphertextMaxBytes);
const keyId = { type: 'string' };
const integer = { type: 'integer' };
const text = { type: 'string' };

function ciphertextBytes(value: string): Buffer {
  return decodeBase64('ciphertext', value, LIMITS.ciphertextMaxBytes, { invalidCode: 'InvalidCiphertextException' });
}

export const registerCryptoRoutes: RouteRegistrar = (app, services) => {
  const plane = services.dataPlane;

  addRoute<{ plaintext: string; encryptionContext?: Context; encryptionAlgorithm?: EncryptionAlgorithm }, KeyParams, unknown>(app, {
    method: 'POST', url: '/v1/keys/:keyId/encrypt', operation: 'Encrypt', summary: 'Encrypt up to 4096 bytes under the current key version.',
    params: keyIdParams,
    body: object({ plaintext: b64(LIMITS.plaintextMaxBytes), encryptionContext, encryptionAlgorithm }, ['plaintext']),
    response: object({ ciphertext: text, keyId, keyVersion: integer, encryptionAlgorithm: text }),
    handler: async ({ body, params }) => {
      const plaintext = decodeBase64('plaintext', body.plaintext, LIMITS.plaintextMaxBytes);
      const out = await plane.encrypt(params.keyId, plaintext, validateEncryptionContext(body.encryptionContext), body.encryptionAlgorithm);
      return { ciphertext: encodeBase64(out.ciphertext), keyId: out.keyId, keyVersion: out.keyVersion, encryptionAlgorithm: out.encryptionAlgorithm };
    },
  });

  const decryptBody = object({ ciphertext: CIPHERTEXT_B64, encryptionContext, encryptionAlgorithm }, ['ciphertext']);
  const decryptResponse = object({ plaintext: text, keyId, keyVersion: integer, encryptionAlgorithm: text });
  type DecryptBody = { ciphertext: string; encryptionContext?: Context; encryptionAlgorithm?: EncryptionAlgorithm };
  const decryptHandler = async (reference: string | null, body: DecryptBody) => {
    const out = await plane.decrypt(reference, ciphertextBytes(body.ciphertext), validateEncryptionContext(body.encryptionContext), body.encryptionAlgorithm);
    return { plaintext: encodeBase64(out.plaintext), keyId: out.keyId, keyVersion: out.keyVersion, encryptionAlgorithm: out.encryptionAlgorithm };
  };
  addRoute<DecryptBody, KeyParams, unknown>(app, {
    method: 'POST', url: '/v1/keys/:keyId/decrypt', operation: 'Decrypt', summary: 'Decrypt a ciphertext that must have been made under this key.',
    params: keyIdParams, body: decryptBody, response: decryptResponse,
    handler: ({ body, params }) => decryptHandler(params.keyId, body),
  });
  addRoute<DecryptBody, unknown, unknown>(app, {
    method: 'POST', url: '/v1/decrypt', operation: 'DecryptAny', summary: 'Decrypt with the key named inside the ciphertext.',
    body: decryptBody, response: decryptResponse,
    handler: ({ body }) => decryptHandler(null, body),
  });

  type ReEncryptBody = {
    ciphertext: string; sourceKeyId?: string; sourceEncryptionContext?: Context; sourceEncryptionAlgorithm?: EncryptionAlgorithm;
    destinationKeyId: string; destinationEncryptionContext?: Context; destinationEncryptionAlgorithm?: EncryptionAlgorithm;
  };
  addRoute<ReEncryptBody, unknown, unknown>(app, {
    method: 'POST', url: '/v1/re-encrypt', operation: 'ReEncrypt', summary: 'Decrypt and encrypt again under another key or context, inside the service.',
    body: object({
      ciphertext: CIPHERTEXT_B64, sourceKeyId: keyRef, sourceEncryptionContext: encryptionContext, sourceEncryptionAlgorithm: encryptionAlgorithm,
      destinationKeyId: keyRef, destinationEncryptionContext: encryptionContext, destinationEncryptionAlgorithm: encryptionAlgorithm,
    }, ['ciphertext', 'destinationKeyId']),
    response: object({ ciphertext: text, sourceKeyId: keyId, sourceKeyVersion: integer, keyId, keyVersion: integer }),
    handler: async ({ body }) => {
      const out = await plane.reEncrypt({
        ciphertext: ciphertextBytes(body.ciphertext),
        sourceKeyId: body.sourceKeyId ?? null,
        sourceContext: validateEncryptionContext(body.sourceEncryptionContext),
        ...(body.sourceEncryptionAlgorithm ? { sourceAlgorithm: body.sourceEncryptionAlgorithm } : {}),
        destinationKeyId: body.destinationKeyId,
        destinationContext: validateEncryptionContext(body.destinationEncryptionContext),
        ...(body.destinationEncryptionAlgorithm ? { destinationAlgorithm: body.destinationEncryptionAlgorithm } : {}),
      });
      return { ...out, ciphertext: encodeBase64(out.ciphertext) };
    },
  });

  type DataKeyBody = { keySpec?: DataKeySpec; numberOfBytes?: number; encryptionContext?: Context };
  const dataKeyBody = object({ keySpec: dataKeySpec, numberOfBytes: int(1, LIMITS.dataKeyMaxBytes), encryptionContext });
  for (const withPlaintext of [true, false]) {
    addRoute<DataKeyBody, KeyParams, unknown>(app, {
      method: 'POST',
      url: withPlaintext ? '/v1/keys/:keyId/generate-data-key' : '/v1/keys/:keyId/generate-data-key-without-plaintext',
      operation: withPlaintext ? 'GenerateDataKey' : 'GenerateDataKeyWithoutPlaintext',
      summary: withPlaintext ? 'A fresh data key, in plaintext and encrypted under this key.' : 'A fresh data key, encrypted only.',
      params: keyIdParams, body: dataKeyBody,
      response: object({ ciphertext: text, keyId, keyVersion: integer, ...(withPlaintext ? { plaintext: text } : {}) }),
      handler: async ({ body, params }) => {
        const spec = { ...(body.keySpec ? { keySpec: body.keySpec } : {}), ...(body.numberOfBytes !== undefined ? { numberOfBytes: body.numberOfBytes } : {}) };
        const out = await plane.generateDataKey(params.keyId, spec, validateEncryptionContext(body.encryptionContext));
        const answer = { ciphertext: encodeBase64(out.ciphertext), keyId: out.keyId, keyVersion: out.keyVersion };
        return withPlaintext ? { ...answer, plaintext: encodeBase64(out.plaintext) } : answer;
      },
    });
  }

  type PairBody = { keyPairSpec: DataKeyPairSpec; encryptionContext?: Context };
  for (const withPlaintext of [true, false]) {
    addRoute<PairBody, KeyParams, unknown>(app, {
      method: 'POST',
      url: withPlaintext ? '/v1/keys/:keyId/generate-data-key-pair' : '/v1/keys/:keyId/generate-data-key-pair-without-plaintext',
      operation: withPlaintext ? 'GenerateDataKeyPair' : 'GenerateDataKeyPairWithoutPlaintext',
      summary: 'A fresh asymmetric key pair; the private key encrypted under this key.',
      params: keyIdParams, body: object({ keyPairSpec: dataKeyPairSpec, encryptionContext }, ['keyPairSpec']),
      response: object({
        privateKeyCiphertext: text, publicKey: text, keyPairSpec: text, keyId, keyVersion: integer, ...(withPlaintext ? { privateKeyPlaintext: text } : {}),
      }),
      handler: async ({ body, params }) => {
        const out = await plane.generateDataKeyPair(params.keyId, body.keyPairSpec, validateEncryptionContext(body.encryptionContext));
        const answer = {
          privateKeyCiphertext: encodeBase64(out.privateKeyCiphertext), publicKey: encodeBase64(out.publicKey),
          keyPairSpec: body.keyPairSpec, keyId: out.keyId, keyVersion: out.keyVersion,
        };
        return withPlaintext ? { ...answer, privateKeyPlaintext: encodeBase64(out.privateKeyPlaintext) } : answer;
      },
    });
  }

  type SignBody = { message: string; messageType?: MessageType; signingAlgorithm: SigningAlgorithm; signature?: string };
  addRoute<SignBody, KeyParams, unknown>(app, {
    method: 'POST', url: '/v1/keys/:keyId/sign', operation: 'Sign', summary: 'Sign a message or digest.',
    params: keyIdParams,
    body: object({ message: b64(LIMITS.signMessageMaxBytes), messageType, signingAlgorithm }, ['message', 'signingAlgorithm']),
    response: object({ signature: text, keyId, signingAlgorithm: text }),
    handler: async ({ body, params }) => {
      const message = decodeBase64('message', body.message, LIMITS.signMessageMaxBytes);
      const out = await plane.sign(params.keyId, message, body.messageType ?? 'RAW', body.signingAlgorithm);
      return { signature: encodeBase64(out.signature), keyId: out.keyId, signingAlgorithm: body.signingAlgorithm };
    },
  });
  addRoute<SignBody, KeyParams, unknown>(app, {
    method: 'POST', url: '/v1/keys/:keyId/verify', operation: 'Verify', summary: 'Verify a signature; an invalid one is KMSInvalidSignatureException.',
    params: keyIdParams,
    body: object({ message: b64(LIMITS.signMessageMaxBytes), messageType, signingAlgorithm, signature: b64(8192) }, ['message', 'signingAlgorithm', 'signature']),
    response: object({ signatureValid: bool, keyId, signingAlgorithm: text }),
    handler: async ({ body, params }) => {
      const message = decodeBase64('message', body.message, LIMITS.signMessageMaxBytes);
      const signature = decodeBase64('signature', body.signature ?? '', 8192);
      const out = await plane.verify(params.keyId, message, body.messageType ?? 'RAW', body.signingAlgorithm, signature);
      return { signatureValid: true, keyId: out.keyId, signingAlgorithm: body.signingAlgorithm };
    },
  });

  type MacBody = { message: string; macAlgorithm: MacAlgorithm; mac?: string };
  addRoute<MacBody, KeyParams, unknown>(app, {
    method: 'POST', url: '/v1/keys/:keyId/generate-mac', operation: 'GenerateMac', summary: 'HMAC of a message.',
    params: keyIdParams, body: object({ message: b64(LIMITS.macMessageMaxBytes), macAlgorithm }, ['message', 'macAlgorithm']),
    response: object({ mac: text, keyId, macAlgorithm: text }),
    handler: async ({ body, params }) => {
      const out = await plane.generateMac(params.keyId, decodeBase64('message', body.message, LIMITS.macMessageMaxBytes), body.macAlgorithm);
      return { mac: encodeBase64(out.mac), keyId: out.keyId, macAlgorithm: body.macAlgorithm };
    },
  });
  addRoute<MacBody, KeyParams, unknown>(app, {
    method: 'POST', url: '/v1/keys/:keyId/verify-mac', operation: 'VerifyMac', summary: 'Check an HMAC; an invalid one is KMSInvalidMacException.',
    params: keyIdParams, body: object({ message: b64(LIMITS.macMessageMaxBytes), macAlgorithm, mac: b64(64) }, ['message', 'macAlgorithm', 'mac']),
    response: object({ macValid: bool, keyId, macAlgorithm: text }),
    handler: async ({ body, params }) => {
      const message = decodeBase64('message', body.message, LIMITS.macMessageMaxBytes);
      const out = await plane.verifyMac(params.keyId, message, body.macAlgorithm, decodeBase64('mac', body.mac ?? '', 64));
      return { macValid: true, keyId: out.keyId, macAlgorithm: body.macAlgorithm };
    },
  });

  addRoute<{ publicKey: string; keyAgreementAlgorithm?: string }, KeyParams, unknown>(app, {
    method: 'POST', url: '/v1/keys/:keyId/derive-shared-secret', operation: 'DeriveSharedSecret', summary: 'ECDH with a peer public key (DER SPKI).',
    params: keyIdParams, body: object({ publicKey: b64(8192), keyAgreementAlgorithm }, ['publicKey']),
    response: object({ sharedSecret: text, keyId, keyAgreementAlgorithm: text }),
    handler: async ({ body, params }) => {
      const out = await plane.deriveSharedSecret(params.keyId, decodeBase64('publicKey', body.publicKey, 8192));
      return { sharedSecret: encodeBase64(out.sharedSecret), keyId: out.keyId, keyAgreementAlgorithm: 'ECDH' };
    },
  });

  addRoute<unknown, KeyParams, unknown>(app, {
    method: 'GET', url: '/v1/keys/:keyId/public-key', operation: 'GetPublicKey', summary: 'The public key of an asymmetric key (DER SPKI and PEM).',
    params: keyIdParams,
    response: object({
      keyId, keySpec: text, keyUsage: text, publicKey: text, publicKeyPem: text,
      signingAlgorithms: { type: 'array', items: text }, encryptionAlgorithms: { type: 'array', items: text }, keyAgreementAlgorithms: { type: 'array', items: text },
    }),
    handler: async ({ params }) => {
      const out = await plane.getPublicKey(params.keyId);
      const { record } = out;
      const info = KEY_SPEC_INFO[record.keySpec];
      const algorithms = record.keyUsage === 'SIGN_VERIFY' ? { signingAlgorithms: info.signingAlgorithms }
        : record.keyUsage === 'ENCRYPT_DECRYPT' ? { encryptionAlgorithms: info.encryptionAlgorithms }
          : { keyAgreementAlgorithms: info.keyAgreementAlgorithms };
      return { keyId: record.keyId, keySpec: record.keySpec, keyUsage: record.keyUsage, publicKey: encodeBase64(out.publicKey), publicKeyPem: out.publicKeyPem, ...algorithms };
    },
  });

  addRoute<{ numberOfBytes: number }, unknown, unknown>(app, {
    method: 'POST', url: '/v1/random', operation: 'GenerateRandom', summary: '1 to 1024 random bytes.',
    body: object({ numberOfBytes: int(1, LIMITS.randomMaxBytes) }, ['numberOfBytes']),
    response: object({ plaintext: text }),
    handler: ({ body }) => ({ plaintext: encodeBase64(plane.generateRandom(body.numberOfBytes)) }),
  });
};
