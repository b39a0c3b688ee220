/**
 * The key state machine: pure functions from (record, command, now) to the next record. Every
 * control-plane change goes through `applyKeyCommand`; it validates, enforces the AWS KMS state
 * rules, checks the invariants and never mutates its input.
 */
import { LatchkeyError, invalid } from './errors.ts';
import { KEY_SPEC_INFO, LIMITS, type KeySpec, type KeyUsage } from './key-specs.ts';
import { DAY_MS, type KeyRecord, type KeyVersionInfo } from './key-record.ts';
import { assertKeyRecord } from './key-invariants.ts';
import { validateDescription, validateRegions, validateTagKeys, validateTags } from './validation.ts';

export type KeyCommand =
  | { readonly type: 'enable' }
  | { readonly type: 'disable' }
  | { readonly type: 'updateDescription'; readonly description: string }
  | { readonly type: 'tag'; readonly tags: Readonly<Record<string, string>> }
  | { readonly type: 'untag'; readonly tagKeys: readonly string[] }
  | { readonly type: 'scheduleDeletion'; readonly pendingWindowDays: number }
  | { readonly type: 'cancelDeletion' }
  | { readonly type: 'destroy' }
  | { readonly type: 'rotate'; readonly rotationType: 'AUTOMATIC' | 'ON_DEMAND' }
  | { readonly type: 'enableRotation'; readonly rotationPeriodDays: number }
  | { readonly type: 'disableRotation' }
  | { readonly type: 'setMinDecryptionVersion'; readonly minDecryptionVersion: number }
  | { readonly type: 'setRegions'; readonly regions: readonly string[] | null };

export type KeyCommandType = KeyCommand['type'];

export interface CreateKeyInput {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsage;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly regions?: readonly string[] | null;
}

export function createKeyRecord(input: CreateKeyInput, nowMs: number): KeyRecord {
  const info = KEY_SPEC_INFO[input.keySpec];
  if (!info) throw invalid(`keySpec ${String(input.keySpec)} is not supported`);
  if (!info.usages.includes(input.keyUsage)) {
    throw new LatchkeyError(
      'ValidationException',
      `keyUsage ${input.keyUsage} is not valid for keySpec ${input.keySpec}; valid: ${info.usages.join(', ')}`,
    );
  }
  const record: KeyRecord = {
    keyId: input.keyId,
    keySpec: input.keySpec,
    keyUsage: input.keyUsage,
    description: validateDescription(input.description ?? ''),
    tags: validateTags(input.tags ?? {}),
    keyState: 'Enabled',
    creationDateMs: nowMs,
    updatedDateMs: nowMs,
    deletionDateMs: null,
    pendingWindowDays: null,
    regions: input.regions === undefined || input.regions === null ? null : validateRegions(input.regions),
    currentVersion: 1,
    minDecryptionVersion: 1,
    versions: [{ keyVersion: 1, creationDateMs: nowMs, rotationType: 'INITIAL' }],
    rotationEnabled: false,
    rotationPeriodDays: null,
    nextRotationDateMs: null,
    revision: 1,
  };
  return assertKeyRecord(record);
}

function notFound(record: KeyRecord): LatchkeyError {
  return new LatchkeyError('NotFoundException', `key ${record.keyId} was destroyed`);
}

function pendingDeletion(record: KeyRecord): LatchkeyError {
  return new LatchkeyError('KMSInvalidStateException', `key ${record.keyId} is pending deletion`);
}

/** Enabled or Disabled: the states where metadata may change. */
function requireLive(record: KeyRecord): void {
  if (record.keyState === 'Destroyed') throw notFound(record);
  if (record.keyState === 'PendingDeletion') throw pendingDeletion(record);
}

function requireEnabled(record: KeyRecord): void {
  requireLive(record);
  if (record.keyState === 'Disabled') throw new LatchkeyError('DisabledException', `key ${record.keyId} is disabled`);
}

function requireRotatable(record: KeyRecord): void {
  if (!KEY_SPEC_INFO[record.keySpec].rotatable) {
    throw new LatchkeyError('UnsupportedOperationException', `keys of spec ${record.keySpec} do not rotate; only SYMMETRIC_DEFAULT keys do`);
  }
}

function validatePeriod(days: number): number {
  if (!Number.isInteger(days) || days < LIMITS.rotationPeriodDaysMin || days > LIMITS.rotationPeriodDaysMax) {
    throw invalid(`rotationPeriodDays must be an integer from ${LIMITS.rotationPeriodDaysMin} to ${LIMITS.rotationPeriodDaysMax}`);
  }
  return days;
}

function addVersion(record: KeyRecord, rotationType: 'AUTOMATIC' | 'ON_DEMAND', nowMs: number): KeyRecord {
  const keyVersion = record.currentVersion + 1;
  const version: KeyVersionInfo = { keyVersion, creationDateMs: nowMs, rotationType };
  const nextRotationDateMs = record.rotationEnabled && record.rotationPeriodDays !== null
    ? nowMs + record.rotationPeriodDays * DAY_MS
    : record.nextRotationDateMs;
  return { ...record, currentVersion: keyVersion, versions: [...record.versions, version], nextRotationDateMs };
}

function step(record: KeyRecord, command: KeyCommand, nowMs: number): KeyRecord {
  switch (command.type) {
    case 'enable':
      requireLive(record);
      return { ...record, keyState: 'Enabled' };
    case 'disable':
      requireLive(record);
      return { ...record, keyState: 'Disabled' };
    case 'updateDescription':
      requireLive(record);
      return { ...record, description: validateDescription(command.description) };
    case 'tag': {
      requireLive(record);
      const tags = { ...record.tags, ...validateTags(command.tags) };
      if (Object.keys(tags).length > LIMITS.tagsMax) {
        throw new LatchkeyError('TagException', `a key holds at most ${LIMITS.tagsMax} tags`);
      }
      return { ...record, tags };
    }
    case 'untag': {
      requireLive(record);
      const remove = new Set(validateTagKeys(command.tagKeys));
      return { ...record, tags: Object.fromEntries(Object.entries(record.tags).filter(([k]) => !remove.has(k))) };
    }
    case 'scheduleDeletion': {
      requireLive(record);
      const days = command.pendingWindowDays;
      if (!Number.isInteger(days) || days < LIMITS.pendingWindowDaysMin || days > LIMITS.pendingWindowDaysMax) {
        throw invalid(`pendingWindowDays must be an integer from ${LIMITS.pendingWindowDaysMin} to ${LIMITS.pendingWindowDaysMax}`);
      }
      return { ...record, keyState: 'PendingDeletion', pendingWindowDays: days, deletionDateMs: nowMs + days * DAY_MS };
    }
    case 'cancelDeletion':
      if (record.keyState === 'Destroyed') throw notFound(record);
      if (record.keyState !== 'PendingDeletion') {
        throw new LatchkeyError('KMSInvalidStateException', `key ${record.keyId} is not pending deletion`);
      }
      // As in AWS KMS: a key whose deletion is cancelled comes back disabled.
      return { ...record, keyState: 'Disabled', pendingWindowDays: null, deletionDateMs: null };
    case 'destroy':
      if (record.keyState === 'Destroyed') throw notFound(record);
      if (record.keyState !== 'PendingDeletion' || record.deletionDateMs === null) {
        throw new LatchkeyError('KMSInvalidStateException', `key ${record.keyId} is not pending deletion`);
      }
      if (nowMs < record.deletionDateMs) {
        throw new LatchkeyError('KMSInvalidStateException', `key ${record.keyId} is not due for deletion yet`);
      }
      return { ...record, keyState: 'Destroyed', rotationEnabled: false, nextRotationDateMs: null };
    case 'rotate':
      requireRotatable(record);
      requireEnabled(record);
      return addVersion(record, command.rotationType, nowMs);
    case 'enableRotation': {
      requireRotatable(record);
      requireEnabled(record);
      const period = validatePeriod(command.rotationPeriodDays);
      return { ...record, rotationEnabled: true, rotationPeriodDays: period, nextRotationDateMs: nowMs + period * DAY_MS };
    }
    case 'disableRotation':
      requireRotatable(record);
      requireEnabled(record);
      return { ...record, rotationEnabled: false, nextRotationDateMs: null };
    case 'setMinDecryptionVersion': {
      requireLive(record);
      const v = command.minDecryptionVersion;
      if (!Number.isInteger(v) || v < 1 || v > record.currentVersion) {
        throw invalid(`minDecryptionVersion must be an integer from 1 to the current version ${record.currentVersion}`);
      }
      return { ...record, minDecryptionVersion: v };
    }
    case 'setRegions':
      requireLive(record);
      return { ...record, regions: command.regions === null ? null : validateRegions(command.regions) };
  }
}

/** Applies one command; throws a LatchkeyError when the command is not allowed or invalid. */
export function applyKeyCommand(record: KeyRecord, command: KeyCommand, nowMs: number): KeyRecord {
  const next = step(record, command, nowMs);
  return assertKeyRecord({ ...next, revision: record.revision + 1, updatedDateMs: nowMs });
}

/** Does a command change material (so the shell must create or erase wrapped versions)? */
export function commandEffects(before: KeyRecord, after: KeyRecord): { newVersion: number | null; eraseMaterial: boolean } {
  return {
    newVersion: after.currentVersion > before.currentVersion ? after.currentVersion : null,
    eraseMaterial: after.keyState === 'Destroyed' && before.keyState !== 'Destroyed',
  };
}
