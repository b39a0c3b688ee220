/**
 * Inputs and answers of the control plane (docs/api.md, "Keys"). Dates stay ISO-8601 strings, as
 * on the wire; binary fields are Uint8Array.
 */
import type {
  EncryptionAlgorithm, KeyAgreementAlgorithm, KeySpec, KeyState, KeyUsage, MacAlgorithm, RotationType, SigningAlgorithm,
} from '@latchkey/core';

export type Tags = Readonly<Record<string, string>>;

export interface KeyVersionSummary {
  readonly keyVersion: number;
  readonly creationDate: string;
  readonly rotationType: RotationType;
}

export interface KeyMetadata {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly keyState: KeyState;
  readonly description: string;
  readonly tags: Tags;
  readonly creationDate: string;
  readonly deletionDate?: string;
  readonly pendingWindowDays?: number;
  /** The regions that may hold the key; null means every region. */
  readonly regions: readonly string[] | null;
  readonly currentVersion: number;
  readonly minDecryptionVersion: number;
  readonly versions: readonly KeyVersionSummary[];
  readonly keyRotationEnabled: boolean;
  readonly rotationPeriodDays?: number;
  readonly nextRotationDate?: string;
  readonly signingAlgorithms?: readonly SigningAlgorithm[];
  readonly encryptionAlgorithms?: readonly EncryptionAlgorithm[];
  readonly macAlgorithms?: readonly MacAlgorithm[];
  readonly keyAgreementAlgorithms?: readonly KeyAgreementAlgorithm[];
  readonly origin: 'LATCHKEY';
}

export interface KeyMetadataOutput {
  readonly keyMetadata: KeyMetadata;
}

export interface CreateKeyInput {
  readonly keySpec?: KeySpec;
  readonly keyUsage?: KeyUsage;
  readonly description?: string;
  readonly tags?: Tags;
  /** Region pinning: the only regions that may hold the key. Omit for every region. */
  readonly regions?: readonly string[];
  readonly rotationPeriodDays?: number;
  /** Makes a retry of an indeterminate create land on the same key instead of a second one. */
  readonly idempotencyKey?: string;
}

export interface RotateKeyInput {
  /** Makes a retry of an indeterminate rotation (or one sent again in another region) add one version, not two. */
  readonly idempotencyKey?: string;
}

export interface PageInput {
  readonly limit?: number;
  readonly marker?: string;
}

export interface KeyListEntry {
  readonly keyId: string;
}

export interface ListKeysOutput {
  readonly keys: readonly KeyListEntry[];
  readonly nextMarker?: string;
  readonly truncated: boolean;
}

export interface UpdateKeyDescriptionInput {
  readonly keyId: string;
  readonly description: string;
}

export interface TagsOutput {
  readonly tags: Tags;
}

export interface TagKeyInput {
  readonly keyId: string;
  readonly tags: Tags;
}

export interface UntagKeyInput {
  readonly keyId: string;
  readonly tagKeys: readonly string[];
}

export interface ScheduleKeyDeletionInput {
  readonly keyId: string;
  /** 7..30 days; the node's default is 30. */
  readonly pendingWindowDays?: number;
}

export interface KeyRotation {
  readonly keyVersion: number;
  readonly rotationDate: string;
  readonly rotationType: RotationType;
}

export interface ListKeyRotationsOutput {
  readonly rotations: readonly KeyRotation[];
}

export interface KeyRotationStatus {
  readonly keyRotationEnabled: boolean;
  readonly rotationPeriodDays?: number | null;
  readonly nextRotationDate?: string | null;
}

export interface SetKeyRotationInput {
  readonly keyId: string;
  readonly enabled: boolean;
  /** 90..2560 days; the node's default is 365. */
  readonly rotationPeriodDays?: number;
}

export interface SetMinDecryptionVersionInput {
  readonly keyId: string;
  readonly minDecryptionVersion: number;
}

export interface PublicKeyOutput {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  readonly publicKeyPem: string;
  readonly signingAlgorithms?: readonly SigningAlgorithm[];
  readonly encryptionAlgorithms?: readonly EncryptionAlgorithm[];
  readonly keyAgreementAlgorithms?: readonly KeyAgreementAlgorithm[];
}
