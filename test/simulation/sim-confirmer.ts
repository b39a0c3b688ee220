/**
 * The region's version confirmer, as the node's shell runs it (packages/node/src/version-confirmer.ts),
 * around the core's pure `confirmationVerdict`. A key whose current version is not confirmed here
 * is checked against a quorum read of the stream (in the simulation: the key's subject read while
 * the region reaches the stream and the stream has a quorum): the stream's last change on the
 * key's subject is compared, secret against secret, with what this region holds: the current
 * version, and every held version between the confirmed one and it (one the change does not carry
 * counts as different).
 *
 * - confirmed: the version is recorded in the store (durable, as `confirmed/<keyId>` is).
 * - behind: the stream holds a newer change the region has not applied yet; asked again later.
 * - divergent: acted on only when seen again, the same way (same subject sequence and revision
 *   here, same stream sequence), at least SETTLE_MS later. Then the key is repaired from the change
 *   just read: versions above the confirmed one take the stream's secret or go; confirmed ones
 *   keep theirs. The repaired key is checked again at once.
 * - no quorum: no verdict; the region keeps serving its confirmed versions.
 *
 * Look-ups: when the data plane meets a key, or a version of a key, that this region does not hold,
 * it asks for the key to be looked up (`LookUps.ask`, rate-limited per key). The next round reads
 * the key's subject with a quorum first; a stream change newer than what the region applied on the
 * key, at a sequence its cursor already passed, is one the consumer will never deliver: the key is
 * repaired from it at once.
 *
 * Writes: a key command builds on this region's state of the key only once its current version is
 * confirmed here (`confirmWrite`, the node's `settle`), and is answered ok only once the version it
 * made is confirmed (the node's `confirmWrite`).
 */
import { confirmationVerdict, holdsKey, isKeyId, keySubject, type KeyChange } from '@latchkey/core';
import { materialIdOf } from './sim-material.ts';
import { repairInStore, type RegionStore } from './region-store.ts';
import type { StoredMessage } from './sim-stream.ts';

/** A divergence must be seen again this much later, with nothing applied meanwhile, before it is repaired. */
export const SETTLE_MS = 2_000;
/** The data plane's look-ups: at most one per key this often. */
export const LOOKUP_EVERY_MS = 5_000;

/** A divergence seen once (volatile: a restart forgets it). */
export interface Suspect {
  readonly subjectSeq: number;
  readonly revision: number;
  readonly streamSeq: number;
  readonly atMs: number;
}

/** Keys the data plane found this region missing, waiting to be looked up (volatile: a restart forgets them). */
export class LookUps {
  readonly waiting = new Set<string>();
  /** keyId -> when it was last asked for. */
  readonly #askedAtMs = new Map<string, number>();

  /** The node's `lookUp`: well-formed key ids only, at most one per key per LOOKUP_EVERY_MS. */
  ask(keyId: string, nowMs: number): void {
    if (!isKeyId(keyId) || nowMs - (this.#askedAtMs.get(keyId) ?? Number.NEGATIVE_INFINITY) < LOOKUP_EVERY_MS) return;
    this.#askedAtMs.set(keyId, nowMs);
    this.waiting.add(keyId);
  }
}

export interface ConfirmerHost {
  readonly name: string;
  readonly deployment: readonly string[];
  readonly store: RegionStore;
  readonly suspects: Map<string, Suspect>;
  readonly lookUps: LookUps;
  readonly confirmStats: { repairs: number; divergences: number; lookUpRepairs: number };
  reportAnomaly(anomaly: string): void;
}

/** A quorum read of one subject's retained messages; null when no quorum can be shown from here. */
export type QuorumRead = (subject: string) => readonly StoredMessage[] | null;

export type CheckOutcome = 'settled' | 'confirmed' | 'no-quorum' | 'behind' | 'divergent' | 'repaired' | 'unrepairable';

export function confirmedVersion(store: RegionStore, keyId: string): number {
  return store.confirmed.get(keyId) ?? 0;
}

/**
 * The key's current version here still waits for confirmation: the region may hold the key and
 * has not confirmed the version. A version it holds no material for has nothing to confirm (the
 * node's verdict is not-held then): it cannot serve output under it.
 */
export function needsConfirmation(host: Pick<ConfirmerHost, 'name' | 'deployment' | 'store'>, keyId: string): boolean {
  const local = host.store.keys.get(keyId);
  if (local === undefined || !holdsKey(local.record, host.name, host.deployment)) return false;
  return confirmedVersion(host.store, keyId) < local.record.currentVersion && local.material.has(local.record.currentVersion);
}

/** The change's secret of `keyVersion` wrapped for this region, if it carries one. */
function wrappedHere(change: KeyChange | null, region: string, keyVersion: number): Uint8Array | undefined {
  const wrapped = change?.versions[keyVersion - 1]?.wrapped;
  return wrapped !== undefined && Object.hasOwn(wrapped, region) ? wrapped[region] : undefined;
}

function verdictFor(host: ConfirmerHost, keyId: string, message: StoredMessage | null): ReturnType<typeof confirmationVerdict> {
  const local = host.store.keys.get(keyId)!;
  const keyVersion = local.record.currentVersion;
  const change = message?.envelope.change.kind === 'key' ? message.envelope.change : null;
  const blob = wrappedHere(change, host.name, keyVersion);
  const held = local.material.get(keyVersion);
  let sameSecret = blob === undefined || held === undefined ? null : materialIdOf(blob) === held.materialId;
  // Every held version above the confirmed one must be the stream's too, not only the current one:
  // a rogue version may sit below a real later one. A held version the change does not carry counts as different.
  for (let earlier = confirmedVersion(host.store, keyId) + 1; sameSecret === true && earlier < keyVersion; earlier++) {
    const earlierBlob = wrappedHere(change, host.name, earlier);
    const earlierHeld = local.material.get(earlier);
    const same = earlierBlob === undefined || earlierHeld === undefined ? null : materialIdOf(earlierBlob) === earlierHeld.materialId;
    if (same === false || (earlierBlob === undefined && earlierHeld !== undefined)) sameSecret = false;
  }
  return confirmationVerdict({
    heldHere: held !== undefined, keyVersion, subjectSeq: local.subjectSeq, appliedSeq: host.store.cursor,
    stream: message === null ? null : { seq: message.seq, carriesVersion: blob !== undefined, sameSecret },
  });
}

/** One check of one key; `again` is false on the check right after a repair. */
export function checkKey(host: ConfirmerHost, keyId: string, read: QuorumRead, nowMs: number, again = true): CheckOutcome {
  if (!needsConfirmation(host, keyId)) {
    host.suspects.delete(keyId);
    return 'settled';
  }
  const subject = keySubject(keyId);
  const messages = read(subject);
  if (messages === null) return 'no-quorum';
  const message = messages.at(-1) ?? null;
  const verdict = verdictFor(host, keyId, message);
  const local = host.store.keys.get(keyId)!;
  switch (verdict.kind) {
    case 'confirmed':
      host.store.confirmed.set(keyId, Math.max(confirmedVersion(host.store, keyId), verdict.keyVersion));
      host.suspects.delete(keyId);
      return 'confirmed';
    case 'not-held':
      host.suspects.delete(keyId);
      return 'settled';
    case 'behind':
      host.suspects.delete(keyId);
      return 'behind';
    case 'divergent': {
      const seen: Suspect = { subjectSeq: local.subjectSeq, revision: local.record.revision, streamSeq: message?.seq ?? 0, atMs: nowMs };
      const earlier = host.suspects.get(keyId);
      if (earlier === undefined || earlier.subjectSeq !== seen.subjectSeq || earlier.revision !== seen.revision || earlier.streamSeq !== seen.streamSeq) {
        host.suspects.set(keyId, seen);
        return 'divergent';
      }
      if (nowMs - earlier.atMs < SETTLE_MS) return 'divergent';
      host.suspects.delete(keyId);
      host.confirmStats.divergences += 1;
      if (!verdict.repairable || message === null) return 'unrepairable';
      const confirmed = confirmedVersion(host.store, keyId);
      const repaired = repairInStore(host.store, host.name, host.deployment, message, (keyVersion) => keyVersion > confirmed);
      for (const anomaly of repaired.anomalies) host.reportAnomaly(anomaly);
      host.confirmStats.repairs += 1;
      if (again) checkKey(host, keyId, read, nowMs, false);
      return 'repaired';
    }
  }
}

/**
 * The look-ups waiting (the node's `#lookUpPassedOver`), read with a quorum: a key whose stream
 * change is newer than what this region applied on it, at a sequence its cursor already passed, is
 * repaired from it at once (versions above the confirmed one replaceable). Anything else is left to
 * the consumer and the confirmer. False when no quorum could be shown: the look-ups are dropped
 * then, as the node drops them (a later call asks again).
 */
export function lookUpRound(host: ConfirmerHost, read: QuorumRead): boolean {
  const keyIds = [...host.lookUps.waiting];
  host.lookUps.waiting.clear();
  for (const keyId of keyIds) {
    const messages = read(keySubject(keyId));
    if (messages === null) return false;
    const message = messages.at(-1);
    const subjectSeq = host.store.keys.get(keyId)?.subjectSeq ?? 0;
    if (message === undefined || message.seq <= subjectSeq || message.seq > host.store.cursor) continue;
    const confirmed = confirmedVersion(host.store, keyId);
    const repaired = repairInStore(host.store, host.name, host.deployment, message, (keyVersion) => keyVersion > confirmed);
    for (const anomaly of repaired.anomalies) host.reportAnomaly(anomaly);
    if (repaired.applied) host.confirmStats.lookUpRepairs += 1;
  }
  return true;
}

/**
 * Whether the key's current version is confirmed here now (or there is nothing to confirm), after
 * one check if it was not. Both write waits use it: before a key command builds on this region's
 * state (the node's `settle`) and before a write is answered ok (`confirmWrite`). The node checks
 * again and again until a deadline (2 s before a write); the simulation checks once.
 */
export function confirmedNow(host: ConfirmerHost, keyId: string, read: QuorumRead, nowMs: number): boolean {
  checkKey(host, keyId, read, nowMs);
  return !needsConfirmation(host, keyId);
}

/** The confirmer's round: look-ups first, then every key waiting here; stops at the first read without a quorum. */
export function confirmRound(host: ConfirmerHost, read: QuorumRead, nowMs: number): void {
  if (!lookUpRound(host, read)) return;
  for (const keyId of [...host.store.keys.keys()]) {
    if (checkKey(host, keyId, read, nowMs) === 'no-quorum') return;
  }
}
