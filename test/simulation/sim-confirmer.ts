/**
 * The region's version confirmer, as the node's shell runs it (packages/node/src/version-confirmer.ts),
 * around the core's pure `confirmationVerdict`. A key whose current version is not confirmed here
 * is checked against a quorum read of the stream (in the simulation: the key's subject read while
 * the region reaches the stream and the stream has a quorum): the stream's last change on the
 * key's subject is compared, secret against secret, with what this region holds.
 *
 * - confirmed: the version is recorded in the store (durable, as `confirmed/<keyId>` is).
 * - behind: the stream holds a newer change the region has not applied yet; asked again later.
 * - divergent: acted on only when seen again, the same way (same subject sequence and revision
 *   here, same stream sequence), at least SETTLE_MS later. Then the key is repaired from the change
 *   just read: versions above the confirmed one take the stream's secret or go; confirmed ones
 *   keep theirs. The repaired key is checked again at once.
 * - no quorum: no verdict; the region keeps serving its confirmed versions.
 */
import { confirmationVerdict, holdsKey, keySubject } from '@latchkey/core';
import { materialIdOf } from './sim-material.ts';
import { repairInStore, type RegionStore } from './region-store.ts';
import type { StoredMessage } from './sim-stream.ts';

/** A divergence must be seen again this much later, with nothing applied meanwhile, before it is repaired. */
export const SETTLE_MS = 2_000;

/** A divergence seen once (volatile: a restart forgets it). */
export interface Suspect {
  readonly subjectSeq: number;
  readonly revision: number;
  readonly streamSeq: number;
  readonly atMs: number;
}

export interface ConfirmerHost {
  readonly name: string;
  readonly deployment: readonly string[];
  readonly store: RegionStore;
  readonly suspects: Map<string, Suspect>;
  readonly confirmStats: { repairs: number; divergences: number };
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

function verdictFor(host: ConfirmerHost, keyId: string, message: StoredMessage | null): ReturnType<typeof confirmationVerdict> {
  const local = host.store.keys.get(keyId)!;
  const keyVersion = local.record.currentVersion;
  const change = message?.envelope.change.kind === 'key' ? message.envelope.change : null;
  const wrapped = change?.versions[keyVersion - 1]?.wrapped;
  const blob = wrapped !== undefined && Object.hasOwn(wrapped, host.name) ? wrapped[host.name] : undefined;
  const held = local.material.get(keyVersion);
  const sameSecret = blob === undefined || held === undefined ? null : materialIdOf(blob) === held.materialId;
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

/** The confirmer's round: every key waiting here is checked; stops at the first read without a quorum. */
export function confirmRound(host: ConfirmerHost, read: QuorumRead, nowMs: number): void {
  for (const keyId of [...host.store.keys.keys()]) {
    if (checkKey(host, keyId, read, nowMs) === 'no-quorum') return;
  }
}
