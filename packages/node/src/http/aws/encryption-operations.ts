/**
 * AWS encryption operations, translated onto the data plane: Encrypt, Decrypt, ReEncrypt,
 * GenerateDataKey(+WithoutPlaintext), GenerateDataKeyPair(+WithoutPlaintext). Plaintext buffers
 * are zeroed once they are encoded into the answer.
 */
import {
  DATA_KEY_PAIR_SPECS, DATA_KEY_SPECS, ENCRYPTION_ALGORITHMS, LIMITS, LatchkeyError, validateEncryptionContext,
  type EncryptionContext,
} from '@latchkey/core';
import { keyArn, keyReference } from './arns.ts';
import type { AwsContext, AwsOperationTable } from './aws-context.ts';
import {
  optionalEnum, optionalInteger, optionalString, refuseMember, requiredBlob, requiredEnum, requiredString, stringMap, type AwsInput,
} from './wire-input.ts';
import { blob } from './wire-output.ts';

function context(input: AwsInput, name = 'EncryptionContext'): EncryptionContext {
  return validateEncryptionContext(stringMap(input, name));
}

/** Members for features Latchkey does not have (Nitro Enclave recipients, dry runs). */
function refuseUnsupported(input: AwsInput): void {
  refuseMember(input, 'Recipient', 'attested recipients (Nitro Enclaves) are not supported');
  refuseMember(input, 'DryRun', 'dry runs are not supported');
}

function reference(awsContext: AwsContext, input: AwsInput, name: string): string {
  return keyReference(awsContext.arns, requiredString(input, name, 2048));
}

function optionalReference(awsContext: AwsContext, input: AwsInput, name: string): string | null {
  const value = optionalString(input, name, 2048);
  return value === undefined ? null : keyReference(awsContext.arns, value);
}

function withPlaintext(bytes: Uint8Array): string {
  const encoded = blob(bytes);
  bytes.fill(0);
  return encoded;
}

async function encrypt(awsContext: AwsContext, input: AwsInput) {
  refuseUnsupported(input);
  const algorithm = optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS);
  const plaintext = requiredBlob(input, 'Plaintext', LIMITS.plaintextMaxBytes);
  try {
    const out = await awsContext.services.dataPlane.encrypt(reference(awsContext, input, 'KeyId'), plaintext, context(input), algorithm);
    return { CiphertextBlob: blob(out.ciphertext), KeyId: keyArn(awsContext.arns, out.keyId), EncryptionAlgorithm: out.encryptionAlgorithm };
  } finally {
    plaintext.fill(0);
  }
}

async function decrypt(awsContext: AwsContext, input: AwsInput) {
  refuseUnsupported(input);
  const ciphertext = requiredBlob(input, 'CiphertextBlob', LIMITS.ciphertextMaxBytes);
  const algorithm = optionalEnum(input, 'EncryptionAlgorithm', ENCRYPTION_ALGORITHMS);
  const out = await awsContext.services.dataPlane.decrypt(optionalReference(awsContext, input, 'KeyId'), ciphertext, context(input), algorithm);
  return { KeyId: keyArn(awsContext.arns, out.keyId), Plaintext: withPlaintext(out.plaintext), EncryptionAlgorithm: out.encryptionAlgorithm };
}

async function reEncrypt(awsContext: AwsContext, input: AwsInput) {
  refuseUnsupported(input);
  const sourceAlgorithm = optionalEnum(input, 'SourceEncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const destinationAlgorithm = optionalEnum(input, 'DestinationEncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
  const out = await awsContext.services.dataPlane.reEncrypt({
    ciphertext: requiredBlob(input, 'CiphertextBlob', LIMITS.ciphertextMaxBytes),
    sourceKeyId: optionalReference(awsContext, input, 'SourceKeyId'),
    sourceContext: context(input, 'SourceEncryptionContext'),
    sourceAlgorithm,
    destinationKeyId: reference(awsContext, input, 'DestinationKeyId'),
    destinationContext: context(input, 'DestinationEncryptionContext'),
    destinationAlgorithm,
  });
  return {
    CiphertextBlob: blob(out.ciphertext), SourceKeyId: keyArn(awsContext.arns, out.sourceKeyId), KeyId: keyArn(awsContext.arns, out.keyId),
    SourceEncryptionAlgorithm: sourceAlgorithm, DestinationEncryptionAlgorithm: destinationAlgorithm,
  };
}

async function generateDataKey(awsContext: AwsContext, input: AwsInput, includePlaintext: boolean) {
  refuseUnsupported(input);
  const keySpec = optionalEnum(input, 'KeySpec', DATA_KEY_SPECS);
  const numberOfBytes = optionalInteger(input, 'NumberOfBytes', 1, LIMITS.dataKeyMaxBytes);
  // AWS insists on one of the two (the native API defaults to 32 bytes).
  if (keySpec === undefined && numberOfBytes === undefined) throw new LatchkeyError('ValidationException', 'Please specify either number of bytes or key spec.');
  const spec = { ...(keySpec ? { keySpec } : {}), ...(numberOfBytes !== undefined ? { numberOfBytes } : {}) };
  const out = await awsContext.services.dataPlane.generateDataKey(reference(awsContext, input, 'KeyId'), spec, context(input));
  const answer = { CiphertextBlob: blob(out.ciphertext), KeyId: keyArn(awsContext.arns, out.keyId) };
  const plaintext = withPlaintext(out.plaintext);
  return includePlaintext ? { ...answer, Plaintext: plaintext } : answer;
}

async function generateDataKeyPair(awsContext: AwsContext, input: AwsInput, includePlaintext: boolean) {
  refuseUnsupported(input);
  const keyPairSpec = requiredEnum(input, 'KeyPairSpec', DATA_KEY_PAIR_SPECS);
  const out = await awsContext.services.dataPlane.generateDataKeyPair(reference(awsContext, input, 'KeyId'), keyPairSpec, context(input));
  const answer = {
    PrivateKeyCiphertextBlob: blob(out.privateKeyCiphertext), PublicKey: blob(out.publicKey),
    KeyId: keyArn(awsContext.arns, out.keyId), KeyPairSpec: keyPairSpec,
  };
  const privateKey = withPlaintext(out.privateKeyPlaintext);
  return includePlaintext ? { ...answer, PrivateKeyPlaintext: privateKey } : answer;
}

export const ENCRYPTION_OPERATIONS: AwsOperationTable = {
  Encrypt: encrypt,
  Decrypt: decrypt,
  ReEncrypt: reEncrypt,
  GenerateDataKey: (c, input) => generateDataKey(c, input, true),
  GenerateDataKeyWithoutPlaintext: (c, input) => generateDataKey(c, input, false),
  GenerateDataKeyPair: (c, input) => generateDataKeyPair(c, input, true),
  GenerateDataKeyPairWithoutPlaintext: (c, input) => generateDataKeyPair(c, input, false),
};
