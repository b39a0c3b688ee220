/** Turns core records into the JSON shapes of the API (ISO dates, camelCase, AWS vocabulary). */
import { KEY_SPEC_INFO, type AliasRecord, type KeyRecord } from '@latchkey/core';

function iso(ms: number | null): string | undefined {
  return ms === null ? undefined : new Date(ms).toISOString();
}

export function keyMetadata(record: KeyRecord): Record<string, unknown> {
  const info = KEY_SPEC_INFO[record.keySpec];
  const byUsage = {
    ENCRYPT_DECRYPT: { encryptionAlgorithms: info.encryptionAlgorithms },
    SIGN_VERIFY: { signingAlgorithms: info.signingAlgorithms },
    GENERATE_VERIFY_MAC: { macAlgorithms: info.macAlgorithms },
    KEY_AGREEMENT: { keyAgreementAlgorithms: info.keyAgreementAlgorithms },
  }[record.keyUsage];
  return {
    keyId: record.keyId,
    keySpec: record.keySpec,
    keyUsage: record.keyUsage,
    keyState: record.keyState,
    description: record.description,
    tags: record.tags,
    creationDate: iso(record.creationDateMs),
    deletionDate: iso(record.deletionDateMs),
    pendingWindowDays: record.pendingWindowDays ?? undefined,
    regions: record.regions,
    currentVersion: record.currentVersion,
    minDecryptionVersion: record.minDecryptionVersion,
    versions: record.versions.map((v) => ({ keyVersion: v.keyVersion, creationDate: iso(v.creationDateMs), rotationType: v.rotationType })),
    keyRotationEnabled: record.rotationEnabled,
    rotationPeriodDays: record.rotationPeriodDays ?? undefined,
    nextRotationDate: iso(record.nextRotationDateMs),
    origin: 'LATCHKEY',
    ...byUsage,
  };
}

export function aliasJson(alias: AliasRecord): Record<string, unknown> {
  return {
    aliasName: alias.aliasName,
    targetKeyId: alias.targetKeyId,
    creationDate: iso(alias.creationDateMs),
    lastUpdatedDate: iso(alias.lastUpdatedDateMs),
  };
}
