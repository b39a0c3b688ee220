/**
 * A rogue delivery: nats-server 2.9.10 was seen handing a region cut off from the stream's quorum
 * (its own server led the stream) changes the stream never kept. Here: a rotation of one of the
 * region's keys to a fresh version with a fresh secret, wrapped for every allowed region as a
 * writer would, at the stream sequence right after the region's cursor. The region applies it and
 * its cursor moves past that sequence, which the stream will give (or gave) to another message.
 */
import { allowedRegions, applyKeyCommand, holdsKey, keySubject, nextKeyChange, type ChangeEnvelope, type KeyRecord } from '@latchkey/core';
import type { LocalKey, MessageToApply, RegionStore } from './region-store.ts';
import { materialIdOf, wrapForRegion } from './sim-material.ts';

/** Rogue secrets are named with this prefix, so that the simulation can tell where one ended up. */
export const ROGUE_MATERIAL_PREFIX = 'mat.rogue.';

export function isRogueMaterial(materialId: string | null): boolean {
  return materialId?.startsWith(ROGUE_MATERIAL_PREFIX) === true;
}

/** The versions of a key this region holds a rogue secret for. */
export function rogueVersions(local: LocalKey): number[] {
  return [...local.material.values()].filter((m) => isRogueMaterial(m.materialId)).map((m) => m.keyVersion).sort((a, b) => a - b);
}

/** A change carries a rogue secret (it must never reach the stream). */
export function carriesRogueSecret(envelope: ChangeEnvelope): boolean {
  const change = envelope.change;
  return change.kind === 'key' && change.versions.some((v) => Object.values(v.wrapped).some((blob) => isRogueMaterial(materialIdOf(blob))));
}

/**
 * Noted before a stream change is applied: it moves the key's current version while the region
 * holds a rogue secret under another version number (real rotations overtaking a rogue one; the
 * applier keeps held secrets, so confirmation must look below the current version). Null when not.
 */
export function overtakesRogue(store: RegionStore, region: string, message: MessageToApply): string | null {
  const change = message.envelope.change;
  if (change.kind !== 'key') return null;
  const local = store.keys.get(change.record.keyId);
  if (local === undefined || message.seq <= local.subjectSeq || change.record.currentVersion === local.record.currentVersion) return null;
  const rogue = rogueVersions(local);
  if (rogue.length === 0) return null;
  return `seq ${message.seq} moved ${change.record.keyId} in ${region} from v${local.record.currentVersion} to v${change.record.currentVersion} while v${rogue.join(',')} held a rogue secret`;
}

export interface RogueIds {
  readonly materialId: string;
  readonly changeId: string;
}

function rotated(record: KeyRecord, nowMs: number): KeyRecord | null {
  try {
    return applyKeyCommand(record, { type: 'rotate', rotationType: 'ON_DEMAND' }, nowMs);
  } catch {
    return null;
  }
}

/**
 * The rogue rotation of the `keyIndex`-th key (modulo) the region holds and may rotate, or null
 * when it holds none, or when it applied a change of its own beyond its cursor (a rogue change
 * follows everything the region's own server handed it, and that server held the region's writes).
 */
export function rogueRotation(store: RegionStore, region: string, deployment: readonly string[], keyIndex: number, nowMs: number, ids: RogueIds): MessageToApply | null {
  const seq = store.cursor + 1;
  const keys = [...store.keys.values()];
  if (keys.some((local) => local.subjectSeq >= seq)) return null;
  const candidates = keys.filter((local) => holdsKey(local.record, region, deployment) && rotated(local.record, nowMs) !== null);
  const local = candidates[keyIndex % Math.max(1, candidates.length)];
  if (local === undefined) return null;
  const after = rotated(local.record, nowMs)!;
  const secret = { keyId: after.keyId, keyVersion: after.currentVersion, materialId: ids.materialId };
  const wrapped = Object.fromEntries(allowedRegions(after, deployment).map((r) => [r, wrapForRegion(secret, r)]));
  const change = nextKeyChange(local.change, after, [{ keyVersion: after.currentVersion, publicKey: null, wrapped }], deployment);
  const envelope: ChangeEnvelope = { formatVersion: 1, change, origin: region, changeId: ids.changeId, createdAtMs: nowMs };
  return { seq, subject: keySubject(after.keyId), envelope };
}
