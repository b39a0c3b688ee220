/** Inputs and answers of the data plane (docs/api.md, "Cryptographic operations"). */
import type {
  DataKeyPairSpec, DataKeySpec, EncryptionAlgorithm, EncryptionContext, KeyAgreementAlgorithm, MacAlgorithm, MessageType,
  SigningAlgorithm,
} from '@latchkey/core';

export interface EncryptInput {
  /** A key id or an alias name. */
  readonly keyId: string;
  readonly plaintext: Uint8Array;
  readonly encryptionContext?: EncryptionContext;
  readonly encryptionAlgorithm?: EncryptionAlgorithm;
}

export interface EncryptOutput {
  readonly ciphertext: Uint8Array;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly encryptionAlgorithm: EncryptionAlgorithm;
}

export interface DecryptInput {
  readonly ciphertext: Uint8Array;
  /** When given, the node refuses a ciphertext made under another key; when omitted, the ciphertext names its key. */
  readonly keyId?: string;
  readonly encryptionContext?: EncryptionContext;
  readonly encryptionAlgorithm?: EncryptionAlgorithm;
}

export interface DecryptOutput {
  readonly plaintext: Uint8Array;
  readonly keyId: string;
  readonly keyVersion: number;
  readonly encryptionAlgorithm: EncryptionAlgorithm;
}

export interface ReEncryptInput {
  readonly ciphertext: Uint8Array;
  readonly sourceKeyId?: string;
  readonly sourceEncryptionContext?: EncryptionContext;
  readonly sourceEncryptionAlgorithm?: EncryptionAlgorithm;
  readonly destinationKeyId: string;
  readonly destinationEncryptionContext?: EncryptionContext;
  readonly destinationEncryptionAlgorithm?: EncryptionAlgorithm;
}

export interface ReEncryptOutput {
  readonly ciphertext: Uint8Array;
  readonly sourceKeyId: string;
  readonly sourceKeyVersion: number;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface GenerateDataKeyInput {
  readonly keyId: string;
  /** Give keySpec or numberOfBytes (1..1024). */
  readonly keySpec?: DataKeySpec;
  readonly numberOfBytes?: number;
  readonly encryptionContext?: EncryptionContext;
}

export interface GenerateDataKeyWithoutPlaintextOutput {
  readonly ciphertext: Uint8Array;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface GenerateDataKeyOutput extends GenerateDataKeyWithoutPlaintextOutput {
  readonly plaintext: Uint8Array;
}

export interface GenerateDataKeyPairInput {
  readonly keyId: string;
  readonly keyPairSpec: DataKeyPairSpec;
  readonly encryptionContext?: EncryptionContext;
}

export interface GenerateDataKeyPairWithoutPlaintextOutput {
  readonly privateKeyCiphertext: Uint8Array;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  readonly keyPairSpec: DataKeyPairSpec;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface GenerateDataKeyPairOutput extends GenerateDataKeyPairWithoutPlaintextOutput {
  /** DER PKCS#8. */
  readonly privateKeyPlaintext: Uint8Array;
}

export interface SignInput {
  readonly keyId: string;
  readonly message: Uint8Array;
  /** DIGEST: `message` is already the hash the algorithm names. */
  readonly messageType?: MessageType;
  readonly signingAlgorithm: SigningAlgorithm;
}

export interface SignOutput {
  readonly signature: Uint8Array;
  readonly keyId: string;
  readonly signingAlgorithm: SigningAlgorithm;
}

export interface VerifyInput extends SignInput {
  readonly signature: Uint8Array;
}

/** Only a valid signature answers; an invalid one is LatchkeyClientError code KMSInvalidSignatureException. */
export interface VerifyOutput {
  readonly signatureValid: true;
  readonly keyId: string;
  readonly signingAlgorithm: SigningAlgorithm;
}

export interface GenerateMacInput {
  readonly keyId: string;
  readonly message: Uint8Array;
  readonly macAlgorithm: MacAlgorithm;
}

export interface GenerateMacOutput {
  readonly mac: Uint8Array;
  readonly keyId: string;
  readonly macAlgorithm: MacAlgorithm;
}

export interface VerifyMacInput extends GenerateMacInput {
  readonly mac: Uint8Array;
}

/** Only a valid MAC answers; an invalid one is LatchkeyClientError code KMSInvalidMacException. */
export interface VerifyMacOutput {
  readonly macValid: true;
  readonly keyId: string;
  readonly macAlgorithm: MacAlgorithm;
}

export interface DeriveSharedSecretInput {
  readonly keyId: string;
  /** The peer's public key, DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  readonly keyAgreementAlgorithm?: KeyAgreementAlgorithm;
}

export interface DeriveSharedSecretOutput {
  readonly sharedSecret: Uint8Array;
  readonly keyId: string;
  readonly keyAgreementAlgorithm: KeyAgreementAlgorithm;
}

export interface GenerateRandomInput {
  /** 1..1024. */
  readonly numberOfBytes: number;
}

export interface GenerateRandomOutput {
  readonly plaintext: Uint8Array;
}
