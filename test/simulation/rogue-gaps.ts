/**
 * Situations after a rogue delivery that the node's rules (confirmation, look-up, settle before a
 * write) do not cover, found by the rogue-delivery property. Each is recognised by what the run
 * left behind, not by what the checkers say; the property leaves runs that met one out
 * (LATCHKEY_ROGUE_GAPS=judge judges them too), and a `known gap` scenario (rogue-delivery.sim.test.ts)
 * pins each one down.
 *
 * - missed: the stream gave a sequence the region took for a rogue change to another change, and
 *   after heal the region still has applied neither it nor a later change on its subject. Its
 *   cursor is past it, so the consumer never delivers it; the confirmer checks only keys whose
 *   current version is unconfirmed; a look-up happens only when a call names the key while the
 *   region does not know it, or a ciphertext under a version above the key's current one. Left
 *   behind: a change that adds no version (a disable, a region policy, ...), or a key or version no
 *   client named in that region. After heal every ciphertext is decrypted in every region
 *   (`SimWorld.readBack`): a key the region was asked to look up then does not count (the look-up
 *   must have repaired it; if not, the run is judged and fails). Only keys the region may hold (in
 *   its state or the stream's) or that are destroyed count: elsewhere what is left behind is a
 *   record the region holds no material for, which no checker judges.
 * - stranded: a stream change moved a key's current version below a version the region holds a
 *   rogue secret for (the stream gave the rogue sequence to a change on the same key that added no
 *   version, and a later one reached the region before its confirmer repaired the key). The
 *   applier keeps held versions the change does not carry (it only reports them), and the
 *   confirmer looks only at versions up to the current one, which is confirmed: the rogue secret
 *   stays above it. No output can exist under it and no write carries it (versions above the
 *   current one are neither carried forward nor re-wrapped), but the region's state is not the
 *   others', until a real rotation to that number makes the key unconfirmed and it is repaired.
 *
 * Not modelled yet: the node's cut-off audit (packages/node/src/cut-off-audit.ts), which, once the
 * stream answers with a quorum again, compares what a region applied around the cut with the
 * stream's messages at the same sequences and repairs the subjects that differ. It aims at both.
 */
import { holdsKey } from '@latchkey/core';
import { rogueVersions } from './rogue-delivery.ts';
import type { SimRegion } from './sim-region.ts';
import type { StoredMessage } from './sim-stream.ts';
import type { SimWorld } from './sim-world.ts';

/** What the region would have learnt from the change it passed over. */
function missedWhat(region: SimRegion, message: StoredMessage): string {
  const change = message.envelope.change;
  if (change.kind !== 'key') return `a ${change.kind} change`;
  const local = region.store.keys.get(change.record.keyId);
  if (local === undefined) return 'a key it never learnt of';
  if (change.record.currentVersion > local.record.currentVersion) return `v${change.record.currentVersion}, above its v${local.record.currentVersion}`;
  return `revision ${change.record.revision} (${change.record.keyState}, v${change.record.currentVersion}), no version it lacks`;
}

/** The key matters in this region: it may hold it (in its own state or the stream's), or the key is destroyed. */
function mattersIn(world: SimWorld, region: SimRegion, message: StoredMessage): boolean {
  const last = world.stream.everStored().filter((m) => m.subject === message.subject).at(-1)!.envelope.change;
  if (last.kind !== 'key') return true;
  const local = region.store.keys.get(last.record.keyId);
  return last.record.keyState === 'Destroyed' || holdsKey(last.record, region.name, world.config.regions)
    || (local !== undefined && holdsKey(local.record, region.name, world.config.regions));
}

function missed(world: SimWorld): string[] {
  return [...world.regions.values()].flatMap((region) => region.rogueChanges.flatMap(({ seq }) => {
    const message = world.stream.everStored().find((m) => m.seq === seq);
    if (message === undefined || message.envelope.change.kind !== 'key') return [];
    const local = region.store.keys.get(message.envelope.change.record.keyId);
    if (region.store.appliedChanges.has(message.msgId) || (local !== undefined && local.subjectSeq > seq)) return [];
    if (!mattersIn(world, region, message) || world.readBackLookUps.has(`${region.name}/${message.envelope.change.record.keyId}`)) return [];
    return [`missed: ${region.name} took seq ${seq} for a rogue change and never applied the stream's change there (${message.msgId} on ${message.subject}: ${missedWhat(region, message)})`];
  }));
}

function stranded(world: SimWorld): string[] {
  return [...world.regions.values()].flatMap((region) => [...region.store.keys.values()].flatMap((local) => {
    const above = rogueVersions(local).filter((keyVersion) => keyVersion > local.record.currentVersion);
    if (above.length === 0) return [];
    return [`stranded: ${region.name} holds a rogue secret for ${local.record.keyId} v${above.join(',')}, above its current version v${local.record.currentVersion}`];
  }));
}

export function knownRogueGaps(world: SimWorld): string[] {
  return [...missed(world), ...stranded(world)];
}
