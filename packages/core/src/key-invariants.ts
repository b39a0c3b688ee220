/**
 * Invariants every key record satisfies. Checked before every write and after every read, so that
 * a bug or a corrupt store is caught at the boundary instead of producing a wrong ciphertext.
 */
import { LatchkeyError } from './errors.ts';
import { KEY_SPEC_INFO } from './key-specs.ts';
import { KEY_STATES, type KeyRecord } from './key-record.ts';

/** Returns the list of broken invariants; empty when the record is sound. */
export function keyRecordViolations(record: KeyRecord): string[] {
  const problems: string[] = [];
  const info = KEY_SPEC_INFO[record.keySpec];
  if (!info) problems.push(`unknown keySpec ${String(record.keySpec)}`);
  else if (!info.usages.includes(record.keyUsage)) problems.push(`keyUsage ${record.keyUsage} not valid for ${record.keySpec}`);
  if (!KEY_STATES.includes(record.keyState)) problems.push(`unknown keyState ${String(record.keyState)}`);
  if (record.versions.length !== record.currentVersion) problems.push('versions length differs from currentVersion');
  record.versions.forEach((v, i) => {
    if (v.keyVersion !== i + 1) problems.push(`version at index ${i} is ${v.keyVersion}`);
  });
  if (record.currentVersion < 1) problems.push('currentVersion below 1');
  if (record.minDecryptionVersion < 1 || record.minDecryptionVersion > record.currentVersion) {
    problems.push('minDecryptionVersion outside 1..currentVersion');
  }
  if ((record.keyState === 'PendingDeletion') !== (record.deletionDateMs !== null)) {
    problems.push('deletionDateMs set exactly when PendingDeletion');
  }
  if (record.rotationEnabled && (record.rotationPeriodDays === null || record.nextRotationDateMs === null)) {
    problems.push('rotation enabled without period or next date');
  }
  if (record.revision < 1) problems.push('revision below 1');
  return problems;
}

export function assertKeyRecord(record: KeyRecord): KeyRecord {
  const problems = keyRecordViolations(record);
  if (problems.length > 0) {
    throw new LatchkeyError('KMSInternalException', `key record ${record.keyId} violates invariants: ${problems.join('; ')}`);
  }
  return record;
}
