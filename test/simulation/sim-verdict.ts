/**
 * Turns a finished simulated run into the checkers' plain inputs and runs them all. This is the
 * only place that knows both the simulation and the checkers; a chaos drill would have its own
 * (reading client logs, node digests and the stream).
 */
import { allowedRegions, type KeyChange } from '@latchkey/core';
import {
  checkChangeChain, checkConvergence, checkDecryptableEverywhere, checkMonotonicVersions, checkNoLostVersions, checkPinning,
  checkWriteOutcomes, latestViews, type CheckResult, type DecryptAttempt, type KeyObservation, type StreamKeyMessage,
} from '../checkers/index.ts';
import { describeEntry } from './history.ts';
import { materialIdOf, wrappedForOf } from './sim-material.ts';
import type { StoredMessage } from './sim-stream.ts';
import type { SimWorld } from './sim-world.ts';

export interface Verdict {
  readonly results: readonly CheckResult[];
  readonly anomalies: readonly string[];
}

/** After heal: every ciphertext a client got, decrypted in every region. */
export function finalDecryptAttempts(world: SimWorld): DecryptAttempt[] {
  return world.ciphertexts.flatMap((ciphertext) => world.config.regions.map((region): DecryptAttempt => {
    try {
      const plaintext = world.region(region).decrypt(ciphertext, world.nowMs);
      return { region, ciphertextId: ciphertext.ciphertextId, outcome: 'ok', plaintextDigest: plaintext };
    } catch (thrown) {
      return { region, ciphertextId: ciphertext.ciphertextId, outcome: 'error', code: (thrown as { code?: string }).code ?? 'unknown' };
    }
  }));
}

function keyChangeOf(message: StoredMessage): KeyChange | null {
  return message.envelope.change.kind === 'key' ? message.envelope.change : null;
}

function pinningMessages(world: SimWorld): StreamKeyMessage[] {
  return world.stream.everStored().flatMap((message) => {
    const change = keyChangeOf(message);
    if (change === null) return [];
    return [{
      seq: message.seq,
      keyId: change.record.keyId,
      keyState: change.record.keyState,
      allowedRegions: allowedRegions(change.record, world.config.regions),
      versions: change.versions.map((v) => ({
        keyVersion: v.keyVersion,
        slots: Object.entries(v.wrapped).map(([slot, blob]) => ({ slot, wrappedFor: wrappedForOf(blob) })),
      })),
    }];
  });
}

function chainMessages(world: SimWorld): Parameters<typeof checkChangeChain>[0]['messages'] {
  return world.stream.everStored().flatMap((message) => {
    const change = keyChangeOf(message);
    if (change === null) return [];
    const versions = change.versions.map((v) => {
      const blob = Object.values(v.wrapped)[0];
      const materialId = blob === undefined ? null : materialIdOf(blob);
      return materialId === null ? { keyVersion: v.keyVersion } : { keyVersion: v.keyVersion, materialId };
    });
    return [{ seq: message.seq, subject: message.subject, revision: change.record.revision, versions }];
  });
}

function acknowledgedVersions(world: SimWorld): Parameters<typeof checkNoLostVersions>[0]['acknowledged'] {
  return world.history
    .filter((e) => e.outcome === 'ok' && e.changeId !== null && (e.command === 'create' || e.command === 'rotate') && e.currentVersion !== null)
    .map((e) => (e.newestMaterialId === null
      ? { keyId: e.keyId!, keyVersion: e.currentVersion! }
      : { keyId: e.keyId!, keyVersion: e.currentVersion!, materialId: e.newestMaterialId }));
}

/**
 * Observations of a region before it lost its disk belong to an earlier life of that node; a state
 * that came from a rogue delivery is not the stream's, and its repair rightly goes back from it.
 */
function monotonicObservations(world: SimWorld, wipedAt: ReadonlyMap<string, number>): KeyObservation[] {
  return world.observations.filter((o) => o.at > (wipedAt.get(o.region) ?? -1) && !world.rogueObservations.has(o));
}

function convergenceExpectation(world: SimWorld): { keyId: string; regions: string[] }[] {
  const snapshots = [...world.regions.values()].map((r) => ({ region: r.name, keys: r.views() }));
  return [...latestViews(snapshots).values()].map((view) => ({
    keyId: view.keyId,
    regions: view.keyState === 'Destroyed' ? [...world.config.regions] : view.allowedRegions.filter((r) => world.config.regions.includes(r)),
  }));
}

/**
 * Simulation-only: every ciphertext was sealed under a secret some change on the stream carries for
 * its key and version (what the confirmation rule promises; a drill cannot see secrets).
 */
export function outputOnStream(world: SimWorld): CheckResult {
  const carried = new Set(world.stream.everStored().flatMap((message) => {
    const change = keyChangeOf(message);
    if (change === null) return [];
    return change.versions.flatMap((v) => Object.values(v.wrapped).map((blob) => `${change.record.keyId}/${v.keyVersion}/${materialIdOf(blob) ?? ''}`));
  }));
  const violations = world.ciphertexts.filter((c) => !carried.has(`${c.keyId}/${c.keyVersion}/${c.sealedWith}`))
    .map((c) => `${c.ciphertextId} was made in ${c.encryptedIn} under ${c.keyId} v${c.keyVersion} with material ${c.sealedWith}, which no change on the stream carries`);
  return { checker: 'output-on-stream', violations };
}

export function verdictOf(world: SimWorld, wipedAt: ReadonlyMap<string, number> = new Map()): Verdict {
  const snapshots = [...world.regions.values()].map((r) => ({ region: r.name, keys: r.views() }));
  const latest = [...latestViews(snapshots).values()];
  const destroyRequested = world.history.filter((e) => e.command === 'destroy' && e.outcome !== 'fail').map((e) => e.keyId!);
  const ciphertexts = world.ciphertexts.map((c) => ({ ciphertextId: c.ciphertextId, keyId: c.keyId, keyVersion: c.keyVersion, plaintextDigest: c.plaintext }));
  const writes = world.history.filter((e) => e.changeId !== null).map((e) => ({ changeId: e.changeId!, outcome: e.outcome, description: describeEntry(e) }));
  const results = [
    checkNoLostVersions({ acknowledged: acknowledgedVersions(world), mayBeDestroyed: destroyRequested, regions: snapshots }),
    checkMonotonicVersions({ observations: monotonicObservations(world, wipedAt) }),
    checkPinning({ messages: pinningMessages(world), holdings: world.observations }),
    checkDecryptableEverywhere({ ciphertexts, keys: latest, attempts: finalDecryptAttempts(world) }, world.config.regions),
    checkConvergence({ expected: convergenceExpectation(world), digests: Object.fromEntries([...world.regions.values()].map((r) => [r.name, r.digests()])) }),
    checkWriteOutcomes({ writes, stream: world.stream.everStored(), complete: true }),
    checkChangeChain({ messages: chainMessages(world), complete: true }),
    outputOnStream(world),
  ];
  return { results, anomalies: [...world.regions.values()].flatMap((r) => r.anomalies) };
}
