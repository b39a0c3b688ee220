/**
 * A reference model of the key lifecycle, written from the rules (AWS KMS semantics as our API
 * documents them) rather than from key-machine.ts, so that the property test can compare the two.
 * It is deliberately plain: a mutable-looking value copied on every step, a Map for tags, and
 * argument validity decided by labels the generators attach instead of by the production regexes.
 */
import type { ErrorCode, KeySpec } from './index.ts';

const DAY = 24 * 60 * 60 * 1000;

export type ModelState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Destroyed';

export interface ModelKey {
  readonly spec: KeySpec;
  readonly state: ModelState;
  readonly versionCount: number;
  readonly onDemandCount: number;
  readonly minDecryption: number;
  readonly rotationOn: boolean;
  readonly rotationPeriodDays: number | null;
  readonly nextRotationMs: number | null;
  readonly deletionMs: number | null;
  readonly windowDays: number | null;
  readonly tags: ReadonlyMap<string, string>;
  readonly description: string;
  readonly regions: readonly string[] | null;
  readonly revision: number;
}

/** A generated command: the value handed to the machine plus what the model needs to judge it. */
export type ModelCommand =
  | { kind: 'enable' } | { kind: 'disable' } | { kind: 'cancelDeletion' } | { kind: 'destroy' } | { kind: 'disableRotation' }
  | { kind: 'updateDescription'; description: string; valid: boolean }
  | { kind: 'tag'; entries: ReadonlyArray<readonly [string, string]>; valid: boolean }
  | { kind: 'untag'; keys: readonly string[]; valid: boolean }
  | { kind: 'scheduleDeletion'; days: number }
  | { kind: 'rotate'; rotationType: 'AUTOMATIC' | 'ON_DEMAND' }
  | { kind: 'enableRotation'; days: number }
  | { kind: 'setMinDecryptionVersion'; version: number }
  | { kind: 'setRegions'; regions: readonly string[] | null; valid: boolean };

export type ModelOutcome = { readonly ok: true; readonly key: ModelKey } | { readonly ok: false; readonly code: ErrorCode };

export function initialModel(spec: KeySpec, tags: ReadonlyMap<string, string>): ModelKey {
  return {
    spec, state: 'Enabled', versionCount: 1, onDemandCount: 0, minDecryption: 1, rotationOn: false,
    rotationPeriodDays: null, nextRotationMs: null, deletionMs: null, windowDays: null,
    tags, description: '', regions: null, revision: 1,
  };
}

const fail = (code: ErrorCode): ModelOutcome => ({ ok: false, code });
const isWholeIn = (n: number, lo: number, hi: number): boolean => Number.isInteger(n) && n >= lo && n <= hi;

/** Only symmetric encryption keys rotate. */
function rotationGate(key: ModelKey): ErrorCode | null {
  if (key.spec !== 'SYMMETRIC_DEFAULT') return 'UnsupportedOperationException';
  if (key.state === 'PendingDeletion') return 'KMSInvalidStateException';
  if (key.state === 'Disabled') return 'DisabledException';
  return null;
}

function rotationCommand(key: ModelKey, cmd: ModelCommand, nowMs: number): ModelOutcome {
  const gate = rotationGate(key);
  if (gate) return fail(gate);
  if (cmd.kind === 'disableRotation') return ok({ ...key, rotationOn: false, nextRotationMs: null });
  if (cmd.kind === 'enableRotation') {
    if (!isWholeIn(cmd.days, 90, 2560)) return fail('ValidationException');
    return ok({ ...key, rotationOn: true, rotationPeriodDays: cmd.days, nextRotationMs: nowMs + cmd.days * DAY });
  }
  if (cmd.kind !== 'rotate') throw new TypeError(`not a rotation command: ${cmd.kind}`);
  const onDemand = cmd.rotationType === 'ON_DEMAND';
  if (onDemand && key.onDemandCount >= 10) return fail('LimitExceededException');
  const nextRotationMs = key.rotationOn && key.rotationPeriodDays !== null ? nowMs + key.rotationPeriodDays * DAY : key.nextRotationMs;
  return ok({ ...key, versionCount: key.versionCount + 1, onDemandCount: key.onDemandCount + (onDemand ? 1 : 0), nextRotationMs });
}

function deletionCommand(key: ModelKey, cmd: ModelCommand, nowMs: number): ModelOutcome {
  const pending = key.state === 'PendingDeletion';
  if (cmd.kind === 'cancelDeletion') {
    return pending ? ok({ ...key, state: 'Disabled', deletionMs: null, windowDays: null }) : fail('KMSInvalidStateException');
  }
  if (cmd.kind === 'destroy') {
    if (!pending || key.deletionMs === null || nowMs < key.deletionMs) return fail('KMSInvalidStateException');
    return ok({ ...key, state: 'Destroyed', rotationOn: false, nextRotationMs: null });
  }
  if (cmd.kind !== 'scheduleDeletion') throw new TypeError(`not a deletion command: ${cmd.kind}`);
  if (pending) return fail('KMSInvalidStateException');
  if (!isWholeIn(cmd.days, 7, 30)) return fail('ValidationException');
  return ok({ ...key, state: 'PendingDeletion', windowDays: cmd.days, deletionMs: nowMs + cmd.days * DAY });
}

function metadataCommand(key: ModelKey, cmd: ModelCommand): ModelOutcome {
  if (key.state === 'PendingDeletion') return fail('KMSInvalidStateException');
  switch (cmd.kind) {
    case 'enable': return ok({ ...key, state: 'Enabled' });
    case 'disable': return ok({ ...key, state: 'Disabled' });
    case 'updateDescription': return cmd.valid ? ok({ ...key, description: cmd.description }) : fail('ValidationException');
    case 'setRegions':
      if (!cmd.valid) return fail('ValidationException');
      return ok({ ...key, regions: cmd.regions === null ? null : [...new Set(cmd.regions)].sort() });
    case 'setMinDecryptionVersion':
      if (!isWholeIn(cmd.version, 1, key.versionCount)) return fail('ValidationException');
      return ok({ ...key, minDecryption: cmd.version });
    case 'tag': {
      const tags = new Map([...key.tags, ...cmd.entries]);
      return cmd.valid && tags.size <= 50 ? ok({ ...key, tags }) : fail('TagException');
    }
    case 'untag': {
      if (!cmd.valid) return fail('TagException');
      const tags = new Map([...key.tags].filter(([k]) => !cmd.keys.includes(k)));
      return ok({ ...key, tags });
    }
    default: throw new TypeError(`not a metadata command: ${cmd.kind}`);
  }
}

function ok(key: ModelKey): ModelOutcome {
  return { ok: true, key: { ...key, revision: key.revision + 1 } };
}

/** The model's verdict on one command at one time. */
export function modelStep(key: ModelKey, cmd: ModelCommand, nowMs: number): ModelOutcome {
  if (key.state === 'Destroyed') return fail('NotFoundException');
  switch (cmd.kind) {
    case 'rotate': case 'enableRotation': case 'disableRotation': return rotationCommand(key, cmd, nowMs);
    case 'scheduleDeletion': case 'cancelDeletion': case 'destroy': return deletionCommand(key, cmd, nowMs);
    default: return metadataCommand(key, cmd);
  }
}
