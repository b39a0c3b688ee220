/**
 * A Latchkey key record as AWS's KeyMetadata. Latchkey keys live in every region of their region
 * policy at once, so a key that may live in more than one region (or in every region: no policy)
 * is reported as a multi-Region key; its "primary" is the first allowed region by name, so that
 * every region describes the key the same way.
 */
import { KEY_SPEC_INFO, allowedRegions, type KeyRecord } from '@latchkey/core';
import { keyArn, type ArnContext } from './arns.ts';
import { epochSeconds, optionalEpochSeconds } from './wire-output.ts';

export function isMultiRegion(record: KeyRecord): boolean {
  return record.regions === null || record.regions.length > 1;
}

function algorithms(record: KeyRecord): Record<string, readonly string[]> {
  const info = KEY_SPEC_INFO[record.keySpec];
  switch (record.keyUsage) {
    case 'ENCRYPT_DECRYPT': return { EncryptionAlgorithms: info.encryptionAlgorithms };
    case 'SIGN_VERIFY': return { SigningAlgorithms: info.signingAlgorithms };
    case 'GENERATE_VERIFY_MAC': return { MacAlgorithms: info.macAlgorithms };
    case 'KEY_AGREEMENT': return { KeyAgreementAlgorithms: info.keyAgreementAlgorithms };
  }
}

function multiRegionConfiguration(context: ArnContext, record: KeyRecord, region: string): Record<string, unknown> {
  const regions = [...allowedRegions(record, context.regions)].sort();
  const primary = regions[0] ?? region;
  return {
    MultiRegionKeyType: region === primary ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: { Arn: keyArn(context, record.keyId, primary), Region: primary },
    ReplicaKeys: regions.filter((r) => r !== primary).map((r) => ({ Arn: keyArn(context, record.keyId, r), Region: r })),
  };
}

/** KeyMetadata as seen from `region` (the serving region, or a replica region for ReplicateKey). */
export function keyMetadata(context: ArnContext, record: KeyRecord, region: string = context.region): Record<string, unknown> {
  const multiRegion = isMultiRegion(record);
  return {
    AWSAccountId: context.accountId,
    KeyId: record.keyId,
    Arn: keyArn(context, record.keyId, region),
    CreationDate: epochSeconds(record.creationDateMs),
    Enabled: record.keyState === 'Enabled',
    Description: record.description,
    KeyUsage: record.keyUsage,
    KeyState: record.keyState,
    DeletionDate: optionalEpochSeconds(record.deletionDateMs),
    PendingDeletionWindowInDays: record.pendingWindowDays ?? undefined,
    Origin: 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: record.keySpec,
    KeySpec: record.keySpec,
    ...algorithms(record),
    MultiRegion: multiRegion,
    ...(multiRegion ? { MultiRegionConfiguration: multiRegionConfiguration(context, record, region) } : {}),
  };
}
