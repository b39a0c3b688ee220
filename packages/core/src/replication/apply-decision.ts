/**
 * What applying one state change from the stream does to one region: a pure decision that the
 * shell then performs (unwrap and re-wrap material, write the batch, advance the cursor, ack).
 * Changes are applied in stream order; a change at or below the sequence already applied for its
 * subject is a redelivery and is skipped, so applying is idempotent.
 *
 * Anyone who can publish on the stream can put bytes there, so the envelope is read defensively:
 * a malformed change is rejected with a reason, never a TypeError that would wedge the consumer.
 */
import { keyRecordViolations } from '../key-invariants.ts';
import type { KeyRecord } from '../key-record.ts';
import { credentialChangeProblem, credentialDecision } from './credential-change.ts';
import { holdsKey, subjectOf, type ChangeEnvelope, type KeyChange } from './state-change.ts';

export interface LocalItemState {
  /** Stream sequence of the change last applied for this subject; 0 when none. */
  readonly subjectSeq: number;
  /** The key record held now (key subjects only). */
  readonly record: KeyRecord | null;
  /** Versions this region holds material for now. */
  readonly heldVersions: readonly number[];
  /**
   * The secret of each held version wrapped for this region, as the last change applied here
   * carried it (key subjects only; absent when unknown). Changes carry these bytes forward
   * unchanged, so different bytes for a held version are a re-wrap or, if the secret differs too,
   * a divergence between this region and the stream.
   */
  readonly wrappedHere?: ReadonlyMap<number, Uint8Array>;
}

export type ApplyDecision =
  | { readonly action: 'skip'; readonly reason: 'already-applied' }
  | { readonly action: 'reject'; readonly reason: string }
  | {
    readonly action: 'apply';
    /** Versions whose wrapped secret this region must unwrap (transport key) and re-wrap (root key). */
    readonly adoptVersions: readonly number[];
    /** Versions whose local material must be erased (destroyed key, or region no longer allowed). */
    readonly eraseVersions: readonly number[];
    /** Allowed here, but the change carries no material for these versions: an anomaly to report. */
    readonly missingVersions: readonly number[];
    /** The record's revision did not grow by one: reported, not refused (the stream order rules). */
    readonly revisionGap: boolean;
    /**
     * Held versions whose wrapped bytes for this region changed: the shell unwraps the new bytes
     * and, if the secret is not the one it holds, reports a divergence (material kept).
     */
    readonly recheckVersions: readonly number[];
    /** Held versions the change does not carry: reported as a divergence, material kept. */
    readonly unknownToStream: readonly number[];
  };

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Regions must be a real list: `includes` on a string would turn pinning into a substring match. */
function regionsProblem(regions: unknown): string | null {
  if (regions === null) return null;
  if (!Array.isArray(regions) || regions.length === 0 || !regions.every((r) => typeof r === 'string')) {
    return 'regions is neither null nor a non-empty list of region names';
  }
  return null;
}

function versionShapeProblem(versions: unknown): string | null {
  if (!Array.isArray(versions)) return 'versions is not a list';
  const wellFormed = versions.every((v: unknown) => isObject(v) && Number.isInteger(v.keyVersion) && isObject(v.wrapped));
  return wellFormed ? null : 'a version envelope is malformed';
}

const CHANGE_KINDS: readonly unknown[] = ['key', 'alias', 'token', 'credential'];

function envelopeShapeProblem(envelope: unknown): string | null {
  if (!isObject(envelope)) return 'the envelope is not an object';
  if (envelope.formatVersion !== 1) return `unknown format version ${String(envelope.formatVersion)}`;
  const change = envelope.change;
  if (!isObject(change) || !CHANGE_KINDS.includes(change.kind)) return 'the envelope carries no change of a known kind';
  return null;
}

function keyChangeProblems(change: KeyChange, subject: string): string | null {
  const problems = keyRecordViolations(change.record);
  if (problems.length > 0) return `invalid key record: ${problems.join('; ')}`;
  const shape = regionsProblem(change.record.regions) ?? versionShapeProblem(change.versions);
  if (shape !== null) return shape;
  if (subject !== subjectOf(change)) return `subject ${subject} does not match key ${change.record.keyId}`;
  const numbers = change.versions.map((v) => v.keyVersion);
  if (numbers.some((n, i) => n !== i + 1)) return 'versions are not 1..n in order';
  if (change.record.keyState !== 'Destroyed' && numbers.length !== change.record.currentVersion) {
    return 'the change does not carry every version';
  }
  return null;
}

function decideKey(change: KeyChange, local: LocalItemState, region: string, deploymentRegions: readonly string[]): ApplyDecision {
  const held = new Set(local.heldVersions);
  const revisionGap = local.record !== null && change.record.revision !== local.record.revision + 1;
  if (!holdsKey(change.record, region, deploymentRegions)) {
    return { action: 'apply', adoptVersions: [], eraseVersions: [...held].sort((a, b) => a - b), missingVersions: [], revisionGap, recheckVersions: [], unknownToStream: [] };
  }
  const adoptVersions: number[] = [];
  const missingVersions: number[] = [];
  const recheckVersions: number[] = [];
  for (const version of change.versions) {
    if (held.has(version.keyVersion)) {
      // Unknown earlier bytes for a held version (the last change here did not carry it) count as
      // changed: the version may have been held without the stream ever having it.
      const before = local.wrappedHere?.get(version.keyVersion);
      const now = Object.hasOwn(version.wrapped, region) ? version.wrapped[region] : undefined;
      if (local.wrappedHere !== undefined && now !== undefined && (before === undefined || !sameBytes(before, now))) recheckVersions.push(version.keyVersion);
      continue;
    }
    // Own properties only: a region named like an Object.prototype member ("constructor") must not
    // find an inherited function and take it for material wrapped for itself.
    if (Object.hasOwn(version.wrapped, region)) adoptVersions.push(version.keyVersion);
    else missingVersions.push(version.keyVersion);
  }
  // Versions only grow, so a held version the change does not carry is unknown to the stream's
  // history as this change tells it: a divergence the shell reports. Its material is KEPT: the
  // change may itself come from an out-of-date replica, and dropping material can make
  // acknowledged ciphertexts undecryptable.
  const carried = new Set(change.versions.map((v) => v.keyVersion));
  const unknownToStream = [...held].filter((v) => !carried.has(v)).sort((a, b) => a - b);
  return { action: 'apply', adoptVersions, eraseVersions: [], missingVersions, revisionGap, recheckVersions, unknownToStream };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function decideApply(
  envelope: ChangeEnvelope,
  subject: string,
  streamSeq: number,
  local: LocalItemState,
  region: string,
  deploymentRegions: readonly string[],
): ApplyDecision {
  if (streamSeq <= local.subjectSeq) return { action: 'skip', reason: 'already-applied' };
  const envelopeProblem = envelopeShapeProblem(envelope);
  if (envelopeProblem !== null) return { action: 'reject', reason: envelopeProblem };
  const change = envelope.change;
  if (change.kind === 'credential') {
    const problem = credentialChangeProblem(change, subject);
    if (problem !== null) return { action: 'reject', reason: problem };
    return { action: 'apply', ...credentialDecision(change, region), eraseVersions: [], revisionGap: false, recheckVersions: [], unknownToStream: [] };
  }
  if (change.kind !== 'key') {
    if (subject !== subjectOf(change)) return { action: 'reject', reason: `subject ${subject} does not match the change` };
    return { action: 'apply', adoptVersions: [], eraseVersions: [], missingVersions: [], revisionGap: false, recheckVersions: [], unknownToStream: [] };
  }
  const problem = keyChangeProblems(change, subject);
  if (problem !== null) return { action: 'reject', reason: problem };
  return decideKey(change, local, region, deploymentRegions);
}
