/**
 * Valid, deterministic records for the storage tests and the crash fixture. Test support only:
 * not exported from the package.
 */
import type { AliasRecord, KeyRecord, KeyVersionInfo, TokenRecord, VersionMaterial } from '@latchkey/core';

const T0_MS = 1_767_225_600_000;

export function sampleKey(keyId: string, options: { versionCount?: number; revision?: number } = {}): KeyRecord {
  const versionCount = options.versionCount ?? 1;
  const versions: KeyVersionInfo[] = Array.from({ length: versionCount }, (_, i) => ({
    keyVersion: i + 1,
    creationDateMs: T0_MS + i * 1000,
    rotationType: i === 0 ? 'INITIAL' : 'ON_DEMAND',
  }));
  return {
    keyId,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    description: `sample key ${keyId}`,
    tags: { team: 'storage', 'cost-center': '42' },
    keyState: 'Enabled',
    creationDateMs: T0_MS,
    updatedDateMs: T0_MS + versionCount * 1000,
    deletionDateMs: null,
    pendingWindowDays: null,
    regions: ['eu-west', 'us-east'],
    currentVersion: versionCount,
    minDecryptionVersion: 1,
    versions,
    rotationEnabled: false,
    rotationPeriodDays: null,
    nextRotationDateMs: null,
    revision: options.revision ?? versionCount,
  };
}

/** Bytes that differ per key and version, so a mix-up between records shows. */
export function sampleBytes(label: string, length = 40): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (label.charCodeAt(i % label.length) * 31 + i) & 0xff;
  return bytes;
}

export function sampleMaterial(keyId: string, keyVersion: number, withPublicKey = false): VersionMaterial {
  return {
    keyId,
    keyVersion,
    wrapped: sampleBytes(`wrapped ${keyId} ${keyVersion}`),
    publicKey: withPublicKey ? sampleBytes(`public ${keyId} ${keyVersion}`, 91) : null,
  };
}

export function sampleAlias(aliasName: string, targetKeyId: string): AliasRecord {
  return { aliasName, targetKeyId, creationDateMs: T0_MS, lastUpdatedDateMs: T0_MS + 5 };
}

export function sampleToken(tokenId: string, admin = false): TokenRecord {
  return { tokenId, tokenHash: 'ab'.repeat(32), principal: `user/${tokenId}`, admin, creationDateMs: T0_MS };
}

/**
 * The batch the crash writer commits as commit `commitId`: a key, three versions of about 2 KB of
 * material, an alias and the cursor, so a torn batch would show as a key without its parts.
 */
export function sampleCommit(commitId: number) {
  const keyId = `crash-${String(commitId).padStart(8, '0')}`;
  return {
    putKeys: [sampleKey(keyId, { versionCount: 3 })],
    putMaterial: [1, 2, 3].map((v) => ({ ...sampleMaterial(keyId, v), wrapped: sampleBytes(`${keyId}/${v}`, 2048) })),
    putAliases: [sampleAlias(`alias/${keyId}`, keyId)],
    putMeta: { lastCommit: commitId },
  };
}

export function sampleCommitKeyId(commitId: number): string {
  return sampleCommit(commitId).putKeys[0]?.keyId ?? '';
}
