/**
 * AWS asymmetric, MAC and random operations, translated onto the data plane: Sign, Verify,
 * GenerateMac, VerifyMac, GetPublicKey, DeriveSharedSecret, GenerateRandom. Signatures are what
 * AWS returns (ECDSA as DER, RSA-PSS with a salt as long as the hash); public keys are DER SPKI.
 */
import {
  KEY_AGREEMENT_ALGORITHMS, KEY_SPEC_INFO, LIMITS, LatchkeyError, MAC_ALGORITHMS, SIGNING_ALGORITHMS,
  type MessageType,
} from '@latchkey/core';
import { keyArn, keyReference } from './arns.ts';
import type { AwsContext, AwsOperationTable } from './aws-context.ts';
import { optionalEnum, optionalInteger, refuseMember, requiredBlob, requiredEnum, requiredString, validationError, type AwsInput } from './wire-input.ts';
import { blob } from './wire-output.ts';

const AWS_MESSAGE_TYPES = ['RAW', 'DIGEST', 'EXTERNAL_MU'] as const;

function reference(context: AwsContext, input: AwsInput): string {
  return keyReference(context.arns, requiredString(input, 'KeyId', 2048));
}

function messageType(input: AwsInput): MessageType {
  const type = optionalEnum(input, 'MessageType', AWS_MESSAGE_TYPES) ?? 'RAW';
  if (type === 'EXTERNAL_MU') throw new LatchkeyError('UnsupportedOperationException', 'MessageType EXTERNAL_MU (ML-DSA external mu) is not supported; send RAW');
  return type;
}

function refuseDryRun(input: AwsInput): void {
  refuseMember(input, 'DryRun', 'dry runs are not supported');
}

async function signOrVerify(context: AwsContext, input: AwsInput, verify: boolean) {
  refuseDryRun(input);
  const message = requiredBlob(input, 'Message', LIMITS.signMessageMaxBytes);
  const algorithm = requiredEnum(input, 'SigningAlgorithm', SIGNING_ALGORITHMS);
  const type = messageType(input);
  if (!verify) {
    const out = await context.services.dataPlane.sign(reference(context, input), message, type, algorithm);
    return { KeyId: keyArn(context.arns, out.keyId), Signature: blob(out.signature), SigningAlgorithm: algorithm };
  }
  const signature = requiredBlob(input, 'Signature', 6144);
  const out = await context.services.dataPlane.verify(reference(context, input), message, type, algorithm, signature);
  return { KeyId: keyArn(context.arns, out.keyId), SignatureValid: true, SigningAlgorithm: algorithm };
}

async function generateOrVerifyMac(context: AwsContext, input: AwsInput, verify: boolean) {
  refuseDryRun(input);
  const message = requiredBlob(input, 'Message', LIMITS.macMessageMaxBytes);
  const algorithm = requiredEnum(input, 'MacAlgorithm', MAC_ALGORITHMS);
  if (!verify) {
    const out = await context.services.dataPlane.generateMac(reference(context, input), message, algorithm);
    return { Mac: blob(out.mac), MacAlgorithm: algorithm, KeyId: keyArn(context.arns, out.keyId) };
  }
  const mac = requiredBlob(input, 'Mac', 6144);
  const out = await context.services.dataPlane.verifyMac(reference(context, input), message, algorithm, mac);
  return { KeyId: keyArn(context.arns, out.keyId), MacValid: true, MacAlgorithm: algorithm };
}

async function getPublicKey(context: AwsContext, input: AwsInput) {
  const out = await context.services.dataPlane.getPublicKey(reference(context, input));
  const { record } = out;
  const info = KEY_SPEC_INFO[record.keySpec];
  const algorithms = record.keyUsage === 'SIGN_VERIFY' ? { SigningAlgorithms: info.signingAlgorithms }
    : record.keyUsage === 'ENCRYPT_DECRYPT' ? { EncryptionAlgorithms: info.encryptionAlgorithms }
      : { KeyAgreementAlgorithms: info.keyAgreementAlgorithms };
  return {
    KeyId: keyArn(context.arns, record.keyId), PublicKey: blob(out.publicKey), CustomerMasterKeySpec: record.keySpec,
    KeySpec: record.keySpec, KeyUsage: record.keyUsage, ...algorithms,
  };
}

async function deriveSharedSecret(context: AwsContext, input: AwsInput) {
  refuseDryRun(input);
  refuseMember(input, 'Recipient', 'attested recipients (Nitro Enclaves) are not supported');
  const algorithm = requiredEnum(input, 'KeyAgreementAlgorithm', KEY_AGREEMENT_ALGORITHMS);
  const publicKey = requiredBlob(input, 'PublicKey', 8192);
  const out = await context.services.dataPlane.deriveSharedSecret(reference(context, input), publicKey);
  const sharedSecret = blob(out.sharedSecret);
  out.sharedSecret.fill(0);
  return { KeyId: keyArn(context.arns, out.keyId), SharedSecret: sharedSecret, KeyAgreementAlgorithm: algorithm, KeyOrigin: 'AWS_KMS' };
}

function generateRandom(context: AwsContext, input: AwsInput) {
  refuseMember(input, 'CustomKeyStoreId', 'there are no custom key stores');
  refuseMember(input, 'Recipient', 'attested recipients (Nitro Enclaves) are not supported');
  const numberOfBytes = optionalInteger(input, 'NumberOfBytes', 1, LIMITS.randomMaxBytes);
  if (numberOfBytes === undefined) throw validationError('NumberOfBytes', 'Member must not be null');
  return { Plaintext: blob(context.services.dataPlane.generateRandom(numberOfBytes)) };
}

export const SIGNING_OPERATIONS: AwsOperationTable = {
  Sign: (c, input) => signOrVerify(c, input, false),
  Verify: (c, input) => signOrVerify(c, input, true),
  GenerateMac: (c, input) => generateOrVerifyMac(c, input, false),
  VerifyMac: (c, input) => generateOrVerifyMac(c, input, true),
  GetPublicKey: getPublicKey,
  DeriveSharedSecret: deriveSharedSecret,
  GenerateRandom: generateRandom,
};
