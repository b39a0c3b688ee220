/**
 * The data-plane operations. None changes key state, so all are `read` effects: repeating one is
 * safe (encrypting twice yields two valid ciphertexts), which the router relies on. Each names the
 * keys it uses, so that the router sends it only to regions those keys are allowed in.
 */
import { peekCiphertextKey } from '@latchkey/core';
import { toBase64 } from './base64.ts';
import { call } from './answer.ts';
import { keyPath } from './paths.ts';
import type { Requester } from './api-request.ts';
import type {
  DecryptInput, DecryptOutput, DeriveSharedSecretInput, DeriveSharedSecretOutput, EncryptInput, EncryptOutput,
  GenerateDataKeyInput, GenerateDataKeyOutput, GenerateDataKeyPairInput, GenerateDataKeyPairOutput,
  GenerateDataKeyPairWithoutPlaintextOutput, GenerateDataKeyWithoutPlaintextOutput, GenerateMacInput, GenerateMacOutput,
  GenerateRandomInput, GenerateRandomOutput, ReEncryptInput, ReEncryptOutput, SignInput, SignOutput, VerifyInput, VerifyMacInput,
  VerifyMacOutput, VerifyOutput,
} from './crypto-types.ts';

function post(requester: Requester, operation: string, path: string, body: object, keyIds?: readonly string[]) {
  return call(requester, { operation, method: 'POST', path, body, effect: 'read', keyIds });
}

/**
 * The key a service ciphertext names, so that a decrypt goes only where that key may be used. A
 * blob that does not parse names no key: the node will say what is wrong with it.
 */
export function ciphertextKeyIds(ciphertext: Uint8Array): string[] {
  try {
    return [peekCiphertextKey(ciphertext).keyId];
  } catch {
    return [];
  }
}

export async function encrypt(requester: Requester, input: EncryptInput): Promise<EncryptOutput> {
  const answer = await post(requester, 'Encrypt', keyPath(input.keyId, 'encrypt'), {
    plaintext: toBase64(input.plaintext), encryptionContext: input.encryptionContext, encryptionAlgorithm: input.encryptionAlgorithm,
  }, [input.keyId]);
  return answer.as<EncryptOutput>({ ciphertext: answer.bytes('ciphertext') });
}

/** With keyId: POST /v1/keys/{keyId}/decrypt; without: POST /v1/decrypt, the ciphertext naming its key. */
export async function decrypt(requester: Requester, input: DecryptInput): Promise<DecryptOutput> {
  const path = input.keyId === undefined ? '/v1/decrypt' : keyPath(input.keyId, 'decrypt');
  const keyIds = input.keyId === undefined ? ciphertextKeyIds(input.ciphertext) : [input.keyId];
  const answer = await post(requester, 'Decrypt', path, {
    ciphertext: toBase64(input.ciphertext), encryptionContext: input.encryptionContext, encryptionAlgorithm: input.encryptionAlgorithm,
  }, keyIds);
  return answer.as<DecryptOutput>({ plaintext: answer.bytes('plaintext') });
}

export async function reEncrypt(requester: Requester, input: ReEncryptInput): Promise<ReEncryptOutput> {
  const sourceKeyIds = input.sourceKeyId === undefined ? ciphertextKeyIds(input.ciphertext) : [input.sourceKeyId];
  const answer = await post(requester, 'ReEncrypt', '/v1/re-encrypt', {
    ciphertext: toBase64(input.ciphertext),
    sourceKeyId: input.sourceKeyId,
    sourceEncryptionContext: input.sourceEncryptionContext,
    sourceEncryptionAlgorithm: input.sourceEncryptionAlgorithm,
    destinationKeyId: input.destinationKeyId,
    destinationEncryptionContext: input.destinationEncryptionContext,
    destinationEncryptionAlgorithm: input.destinationEncryptionAlgorithm,
  }, [...sourceKeyIds, input.destinationKeyId]);
  return answer.as<ReEncryptOutput>({ ciphertext: answer.bytes('ciphertext') });
}

function dataKeyBody(input: GenerateDataKeyInput): object {
  return { keySpec: input.keySpec, numberOfBytes: input.numberOfBytes, encryptionContext: input.encryptionContext };
}

export async function generateDataKey(requester: Requester, input: GenerateDataKeyInput): Promise<GenerateDataKeyOutput> {
  const answer = await post(requester, 'GenerateDataKey', keyPath(input.keyId, 'generate-data-key'), dataKeyBody(input), [input.keyId]);
  return answer.as<GenerateDataKeyOutput>({ ciphertext: answer.bytes('ciphertext'), plaintext: answer.bytes('plaintext') });
}

export async function generateDataKeyWithoutPlaintext(requester: Requester, input: GenerateDataKeyInput): Promise<GenerateDataKeyWithoutPlaintextOutput> {
  const answer = await post(requester, 'GenerateDataKeyWithoutPlaintext', keyPath(input.keyId, 'generate-data-key-without-plaintext'), dataKeyBody(input), [input.keyId]);
  return answer.as<GenerateDataKeyWithoutPlaintextOutput>({ ciphertext: answer.bytes('ciphertext') });
}

function dataKeyPairBody(input: GenerateDataKeyPairInput): object {
  return { keyPairSpec: input.keyPairSpec, encryptionContext: input.encryptionContext };
}

export async function generateDataKeyPair(requester: Requester, input: GenerateDataKeyPairInput): Promise<GenerateDataKeyPairOutput> {
  const answer = await post(requester, 'GenerateDataKeyPair', keyPath(input.keyId, 'generate-data-key-pair'), dataKeyPairBody(input), [input.keyId]);
  return answer.as<GenerateDataKeyPairOutput>({
    privateKeyCiphertext: answer.bytes('privateKeyCiphertext'),
    privateKeyPlaintext: answer.bytes('privateKeyPlaintext'),
    publicKey: answer.bytes('publicKey'),
  });
}

export async function generateDataKeyPairWithoutPlaintext(
  requester: Requester, input: GenerateDataKeyPairInput,
): Promise<GenerateDataKeyPairWithoutPlaintextOutput> {
  const answer = await post(requester, 'GenerateDataKeyPairWithoutPlaintext', keyPath(input.keyId, 'generate-data-key-pair-without-plaintext'), dataKeyPairBody(input), [input.keyId]);
  return answer.as<GenerateDataKeyPairWithoutPlaintextOutput>({
    privateKeyCiphertext: answer.bytes('privateKeyCiphertext'),
    publicKey: answer.bytes('publicKey'),
  });
}

export async function sign(requester: Requester, input: SignInput): Promise<SignOutput> {
  const answer = await post(requester, 'Sign', keyPath(input.keyId, 'sign'), {
    message: toBase64(input.message), messageType: input.messageType, signingAlgorithm: input.signingAlgorithm,
  }, [input.keyId]);
  return answer.as<SignOutput>({ signature: answer.bytes('signature') });
}

export async function verify(requester: Requester, input: VerifyInput): Promise<VerifyOutput> {
  const answer = await post(requester, 'Verify', keyPath(input.keyId, 'verify'), {
    message: toBase64(input.message), messageType: input.messageType, signingAlgorithm: input.signingAlgorithm,
    signature: toBase64(input.signature),
  }, [input.keyId]);
  return answer.as<VerifyOutput>();
}

export async function generateMac(requester: Requester, input: GenerateMacInput): Promise<GenerateMacOutput> {
  const answer = await post(requester, 'GenerateMac', keyPath(input.keyId, 'generate-mac'), { message: toBase64(input.message), macAlgorithm: input.macAlgorithm }, [input.keyId]);
  return answer.as<GenerateMacOutput>({ mac: answer.bytes('mac') });
}

export async function verifyMac(requester: Requester, input: VerifyMacInput): Promise<VerifyMacOutput> {
  const answer = await post(requester, 'VerifyMac', keyPath(input.keyId, 'verify-mac'), {
    message: toBase64(input.message), macAlgorithm: input.macAlgorithm, mac: toBase64(input.mac),
  }, [input.keyId]);
  return answer.as<VerifyMacOutput>();
}

export async function deriveSharedSecret(requester: Requester, input: DeriveSharedSecretInput): Promise<DeriveSharedSecretOutput> {
  const answer = await post(requester, 'DeriveSharedSecret', keyPath(input.keyId, 'derive-shared-secret'), {
    keyAgreementAlgorithm: input.keyAgreementAlgorithm ?? 'ECDH', publicKey: toBase64(input.publicKey),
  }, [input.keyId]);
  return answer.as<DeriveSharedSecretOutput>({ sharedSecret: answer.bytes('sharedSecret') });
}

export async function generateRandom(requester: Requester, input: GenerateRandomInput): Promise<GenerateRandomOutput> {
  const answer = await post(requester, 'GenerateRandom', '/v1/random', { numberOfBytes: input.numberOfBytes });
  return answer.as<GenerateRandomOutput>({ plaintext: answer.bytes('plaintext') });
}
