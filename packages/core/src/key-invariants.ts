/**
 * Invariants every key record satisfies. Checked before every write and after every read, so that
 * a bug or a corrupt store is caught at the boundary instead of producing a wrong ciphertext.
 * The checks read defensively: a record from a corrupt store may have any shape, and the answer
 * must then be a list of problems, never a TypeError.
 */
import { LatchkeyError } from './errors.ts';
import { KEY_SPEC_INFO, LIMITS, isKeySpec } from './key-specs.ts';
import { KEY_STATES, type KeyRecord } from './key-record.ts';

function isCount(value: unknown, min: number): value is number {
  return Number.isInteger(value) && (value as number) >= min;
}

function specProblems(record: KeyRecord): string[] {
  if (!isKeySpec(record.keySpec)) return [`unknown keySpec ${String(record.keySpec)}`];
  if (!KEY_SPEC_INFO[record.keySpec].usages.includes(record.keyUsage)) {
    return [`keyUsage ${String(record.keyUsage)} not valid for ${record.keySpec}`];
  }
  return [];
}

function versionProblems(record: KeyRecord): string[] {
  const problems: string[] = [];
  if (!isCount(record.currentVersion, 1)) problems.push('currentVersion is not an integer of at least 1');
  if (!Array.isArray(record.versions)) return [...problems, 'versions is not a list'];
  if (record.versions.length !== record.currentVersion) problems.push('versions length differs from currentVersion');
  record.versions.forEach((v: KeyRecord['versions'][number] | null, i) => {
    if (v?.keyVersion !== i + 1) problems.push(`version at index ${i} is ${String(v?.keyVersion)}`);
    // Only the first version is created with the key; every later one comes from a rotation.
    if ((v?.rotationType === 'INITIAL') !== (i === 0)) problems.push(`version at index ${i} has rotationType ${String(v?.rotationType)}`);
  });
  const minVersion = record.minDecryptionVersion;
  if (!isCount(minVersion, 1) || minVersion > record.currentVersion) problems.push('minDecryptionVersion outside 1..currentVersion');
  return problems;
}

function deletionProblems(record: KeyRecord): string[] {
  const problems: string[] = [];
  // A destroyed key keeps the date it was due, as a tombstone says when the material went.
  const deletionScheduled = record.keyState === 'PendingDeletion' || record.keyState === 'Destroyed';
  if (deletionScheduled !== (record.deletionDateMs !== null)) {
    problems.push('deletionDateMs set exactly when PendingDeletion or Destroyed');
  }
  if ((record.pendingWindowDays !== null) !== (record.deletionDateMs !== null)) {
    problems.push('pendingWindowDays set exactly when deletionDateMs is');
  }
  return problems;
}

function rotationProblems(record: KeyRecord): string[] {
  if (!record.rotationEnabled) return [];
  const problems: string[] = [];
  if (record.rotationPeriodDays === null || record.nextRotationDateMs === null) problems.push('rotation enabled without period or next date');
  if (isKeySpec(record.keySpec) && !KEY_SPEC_INFO[record.keySpec].rotatable) problems.push(`rotation enabled on non-rotatable ${record.keySpec}`);
  if (record.keyState === 'Destroyed') problems.push('rotation enabled on a destroyed key');
  return problems;
}

function otherProblems(record: KeyRecord): string[] {
  const problems: string[] = [];
  if (!KEY_STATES.includes(record.keyState)) problems.push(`unknown keyState ${String(record.keyState)}`);
  if (typeof record.tags !== 'object' || record.tags === null) problems.push('tags is not an object');
  else if (Object.keys(record.tags).length > LIMITS.tagsMax) problems.push(`more than ${LIMITS.tagsMax} tags`);
  if (!isCount(record.revision, 1)) problems.push('revision is not an integer of at least 1');
  return problems;
}

/** Returns the list of broken invariants; empty when the record is sound. */
export function keyRecordViolations(record: KeyRecord): string[] {
  if (typeof record !== 'object' || record === null) return ['record is not an object'];
  return [
    ...specProblems(record),
    ...versionProblems(record),
    ...deletionProblems(record),
    ...rotationProblems(record),
    ...otherProblems(record),
  ];
}

export function assertKeyRecord(record: KeyRecord): KeyRecord {
  const problems = keyRecordViolations(record);
  if (problems.length > 0) {
    throw new LatchkeyError('KMSInternalException', `key record ${String(record?.keyId)} violates invariants: ${problems.join('; ')}`);
  }
  return record;
}
