/**
 * A region node's durable store, and how one change from the stream lands in it. The decision is
 * the pure core's `decideApply`; this file performs it: unwrap adopted versions with the region's
 * transport key and keep them re-wrapped under its root (here: tagged with the region), erase what
 * the decision says, and record the change, its subject sequence and its change id in one step,
 * which stands for one atomic, synced LevelDB batch (after which the cursor may move).
 */
import {
  decideApply, keySubject, type ApplyDecision, type ChangeEnvelope, type KeyChange, type KeyRecord, type LocalItemState,
} from '@latchkey/core';
import { materialIdOf, unwrapAsRegion } from './sim-material.ts';

/** A version's secret as the region keeps it: re-wrapped under this region's root key. */
export interface HeldMaterial {
  readonly keyVersion: number;
  readonly materialId: string;
  readonly rootOf: string;
}

export interface LocalKey {
  readonly record: KeyRecord;
  /** The change last applied: a writer builds the next one from it (it carries other regions' blobs). */
  readonly change: KeyChange;
  readonly subjectSeq: number;
  readonly material: ReadonlyMap<number, HeldMaterial>;
  /** The record came from a rogue delivery (a change the stream does not keep); simulation bookkeeping only. */
  readonly rogue?: boolean;
}

/** What the idempotency table remembers of an applied change: enough to answer a retried call. */
export interface AppliedChange {
  readonly seq: number;
  readonly record: KeyRecord;
  /** Material id of the newest version the change carried, if any slot is readable. */
  readonly newestMaterialId: string | null;
}

export interface MessageToApply {
  readonly seq: number;
  readonly subject: string;
  readonly envelope: ChangeEnvelope;
}

export class RegionStore {
  readonly keys = new Map<string, LocalKey>();
  readonly appliedChanges = new Map<string, AppliedChange>();
  /** Per key, the newest version the stream's quorum was seen holding with the secret held here (`confirmed/<keyId>`). */
  readonly confirmed = new Map<string, number>();
  /** The highest stream sequence applied in order: the only durable consumer state; a new consumer starts after it. */
  cursor = 0;

  wipe(): void {
    this.keys.clear();
    this.appliedChanges.clear();
    this.confirmed.clear();
    this.cursor = 0;
  }
}

const KEY_SUBJECT_PREFIX = keySubject('');

/** As the node's applier reads it: held versions, and the bytes the last change applied here carried for each (`wrappedHere`). */
function localState(local: LocalKey | undefined, region: string): LocalItemState {
  if (local === undefined) return { subjectSeq: 0, record: null, heldVersions: [] };
  const wrappedHere = new Map<number, Uint8Array>();
  for (const version of local.change.versions) {
    if (Object.hasOwn(version.wrapped, region)) wrappedHere.set(version.keyVersion, version.wrapped[region]!);
  }
  return { subjectSeq: local.subjectSeq, record: local.record, heldVersions: [...local.material.keys()], wrappedHere };
}

function newestMaterialId(change: KeyChange): string | null {
  const newest = change.versions.at(-1);
  const blob = newest === undefined ? undefined : Object.values(newest.wrapped)[0];
  return blob === undefined ? null : materialIdOf(blob);
}

type Applied = Extract<ApplyDecision, { action: 'apply' }>;

function adoptAndErase(region: string, change: KeyChange, decision: Applied, held: ReadonlyMap<number, HeldMaterial>, anomalies: string[]): Map<number, HeldMaterial> {
  const material = new Map(held);
  for (const keyVersion of decision.eraseVersions) material.delete(keyVersion);
  for (const keyVersion of decision.adoptVersions) {
    const blob = change.versions[keyVersion - 1]?.wrapped[region];
    try {
      const secret = unwrapAsRegion(blob ?? new Uint8Array(), region, change.record.keyId, keyVersion);
      material.set(keyVersion, { keyVersion, materialId: secret.materialId, rootOf: region });
    } catch (error) {
      anomalies.push(`${region}: ${(error as Error).message}`);
    }
  }
  if (decision.missingVersions.length > 0) {
    anomalies.push(`${region}: ${change.record.keyId} allowed here but v${decision.missingVersions.join(',')} carry no material for it`);
  }
  return material;
}

/** Applies one message; returns anomalies (rejections, missing material) for the simulation to report. */
export function applyToStore(store: RegionStore, region: string, deployment: readonly string[], message: MessageToApply): string[] {
  if (!message.subject.startsWith(KEY_SUBJECT_PREFIX)) return [`${region}: seq ${message.seq} on unexpected subject ${message.subject}`];
  const keyId = message.subject.slice(KEY_SUBJECT_PREFIX.length);
  const local = store.keys.get(keyId);
  const decision = decideApply(message.envelope, message.subject, message.seq, localState(local, region), region, deployment);
  if (decision.action === 'skip') return [];
  if (decision.action === 'reject') return [`${region}: rejected seq ${message.seq}: ${decision.reason}`];
  const anomalies: string[] = [];
  const change = message.envelope.change as KeyChange;
  const material = adoptAndErase(region, change, decision, local?.material ?? new Map(), anomalies);
  store.keys.set(keyId, { record: change.record, change, subjectSeq: message.seq, material });
  store.appliedChanges.set(message.envelope.changeId, { seq: message.seq, record: change.record, newestMaterialId: newestMaterialId(change) });
  return anomalies;
}

/**
 * Makes this region's state of a key the stream's, from a change a quorum read returned (the node's
 * `ChangeApplier.repair`): the record becomes the change's, whatever the subject's sequence here,
 * and the cursor does not move. Every held `replaceable` version is compared with the change, not
 * only those whose wrapped bytes changed (the last change applied here may carry the stream's bytes
 * for a version whose secret here came from a change the stream never kept): it takes the change's
 * secret where that differs and is erased where the change does not carry it. The other held
 * versions keep their material whatever the change says. `applied` is false when the change cannot
 * be applied (rejected).
 */
export function repairInStore(
  store: RegionStore, region: string, deployment: readonly string[], message: MessageToApply, replaceable: (keyVersion: number) => boolean,
): { applied: boolean; replaced: number[]; erased: number[]; anomalies: string[] } {
  const keyId = message.subject.slice(KEY_SUBJECT_PREFIX.length);
  const local = store.keys.get(keyId);
  const decision = decideApply(message.envelope, message.subject, message.seq, { ...localState(local, region), subjectSeq: 0 }, region, deployment);
  if (decision.action !== 'apply' || message.envelope.change.kind !== 'key') return { applied: false, replaced: [], erased: [], anomalies: [] };
  const change = message.envelope.change;
  const held = local?.material ?? new Map<number, HeldMaterial>();
  const replaced = differentSecrets(change, region, held, [...held.keys()].filter(replaceable));
  const erased = decision.unknownToStream.filter(replaceable);
  const repaired = { ...decision, adoptVersions: [...decision.adoptVersions, ...replaced], eraseVersions: [...decision.eraseVersions, ...erased] };
  const anomalies: string[] = [];
  const material = adoptAndErase(region, change, repaired, held, anomalies);
  store.keys.set(keyId, { record: change.record, change, subjectSeq: message.seq, material });
  store.appliedChanges.set(message.envelope.changeId, { seq: message.seq, record: change.record, newestMaterialId: newestMaterialId(change) });
  return { applied: true, replaced, erased, anomalies };
}

/** Of `versions` (held here), those whose secret the change carries for this region and differs from the held one. */
function differentSecrets(change: KeyChange, region: string, held: ReadonlyMap<number, HeldMaterial>, versions: readonly number[]): number[] {
  return versions.filter((keyVersion) => {
    const wrapped = change.versions[keyVersion - 1]?.wrapped;
    const blob = wrapped !== undefined && Object.hasOwn(wrapped, region) ? wrapped[region] : undefined;
    return blob !== undefined && materialIdOf(blob) !== held.get(keyVersion)?.materialId;
  });
}
