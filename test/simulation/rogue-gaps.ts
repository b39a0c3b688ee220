/**
 * Situations after a rogue delivery that the confirmation rule (as the node implements it) does not
 * cover, found by the rogue-delivery property. Each is recognised by what happened in the run, not
 * by what the checkers say; the property leaves runs that met one out (LATCHKEY_ROGUE_GAPS=judge
 * judges them too), and a `known gap` scenario (rogue-delivery.sim.test.ts) pins each one down.
 *
 * - missed: the stream gave a sequence the region took for a rogue change to another change, and
 *   the region never applied that change nor a later one on its subject (its cursor is past it; the
 *   confirmer checks only keys whose current version is unconfirmed).
 * - moved: a stream change moved a key's current version while the region still held a rogue
 *   secret under another version number (the applier keeps held secrets, and only the current
 *   version is confirmed, so the rogue secret stays: below it under a confirmed number, or above it).
 * - published: a write built on a rogue state landed, because the stream gave the rogue sequence to
 *   a change on the same key and so the write's expected subject sequence matched; the rogue secret
 *   is now on the stream.
 */
import type { ChangeEnvelope } from '@latchkey/core';
import type { MessageToApply, RegionStore } from './region-store.ts';
import { isRogueMaterial } from './rogue-delivery.ts';
import { materialIdOf } from './sim-material.ts';
import type { SimWorld } from './sim-world.ts';

/** 'moved', noted before a stream change is applied; null when it is not one. */
export function movedOverRogue(store: RegionStore, region: string, message: MessageToApply): string | null {
  const change = message.envelope.change;
  if (change.kind !== 'key') return null;
  const local = store.keys.get(change.record.keyId);
  if (local === undefined || message.seq <= local.subjectSeq || change.record.currentVersion === local.record.currentVersion) return null;
  const rogue = [...local.material.values()].filter((m) => isRogueMaterial(m.materialId)).map((m) => m.keyVersion);
  if (rogue.length === 0) return null;
  return `moved: seq ${message.seq} moved ${change.record.keyId} in ${region} from v${local.record.currentVersion} to v${change.record.currentVersion} while v${rogue.join(',')} held a rogue secret`;
}

export function carriesRogueSecret(envelope: ChangeEnvelope): boolean {
  const change = envelope.change;
  return change.kind === 'key' && change.versions.some((v) => Object.values(v.wrapped).some((blob) => isRogueMaterial(materialIdOf(blob))));
}

function missed(world: SimWorld): string[] {
  return [...world.regions.values()].flatMap((region) => region.rogueChanges.flatMap(({ seq }) => {
    const message = world.stream.everStored().find((m) => m.seq === seq);
    if (message === undefined || message.envelope.change.kind !== 'key') return [];
    const local = region.store.keys.get(message.envelope.change.record.keyId);
    if (region.store.appliedChanges.has(message.msgId) || (local !== undefined && local.subjectSeq > seq)) return [];
    return [`missed: ${region.name} took seq ${seq} for a rogue change and never applied the stream's change there (${message.msgId} on ${message.subject})`];
  }));
}

export function knownRogueGaps(world: SimWorld): string[] {
  return [...[...world.regions.values()].flatMap((r) => r.rogueGaps), ...world.rogueGaps, ...missed(world)];
}
