/**
 * The replicated unit: a state change carries the FULL new state of one key, alias, token or AWS
 * credential, so that any single message is enough to rebuild that item, and a bounded history per
 * subject is safe. Key changes carry every version's secret wrapped once per allowed region, under
 * that region's transport public key; a region outside the policy gets nothing it can unwrap.
 * Credential changes carry their secret the same way, wrapped for every region.
 */
import type { AliasRecord, KeyRecord, TokenRecord } from '../key-record.ts';

export interface VersionEnvelope {
  readonly keyVersion: number;
  /** DER SPKI for asymmetric keys (public, so not wrapped). */
  readonly publicKey: Uint8Array | null;
  /** region name -> the version's secret wrapped under that region's transport key. */
  readonly wrapped: Readonly<Record<string, Uint8Array>>;
}

export interface KeyChange {
  readonly kind: 'key';
  readonly record: KeyRecord;
  readonly versions: readonly VersionEnvelope[];
}

export interface AliasChange {
  readonly kind: 'alias';
  readonly aliasName: string;
  /** null: the alias was deleted. */
  readonly alias: AliasRecord | null;
}

export interface TokenChange {
  readonly kind: 'token';
  readonly tokenId: string;
  /** null: the token was revoked. */
  readonly token: TokenRecord | null;
}

/**
 * An AWS SigV4 credential of a principal. SigV4 verification needs the secret itself (an HMAC key),
 * so it cannot be stored hashed like a bearer token; it travels like key material instead.
 */
export interface CredentialRecord {
  readonly accessKeyId: string;
  readonly principal: string;
  readonly creationDateMs: number;
}

export interface CredentialChange {
  readonly kind: 'credential';
  readonly accessKeyId: string;
  /** null: the credential was revoked. */
  readonly credential: CredentialRecord | null;
  /** region name -> the secret access key wrapped under that region's transport key (empty when revoked). */
  readonly wrapped: Readonly<Record<string, Uint8Array>>;
}

export type StateChange = KeyChange | AliasChange | TokenChange | CredentialChange;

/** What travels on the stream: the change plus where and when it was made. */
export interface ChangeEnvelope {
  readonly formatVersion: 1;
  readonly change: StateChange;
  /** Region that made the change (its signature is checked against the pinned key). */
  readonly origin: string;
  /** Unique per logical change; the stream's de-duplication id. */
  readonly changeId: string;
  readonly createdAtMs: number;
}

export const SUBJECT_PREFIX = 'kms';

/** One subject per item, so that compare-and-set is per key (expected last subject sequence). */
export function subjectOf(change: StateChange): string {
  switch (change.kind) {
    case 'key':
      return `${SUBJECT_PREFIX}.key.${change.record.keyId}`;
    case 'alias':
      return `${SUBJECT_PREFIX}.alias.${change.aliasName}`;
    case 'token':
      return `${SUBJECT_PREFIX}.token.${change.tokenId}`;
    case 'credential':
      return `${SUBJECT_PREFIX}.credential.${change.accessKeyId}`;
  }
}

export function keySubject(keyId: string): string {
  return `${SUBJECT_PREFIX}.key.${keyId}`;
}

export function aliasSubject(aliasName: string): string {
  return `${SUBJECT_PREFIX}.alias.${aliasName}`;
}

export function tokenSubject(tokenId: string): string {
  return `${SUBJECT_PREFIX}.token.${tokenId}`;
}

export function credentialSubject(accessKeyId: string): string {
  return `${SUBJECT_PREFIX}.credential.${accessKeyId}`;
}

/** The regions allowed to hold a key: its pinning policy, or every region of the deployment. */
export function allowedRegions(record: KeyRecord, deploymentRegions: readonly string[]): readonly string[] {
  return record.regions ?? deploymentRegions;
}

export function holdsKey(record: KeyRecord, region: string, deploymentRegions: readonly string[]): boolean {
  return record.keyState !== 'Destroyed' && allowedRegions(record, deploymentRegions).includes(region);
}
