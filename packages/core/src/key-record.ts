/**
 * The key model, immutable: a key is a record of metadata plus a list of versions. Material lives
 * elsewhere (wrapped, per version); this record is what the control plane changes and replicates.
 */
import type { KeySpec, KeyUsage } from './key-specs.ts';

export const KEY_STATES = ['Enabled', 'Disabled', 'PendingDeletion', 'Destroyed'] as const;
export type KeyState = (typeof KEY_STATES)[number];

export type RotationType = 'INITIAL' | 'AUTOMATIC' | 'ON_DEMAND';

export interface KeyVersionInfo {
  readonly keyVersion: number;
  readonly creationDateMs: number;
  readonly rotationType: RotationType;
}

export interface KeyRecord {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly keyState: KeyState;
  readonly creationDateMs: number;
  readonly updatedDateMs: number;
  /** When a key pending deletion will be destroyed. */
  readonly deletionDateMs: number | null;
  readonly pendingWindowDays: number | null;
  /** Region pinning policy: the regions that may hold the key; null means every region. */
  readonly regions: readonly string[] | null;
  readonly currentVersion: number;
  readonly minDecryptionVersion: number;
  readonly versions: readonly KeyVersionInfo[];
  readonly rotationEnabled: boolean;
  readonly rotationPeriodDays: number | null;
  readonly nextRotationDateMs: number | null;
  /** Increments on every change: a local, monotonic change counter for this key. */
  readonly revision: number;
}

export interface AliasRecord {
  readonly aliasName: string;
  readonly targetKeyId: string;
  readonly creationDateMs: number;
  readonly lastUpdatedDateMs: number;
}

/** A caller identity. Policies and grants will attach to `principal`. */
export interface Principal {
  readonly principal: string;
  readonly admin: boolean;
}

export interface TokenRecord extends Principal {
  readonly tokenId: string;
  /** SHA-256 of the bearer token, hex. The token itself is never stored. */
  readonly tokenHash: string;
  readonly creationDateMs: number;
}

/** The wrapped material of one key version, as stored at rest. */
export interface VersionMaterial {
  readonly keyId: string;
  readonly keyVersion: number;
  /** Private or secret material, wrapped under the region root key (see crypto's RootKey). */
  readonly wrapped: Uint8Array;
  /** DER SubjectPublicKeyInfo for asymmetric keys; public, so stored as is. */
  readonly publicKey: Uint8Array | null;
}

export const DAY_MS = 86_400_000;
