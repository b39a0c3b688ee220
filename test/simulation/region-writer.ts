/**
 * The write path of a region node, as the real shell should do it: decide the new record with the
 * pure core, generate and wrap material for every allowed region, build the change with
 * `nextKeyChange`, publish it with the key's expected last subject sequence and a msg-id that is
 * the logical change's id, and answer ok only once the change is on the stream and applied here.
 *
 * Outcomes follow Jepsen: a refusal decided on fresh state, or a publish that surely did not land,
 * is `fail`; anything that may have landed is `indeterminate`. A timed-out publish is resent as is
 * (same msg-id, same expectation), so a landed original comes back as a duplicate ack. A conflict
 * means our view was stale: catch up on the subject, look for our own change id there (an earlier
 * attempt may have landed), else rebuild on the new state, still under the same msg-id.
 *
 * A key command builds only on a state of the key this region has confirmed (the node's `settle`,
 * on every attempt): the versions it carries forward, and the secrets it re-wraps, must be the
 * stream's. When that cannot be shown, the write fails with KeyUnavailableException and nothing is
 * published.
 */
import {
  LatchkeyError, allowedRegions, keySubject, nextKeyChange, regionsNeedingMaterial, toLatchkeyError,
  type ChangeEnvelope, type KeyChange, type KeyRecord, type WrappedAddition,
} from '@latchkey/core';
import type { LocalKey, MessageToApply, RegionStore } from './region-store.ts';
import { wrapForRegion } from './sim-material.ts';
import type { PublishReply, PublishRequest, StoredMessage } from './sim-stream.ts';

export type PublishAttemptReply = PublishReply | { readonly kind: 'timeout' };

/** What the writer needs from the world: the stream through this region's link, time, fresh ids. */
export interface WriterPort {
  nowMs(): number;
  newMaterialId(): string;
  publish(request: PublishRequest): PublishAttemptReply;
  /** The subject's retained messages (an ordered consumer filtered on it); null when out of reach. */
  subjectMessages(subject: string): readonly StoredMessage[] | null;
}

/** The region the writer runs in: its store, and how it applies a message (with its bookkeeping). */
export interface WriterHost {
  readonly name: string;
  readonly deployment: readonly string[];
  readonly store: RegionStore;
  applyMessage(message: MessageToApply): void;
  reportAnomaly(anomaly: string): void;
  /** Whether this region's state of the key is confirmed (checked against a quorum read if it was not). */
  settle(keyId: string, port: WriterPort): boolean;
}

export interface WriteIntent {
  readonly keyId: string;
  /** The logical change's id: the msg-id, stable across every attempt and every client retry. */
  readonly changeId: string;
  /** The next record from the current one (null: unknown here); throws to refuse; null: nothing to do. */
  readonly build: (current: KeyRecord | null, nowMs: number) => KeyRecord | null;
  /** Catch up on the key's subject before deciding (a linearizable read); otherwise decide on the local view first. */
  readonly syncFirst: boolean;
  /** A client retry of a call that came back indeterminate: a refusal now cannot prove the first try did nothing. */
  readonly retryOfIndeterminate: boolean;
  /** A command on an existing key (not a create): each attempt first waits until the key is confirmed here. */
  readonly settle: boolean;
}

export type WriteResult =
  | { readonly outcome: 'ok'; readonly seq: number | null; readonly record: KeyRecord | null; readonly newestMaterialId: string | null }
  | { readonly outcome: 'fail' | 'indeterminate'; readonly error: LatchkeyError };

interface Pending {
  readonly request: PublishRequest;
}

interface Attempts {
  synced: boolean;
  maybeLanded: boolean;
  pending: Pending | null;
}

const MAX_ATTEMPTS = 5;

function unavailable(): LatchkeyError {
  return new LatchkeyError('DependencyTimeoutException', 'the key-state stream is out of reach; the change was not made');
}

function failed(intent: WriteIntent, state: Attempts, error: LatchkeyError): WriteResult {
  if (state.maybeLanded || intent.retryOfIndeterminate) {
    return { outcome: 'indeterminate', error: new LatchkeyError('IndeterminateException', `change ${intent.changeId} may have been made`, { cause: error }) };
  }
  return { outcome: 'fail', error };
}

function okFromStore(host: WriterHost, changeId: string): WriteResult | null {
  const applied = host.store.appliedChanges.get(changeId);
  if (applied === undefined) return null;
  return { outcome: 'ok', seq: applied.seq, record: applied.record, newestMaterialId: applied.newestMaterialId };
}

/** Applies the subject's retained messages after what this region has; false when the stream is out of reach. */
export function syncSubject(host: WriterHost, port: WriterPort, subject: string): boolean {
  const messages = port.subjectMessages(subject);
  if (messages === null) return false;
  for (const message of messages) host.applyMessage(message);
  return true;
}

function newVersionAdditions(host: WriterHost, port: WriterPort, before: KeyRecord | null, after: KeyRecord): WrappedAddition[] {
  const allowed = allowedRegions(after, host.deployment);
  const first = (before?.currentVersion ?? 0) + 1;
  if (first > after.currentVersion) return [];
  // New material is generated here, so this region must be one the key may live in.
  if (!allowed.includes(host.name)) {
    throw new LatchkeyError('KeyNotAllowedInRegionException', `key ${after.keyId} is pinned to ${allowed.join(', ')}; ${host.name} may not make its material`);
  }
  const additions: WrappedAddition[] = [];
  for (let keyVersion = first; keyVersion <= after.currentVersion; keyVersion++) {
    const secret = { keyId: after.keyId, keyVersion, materialId: port.newMaterialId() };
    additions.push({ keyVersion, publicKey: null, wrapped: Object.fromEntries(allowed.map((r) => [r, wrapForRegion(secret, r)])) });
  }
  return additions;
}

function rewrapAdditions(host: WriterHost, local: LocalKey | undefined, after: KeyRecord): WrappedAddition[] {
  const needing = regionsNeedingMaterial(local?.change ?? null, after, host.deployment);
  if (needing.length === 0 || local === undefined) return [];
  // Re-wrapping for a newly allowed region needs every earlier version's secret, which only a holder has.
  return local.record.versions.map(({ keyVersion }) => {
    const held = local.material.get(keyVersion);
    if (held === undefined) {
      throw new LatchkeyError('KeyNotAllowedInRegionException', `${host.name} does not hold ${after.keyId} v${keyVersion}, so it cannot share it with ${needing.join(', ')}`);
    }
    const secret = { keyId: after.keyId, keyVersion, materialId: held.materialId };
    return { keyVersion, publicKey: null, wrapped: Object.fromEntries(needing.map((r) => [r, wrapForRegion(secret, r)])) };
  });
}

/** Every allowed region of the deployment must find every version wrapped for it, or it would lose material. */
export function materialGaps(change: KeyChange, deployment: readonly string[]): string[] {
  if (change.record.keyState === 'Destroyed') return [];
  const regions = allowedRegions(change.record, deployment).filter((r) => deployment.includes(r));
  return change.versions.flatMap((v) => regions.filter((r) => !Object.hasOwn(v.wrapped, r)).map((r) => `v${v.keyVersion} for ${r}`));
}

function buildRequest(host: WriterHost, port: WriterPort, intent: WriteIntent, after: KeyRecord): Pending {
  const local = host.store.keys.get(intent.keyId);
  const additions = [...rewrapAdditions(host, local, after), ...newVersionAdditions(host, port, local?.record ?? null, after)];
  const change = nextKeyChange(local?.change ?? null, after, additions, host.deployment);
  const gaps = materialGaps(change, host.deployment);
  if (gaps.length > 0) {
    host.reportAnomaly(`${host.name}: refused to publish ${after.keyId} with material missing: ${gaps.join(', ')}`);
    throw new LatchkeyError('KMSInternalException', `the change to ${after.keyId} would leave regions without material`);
  }
  const envelope: ChangeEnvelope = { formatVersion: 1, change, origin: host.name, changeId: intent.changeId, createdAtMs: port.nowMs() };
  const subject = keySubject(intent.keyId);
  return { request: { subject, envelope, msgId: intent.changeId, expectedLastSubjectSeq: local?.subjectSeq ?? 0 } };
}

type Step = WriteResult | 'again';

function unconfirmed(keyId: string): LatchkeyError {
  return new LatchkeyError('KeyUnavailableException', `key ${keyId} holds versions in this region that the stream's quorum has not been seen holding yet; nothing was changed`);
}

/** Decides and builds the change on the local view; a refusal is final only once decided on fresh state. */
function prepare(host: WriterHost, port: WriterPort, intent: WriteIntent, state: Attempts): Step | Pending {
  if (intent.settle && !host.settle(intent.keyId, port)) return failed(intent, state, unconfirmed(intent.keyId));
  try {
    const after = intent.build(host.store.keys.get(intent.keyId)?.record ?? null, port.nowMs());
    if (after === null) return { outcome: 'ok', seq: null, record: host.store.keys.get(intent.keyId)?.record ?? null, newestMaterialId: null };
    return buildRequest(host, port, intent, after);
  } catch (thrown) {
    const error = toLatchkeyError(thrown);
    if (error.kind !== 'user' || state.synced) return failed(intent, state, error);
    if (!syncSubject(host, port, keySubject(intent.keyId))) return failed(intent, state, unavailable());
    state.synced = true;
    return 'again';
  }
}

function onConflict(host: WriterHost, port: WriterPort, intent: WriteIntent, state: Attempts): Step {
  if (!syncSubject(host, port, keySubject(intent.keyId))) return failed(intent, state, unavailable());
  state.synced = true;
  const landed = okFromStore(host, intent.changeId);
  if (landed !== null) return landed;
  // Our expectation is stale now, so an earlier attempt can never land; the rebuilt change keeps the msg-id.
  state.maybeLanded = false;
  state.pending = null;
  return 'again';
}

function onDuplicate(host: WriterHost, port: WriterPort, intent: WriteIntent, state: Attempts, seq: number): Step {
  // The stream already holds this change id at `seq`; what landed may differ from what we just built.
  syncSubject(host, port, keySubject(intent.keyId));
  const landed = okFromStore(host, intent.changeId);
  if (landed !== null) return landed;
  state.maybeLanded = true;
  return failed(intent, state, new LatchkeyError('KMSInternalException', `change ${intent.changeId} is at seq ${seq} but cannot be read here`));
}

function onReply(host: WriterHost, port: WriterPort, intent: WriteIntent, state: Attempts, pending: Pending, reply: PublishAttemptReply): Step {
  switch (reply.kind) {
    case 'ack':
      if (reply.duplicate) return onDuplicate(host, port, intent, state, reply.seq);
      // Read-your-writes: our own envelope is exactly what the stream stored at reply.seq.
      host.applyMessage({ seq: reply.seq, subject: pending.request.subject, envelope: pending.request.envelope });
      return okFromStore(host, intent.changeId) ?? failed(intent, state, new LatchkeyError('KMSInternalException', 'own change did not apply'));
    case 'timeout':
      state.maybeLanded = true;
      return 'again';
    case 'unavailable':
      return failed(intent, state, unavailable());
    case 'conflict':
      return onConflict(host, port, intent, state);
  }
}

export function writeKey(host: WriterHost, port: WriterPort, intent: WriteIntent): WriteResult {
  const state: Attempts = { synced: false, maybeLanded: false, pending: null };
  if (intent.syncFirst) {
    if (!syncSubject(host, port, keySubject(intent.keyId))) return failed(intent, state, unavailable());
    state.synced = true;
  }
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const known = okFromStore(host, intent.changeId);
    if (known !== null) return known;
    let pending = state.pending;
    if (pending === null) {
      const prepared = prepare(host, port, intent, state);
      if (prepared === 'again') continue;
      if ('outcome' in prepared) return prepared;
      pending = prepared;
      state.pending = prepared;
    }
    const step = onReply(host, port, intent, state, pending, port.publish(pending.request));
    if (step !== 'again') return step;
  }
  return failed(intent, state, new LatchkeyError('ConflictException', `key ${intent.keyId} kept changing; gave up after ${MAX_ATTEMPTS} attempts`));
}
