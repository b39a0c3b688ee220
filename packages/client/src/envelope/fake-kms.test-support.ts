/**
 * An in-memory stand-in for the two service calls envelope encryption makes, with the property
 * that matters: a wrapped data key opens only under the encryption context it was made with (the
 * real service binds the context as AES-GCM additional data; so does this). It counts its calls.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { encodeEncryptionContext, type EncryptionContext } from '@latchkey/core';
import { LatchkeyClientError } from '../client-error.ts';
import type { DataKeyService } from './data-key-source.ts';
import type { DecryptInput, DecryptOutput, GenerateDataKeyInput, GenerateDataKeyOutput } from '../crypto-types.ts';

export interface FakeKms extends DataKeyService {
  readonly calls: { generate: number; decrypt: number };
}

const aad = (keyId: string, context: EncryptionContext | undefined) => Buffer.concat([Buffer.from(`${keyId}\0`), encodeEncryptionContext(context ?? {})]);

function refused(): LatchkeyClientError {
  return new LatchkeyClientError({ code: 'InvalidCiphertextException', message: 'wrapped key or context invalid', status: 400, requestId: null, indeterminate: false });
}

/** `aliases` maps a name callers use to the key id the service answers with. */
export function fakeKms(aliases: Record<string, string> = {}): FakeKms {
  const master = randomBytes(32);
  const calls = { generate: 0, decrypt: 0 };
  return {
    calls,
    async generateDataKey(input: GenerateDataKeyInput): Promise<GenerateDataKeyOutput> {
      calls.generate += 1;
      const keyId = aliases[input.keyId] ?? input.keyId;
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', master, iv).setAAD(aad(keyId, input.encryptionContext));
      const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
      const ciphertext = Buffer.concat([Buffer.from([keyId.length]), Buffer.from(keyId), iv, body]);
      return { plaintext: new Uint8Array(plaintext), ciphertext: new Uint8Array(ciphertext), keyId, keyVersion: 1 };
    },
    async decrypt(input: DecryptInput): Promise<DecryptOutput> {
      calls.decrypt += 1;
      const blob = Buffer.from(input.ciphertext);
      const idLength = blob[0] ?? 0;
      const keyId = blob.subarray(1, 1 + idLength).toString();
      const iv = blob.subarray(1 + idLength, 13 + idLength);
      const body = blob.subarray(13 + idLength);
      try {
        const decipher = createDecipheriv('aes-256-gcm', master, iv).setAAD(aad(keyId, input.encryptionContext));
        decipher.setAuthTag(body.subarray(body.length - 16));
        const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]);
        return { plaintext: new Uint8Array(plaintext), keyId, keyVersion: 1, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
      } catch {
        throw refused();
      }
    },
  };
}
