/**
 * The key state machine: pure functions from (record, command, now) to the next record. Every
 * control-plane change goes through `applyKeyCommand`; it validates, enforces the AWS KMS state
 * rules, checks the invariants and never mutates its input.
 */
import { LatchkeyError, invalid } from './errors.ts';
import { KEY_SPEC_INFO, LIMITS, isKeySpec, type KeySpec, type KeyUsage } from './key-specs.ts';
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
  if (!isKeySpec(input.keySpec)) throw invalid(`keySpec ${String(input.keySpec)} is not supported`);
  const info = KEY_SPEC_INFO[input.keySpec];
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

function notPendingDeletion(record: KeyRecord): LatchkeyError {
  return new LatchkeyError('KMSInvalidStateException', `key ${record.keyId} is not pending deletion`);
}

/** Enabled or Disabled: the states where metadata may change. Destroyed keys never get here. */
function requireLive(record: KeyRecord): void {
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

function validatePendingWindow(days: number): number {
  if (!Number.isInteger(days) || days < LIMITS.pendingWindowDaysMin || days > LIMITS.pendingWindowDaysMax) {
    throw invalid(`pendingWindowDays must be an integer from ${LIMITS.pendingWindowDaysMin} to ${LIMITS.pendingWindowDaysMax}`);
  }
  return days;
}

/** As in AWS KMS, a key takes at most a fixed number of on-demand rotations in its lifetime. */
function requireOnDemandBudget(record: KeyRecord): void {
  const used = record.versions.filter((v) => v.rotationType === 'ON_DEMAND').length;
  if (used >= LIMITS.onDemandRotationsMax) {
    throw new LatchkeyError('LimitExceededException', `key ${record.keyId} has used all ${LIMITS.onDemandRotationsMax} on-demand rotations`);
  }
}

function addVersion(record: KeyRecord, rotationType: 'AUTOMATIC' | 'ON_DEMAND', nowMs: number): KeyRecord {
  const keyVersion = record.currentVersion + 1;
  const version: KeyVersionInfo = { keyVersion, creationDateMs: nowMs, rotationType };
  // Any new version restarts the automatic period, so a manual rotation is not followed by an early automatic one.
  const nextRotationDateMs = record.rotationEnabled && record.rotationPeriodDays !== null
    ? nowMs + record.rotationPeriodDays * DAY_MS
    : record.nextRotationDateMs;
  return { ...record, currentVersion: keyVersion, versions: [...record.versions, version], nextRotationDateMs };
}

function rotate(record: KeyRecord, rotationType: 'AUTOMATIC' | 'ON_DEMAND', nowMs: number): KeyRecord {
  requireRotatable(record);
  requireEnabled(record);
  if (rotationType !== 'AUTOMATIC' && rotationType !== 'ON_DEMAND') throw invalid('rotationType must be AUTOMATIC or ON_DEMAND');
  if (rotationType === 'ON_DEMAND') requireOnDemandBudget(record);
  return addVersion(record, rotationType, nowMs);
}

function tag(record: KeyRecord, newTags: Readonly<Record<string, string>>): KeyRecord {
  requireLive(record);
  const tags = { ...record.tags, ...validateTags(newTags) };
  if (Object.keys(tags).length > LIMITS.tagsMax) {
    throw new LatchkeyError('TagException', `a key holds at most ${LIMITS.tagsMax} tags`);
  }
  return { ...record, tags };
}

function untag(record: KeyRecord, tagKeys: readonly string[]): KeyRecord {
  requireLive(record);
  const remove = new Set(validateTagKeys(tagKeys));
  return { ...record, tags: Object.fromEntries(Object.entries(record.tags).filter(([k]) => !remove.has(k))) };
}

function destroy(record: KeyRecord, nowMs: number): KeyRecord {
  if (record.keyState !== 'PendingDeletion' || record.deletionDateMs === null) throw notPendingDeletion(record);
  if (nowMs < record.deletionDateMs) {
    throw new LatchkeyError('KMSInvalidStateException', `key ${record.keyId} is not due for deletion yet`);
  }
  // deletionDateMs and pendingWindowDays stay: the tombstone records when the material went.
  return { ...record, keyState: 'Destroyed', rotationEnabled: false, nextRotationDateMs: null };
}

function setMinDecryptionVersion(record: KeyRecord, minDecryptionVersion: number): KeyRecord {
  requireLive(record);
  const v = minDecryptionVersion;
  if (!Number.isInteger(v) || v < 1 || v > record.currentVersion) {
    throw invalid(`minDecryptionVersion must be an integer from 1 to the current version ${record.currentVersion}`);
  }
  return { ...record, minDecryptionVersion: v };
}

type Handler<T extends KeyCommandType> = (record: KeyRecord, command: Extract<KeyCommand, { type: T }>, nowMs: number) => KeyRecord;

/** One small handler per command; every handler may assume the key is not destroyed. */
const HANDLERS: { readonly [T in KeyCommandType]: Handler<T> } = {
  enable: (r) => {
    requireLive(r);
    return { ...r, keyState: 'Enabled' };
  },
  disable: (r) => {
    requireLive(r);
    return { ...r, keyState: 'Disabled' };
  },
  updateDescription: (r, c) => {
    requireLive(r);
    return { ...r, description: validateDescription(c.description) };
  },
  tag: (r, c) => tag(r, c.tags),
  untag: (r, c) => untag(r, c.tagKeys),
  scheduleDeletion: (r, c, now) => {
    requireLive(r);
    const days = validatePendingWindow(c.pendingWindowDays);
    return { ...r, keyState: 'PendingDeletion', pendingWindowDays: days, deletionDateMs: now + days * DAY_MS };
  },
  cancelDeletion: (r) => {
    if (r.keyState !== 'PendingDeletion') throw notPendingDeletion(r);
    // As in AWS KMS: a key whose deletion is cancelled comes back disabled.
    return { ...r, keyState: 'Disabled', pendingWindowDays: null, deletionDateMs: null };
  },
  destroy: (r, _c, now) => destroy(r, now),
  rotate: (r, c, now) => rotate(r, c.rotationType, now),
  enableRotation: (r, c, now) => {
    requireRotatable(r);
    requireEnabled(r);
    const period = validatePeriod(c.rotationPeriodDays);
    return { ...r, rotationEnabled: true, rotationPeriodDays: period, nextRotationDateMs: now + period * DAY_MS };
  },
  disableRotation: (r) => {
    requireRotatable(r);
    requireEnabled(r);
    return { ...r, rotationEnabled: false, nextRotationDateMs: null };
  },
  setMinDecryptionVersion: (r, c) => setMinDecryptionVersion(r, c.minDecryptionVersion),
  setRegions: (r, c) => {
    requireLive(r);
    return { ...r, regions: c.regions === null ? null : validateRegions(c.regions) };
  },
};

function step(record: KeyRecord, command: KeyCommand, nowMs: number): KeyRecord {
  // Commands may arrive from JSON or the stream, so an unknown type is bad input, not a crash.
  const type: unknown = command?.type;
  if (typeof type !== 'string' || !Object.hasOwn(HANDLERS, type)) throw invalid(`unknown key command ${String(type)}`);
  // A destroyed key no longer exists for any command, whatever its spec.
  if (record.keyState === 'Destroyed') throw notFound(record);
  const handler = HANDLERS[command.type] as (record: KeyRecord, command: KeyCommand, nowMs: number) => KeyRecord;
  return handler(record, command, nowMs);
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
