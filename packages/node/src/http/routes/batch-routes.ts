/**
 * Batch encrypt and decrypt: up to 1000 items, one result per item, so that one bad item fails
 * alone. Items are independent; each reports its own error code.
 */
import { LIMITS, toLatchkeyError, validateEncryptionContext } from '@latchkey/core';
import { addRoute } from '../route.ts';
import { decodeBase64, encodeBase64 } from '../base64.ts';
import { b64, encryptionContext, keyRef, object } from '../schemas.ts';
import type { RouteRegistrar } from './services.ts';

type Context = Record<string, string> | undefined;

const resultItem = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' }, ciphertext: { type: 'string' }, plaintext: { type: 'string' }, keyId: { type: 'string' },
    keyVersion: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' },
  },
  required: ['ok'],
};
const batchResponse = object({ results: { type: 'array', items: resultItem } }, ['results']);

async function settle<T>(work: () => Promise<T>): Promise<T | { ok: false; code: string; message: string }> {
  try {
    return await work();
  } catch (error) {
    const e = toLatchkeyError(error);
    return { ok: false, code: e.code, message: e.message };
  }
}

export const registerBatchRoutes: RouteRegistrar = (app, services) => {
  const plane = services.dataPlane;
  const items = (item: Parameters<typeof object>[0], required: string[]) => ({
    type: 'array', minItems: 1, maxItems: LIMITS.batchMaxItems, items: object(item, required),
  });

  addRoute<{ items: { keyId: string; plaintext: string; encryptionContext?: Context }[] }, unknown, unknown>(app, {
    method: 'POST', url: '/v1/batch/encrypt', operation: 'BatchEncrypt', summary: 'Encrypt up to 1000 items; one result per item.',
    bodyLimit: services.batchBodyLimitBytes,
    body: object({ items: items({ keyId: keyRef, plaintext: b64(LIMITS.plaintextMaxBytes), encryptionContext }, ['keyId', 'plaintext']) }, ['items']),
    response: batchResponse,
    handler: async ({ body }) => {
      const results = [];
      for (const item of body.items) {
        results.push(await settle(async () => {
          const plaintext = decodeBase64('plaintext', item.plaintext, LIMITS.plaintextMaxBytes);
          const out = await plane.encrypt(item.keyId, plaintext, validateEncryptionContext(item.encryptionContext));
          return { ok: true, ciphertext: encodeBase64(out.ciphertext), keyId: out.keyId, keyVersion: out.keyVersion };
        }));
      }
      return { results };
    },
  });

  addRoute<{ items: { ciphertext: string; encryptionContext?: Context }[] }, unknown, unknown>(app, {
    method: 'POST', url: '/v1/batch/decrypt', operation: 'BatchDecrypt', summary: 'Decrypt up to 1000 items; one result per item.',
    bodyLimit: services.batchBodyLimitBytes,
    body: object({ items: items({ ciphertext: b64(LIMITS.ciphertextMaxBytes), encryptionContext }, ['ciphertext']) }, ['items']),
    response: batchResponse,
    handler: async ({ body }) => {
      const results = [];
      for (const item of body.items) {
        results.push(await settle(async () => {
          const ciphertext = decodeBase64('ciphertext', item.ciphertext, LIMITS.ciphertextMaxBytes, { invalidCode: 'InvalidCiphertextException' });
          const out = await plane.decrypt(null, ciphertext, validateEncryptionContext(item.encryptionContext));
          return { ok: true, plaintext: encodeBase64(out.plaintext), keyId: out.keyId, keyVersion: out.keyVersion };
        }));
      }
      return { results };
    },
  });
};
