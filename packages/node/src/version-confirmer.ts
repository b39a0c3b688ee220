/**
 * Confirms, per key, that the stream's quorum holds the secret of the key's current version as
 * this region holds it, before the data plane issues new output under it (the rule and why:
 * core/replication/version-confirmation.ts). Applying stays as it was; this runs beside it.
 *
 * - After every applied key change whose current version is not confirmed yet, the key waits here.
 *   Keys are checked in groups: the last change on each key's subject is read from the stream
 *   leader, bracketed by two answers showing that leader with a quorum (readLastWithQuorum). No
 *   quorum, no verdict: the region keeps serving its confirmed versions and asks again.
 * - Confirmed: the version is recorded (`confirmed/<keyId>` in the store, so a restart in a
 *   cut-off region still serves it).
 * - Divergent: this region holds a state of the key the stream does not (it applied a change the
 *   stream never kept, or passed over the stream's change). It is repaired from the change just
 *   read: unconfirmed versions take the stream's secret or go; confirmed ones are never touched,
 *   since output may exist under them. Counted, logged (never a secret), and checked again.
 * - A write made here is answered only once its version is confirmed (confirmWrite).
 */
import { LatchkeyError, confirmationVerdict, holdsKey, isKeyId, keySubject, servingVersion, type ApplyDecision, type ChangeEnvelope, type KeyRecord } from '@latchkey/core';
import type { StreamMessage } from '@latchkey/replication';
import type { KeyStore } from '@latchkey/storage';
import type { Logger } from 'pino';
import type { AppliedChange, ChangeApplier } from './change-applier.ts';
import type { HeldSecretDeps } from './held-secret.ts';
import { sameAsHeldSecret } from './held-secret.ts';
import type { KeyDirectory } from './key-directory.ts';

export interface ConfirmerDeps extends HeldSecretDeps {
  readonly regionNames: readonly string[];
  readonly store: KeyStore;
  readonly directory: KeyDirectory;
  readonly applier: ChangeApplier;
  /** Last message per subject from a stream leader with a quorum; null when none can be shown now. */
  readonly readLast: (subjects: readonly string[]) => Promise<Map<string, StreamMessage | null> | null>;
  /** Decodes and verifies a stream message (throws when it is not a valid signed change). */
  readonly decode: (data: Uint8Array) => ChangeEnvelope;
  readonly log: Logger;
}

export interface ConfirmerStatus {
  /** Keys whose current version is not confirmed yet (their earlier confirmed version serves). */
  readonly unconfirmedKeys: number;
  /** Keys found holding a state the stream does not have, and not repaired yet. */
  readonly divergentKeys: number;
  /** Repairs made since start (each one a key whose state here was not the stream's). */
  readonly repairs: number;
}

const confirmedName = (keyId: string): string => `confirmed/${keyId}`;

/** The deletion of an alias or token the stream has no change for (null for other subjects). */
function absentItem(subject: string): ChangeEnvelope | null {
  const envelope = (change: ChangeEnvelope['change']): ChangeEnvelope => ({ formatVersion: 1, origin: 'repair', changeId: `absent-${subject}`, createdAtMs: 0, change });
  const alias = /^kms\.alias\.(.+)$/.exec(subject);
  if (alias) return envelope({ kind: 'alias', aliasName: alias[1] as string, alias: null });
  const token = /^kms\.token\.(.+)$/.exec(subject);
  if (token) return envelope({ kind: 'token', tokenId: token[1] as string, token: null });
  return null;
}

/** What this region held of a key just before the stream was read. */
interface Snapshot {
  readonly record: KeyRecord;
  readonly subjectSeq: number;
  readonly appliedSeq: number;
}
/** Keys read from the stream per round. */
const GROUP = 64;
/** A key that stays divergent after repair is checked again after this (doubling, up to the cap). */
const RETRY_MS = 1_000;
const RETRY_CAP_MS = 30_000;
/** A divergence must be seen again this much later, with nothing applied meanwhile, before it is acted on. */
const SETTLE_MS = 2_000;
/** The data plane's lookups: at most one per key this often, and at most this many waiting. */
const LOOKUP_EVERY_MS = 5_000;
const LOOKUPS_QUEUED_MAX = 64;
/** No quorum to be seen: look again after this. */
const NO_QUORUM_WAIT_MS = 500;

export class VersionConfirmer {
  readonly #deps: ConfirmerDeps;
  readonly #confirmed = new Map<string, number>();
  /** keyId -> Date.now() before which it is not checked again. */
  readonly #waiting = new Map<string, number>();
  /** keyId -> reason, for keys found divergent (logged once per reason). */
  readonly #divergent = new Map<string, string>();
  readonly #failures = new Map<string, number>();
  /** keyId -> a divergence seen once, waiting to be seen again before anything is done about it. */
  readonly #suspects = new Map<string, { subjectSeq: number; revision: number; streamSeq: number; atMs: number }>();
  /** Keys the data plane found this region missing (a key, or a version of it), to look up in the stream. */
  readonly #lookups = new Set<string>();
  /** keyId -> when it was last looked up (at most one lookup per key per LOOKUP_EVERY_MS). */
  readonly #lookedUp = new Map<string, number>();
  #repairs = 0;
  #running = false;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(deps: ConfirmerDeps) {
    this.#deps = deps;
  }

  /** Reads what was confirmed before a restart; keys still to confirm start waiting. */
  async load(): Promise<void> {
    for (const record of this.#deps.directory.keys()) {
      const confirmed = await this.#deps.store.getMeta<number>(confirmedName(record.keyId));
      if (confirmed !== undefined) this.#confirmed.set(record.keyId, confirmed);
      this.#consider(record);
    }
  }

  start(): void {
    this.#deps.applier.onApplied((change, decision) => this.#noteApplied(change, decision));
    // Counted from the moment the data plane sees the record, not only once it is durable.
    this.#deps.applier.onKeyStaged((keyId) => {
      const record = this.#deps.directory.getKey(keyId);
      if (record) this.#consider(record);
    });
    this.#timer = setInterval(() => this.#kick(), 1_000);
    this.#kick();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
  }

  status(): ConfirmerStatus {
    return { unconfirmedKeys: this.#waiting.size, divergentKeys: this.#divergent.size, repairs: this.#repairs };
  }

  confirmedVersion(keyId: string): number {
    return this.#confirmed.get(keyId) ?? 0;
  }

  /** The version for new output under this key here, or KeyUnavailableException. */
  servingVersion(record: KeyRecord): number {
    const version = servingVersion(record, this.confirmedVersion(record.keyId));
    if (version !== null) return version;
    throw new LatchkeyError(
      'KeyUnavailableException',
      `version ${record.currentVersion} of key ${record.keyId} is not yet confirmed by the replication stream's quorum in this region (catching up, or cut off from the stream); retry or use another region`,
    );
  }

  /**
   * The data plane met a ciphertext naming a key, or a version of a key, that this region does not
   * hold although it is current with the stream: it may have passed over the change that brought it
   * (a sequence it applied from a server that was cut off, which the stream gave to another change).
   * Looks the key up in the stream (quorum read) and, if the stream holds a change on it that this
   * region moved past without applying, repairs the key from it. Rate-limited per key and overall;
   * only well-formed key ids are looked up.
   */
  lookUp(keyId: string): void {
    const now = Date.now();
    if (!isKeyId(keyId) || this.#lookups.size >= LOOKUPS_QUEUED_MAX || now - (this.#lookedUp.get(keyId) ?? 0) < LOOKUP_EVERY_MS) return;
    this.#lookedUp.set(keyId, now);
    if (this.#lookedUp.size > 10_000) this.#lookedUp.delete(this.#lookedUp.keys().next().value as string);
    this.#lookups.add(keyId);
    this.#kick();
  }

  /**
   * Makes this region's state of one item (key, alias, token) the stream's, from a quorum read of
   * its subject: for the audit of what a region applied while it was cut off (cut-off-audit.ts).
   * Key versions at or below the confirmed one are never touched. An alias or token the stream has
   * no change for is removed here; a key the stream has no change for stays, and stays unusable
   * for output (never confirmed). False when no quorum could be shown.
   */
  async repairSubject(subject: string): Promise<boolean> {
    const { directory, log } = this.#deps;
    const reads = await this.#deps.readLast([subject]);
    if (reads === null) return false;
    const message = reads.get(subject) ?? null;
    const envelope = message ? this.#decoded(message) : absentItem(subject);
    if (envelope === null) {
      if (!message) log.error({ subject }, 'this region holds an item the stream has no change for; left as it is');
      return true;
    }
    const change = message ?? { seq: 0, subject, publishedAtMs: Date.now() };
    if (await this.#repairFrom(change, envelope, 'repaired an item from the stream\'s quorum after auditing what this region applied while cut off')) {
      const record = envelope.change.kind === 'key' ? directory.getKey(envelope.change.record.keyId) : undefined;
      if (record) this.#consider(record);
    }
    return true;
  }

  /** A stream message's change, or null (logged) when it does not verify. */
  #decoded(message: StreamMessage): ChangeEnvelope | null {
    try {
      return this.#deps.decode(message.data);
    } catch (error) {
      this.#deps.log.error({ subject: message.subject, seq: message.seq, err: (error as Error).message }, 'the stream\'s last change on a subject does not verify');
      return null;
    }
  }

  /**
   * Makes an item here the stream's from a change read with a quorum; key versions up to the
   * confirmed one are kept whatever the change says. Counted and logged when something changed.
   */
  async #repairFrom(message: Pick<StreamMessage, 'seq' | 'subject' | 'publishedAtMs'>, envelope: ChangeEnvelope, what: string): Promise<boolean> {
    const keyId = envelope.change.kind === 'key' ? envelope.change.record.keyId : null;
    const confirmed = keyId === null ? 0 : this.confirmedVersion(keyId);
    const { applied, replaced, erased } = await this.#deps.applier.repair({ ...message, envelope }, (keyVersion) => keyVersion > confirmed);
    if (!applied) return false;
    this.#repairs += 1;
    this.#deps.log.warn({ subject: message.subject, keyId, seq: message.seq, replacedVersions: replaced, erasedVersions: erased, keptConfirmedUpTo: confirmed }, what);
    return true;
  }

  /**
   * For a write made here: resolves once the key's current version is confirmed (at once when the
   * change added none), or throws IndeterminateException at the deadline: JetStream acknowledged
   * the change, but its quorum could not be shown to hold it.
   */
  async confirmWrite(keyId: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = this.#deps.directory.getKey(keyId);
      if (!record || !this.#needsConfirmation(record)) return;
      // A read that hangs (servers going away) must not hold the answer past the deadline.
      await Promise.race([this.#check([keyId]), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())))]);
      if (!this.#waiting.has(keyId)) return;
      if (Date.now() >= deadline) {
        throw new LatchkeyError('IndeterminateException', `the change to key ${keyId} was acknowledged by the stream but its quorum could not be shown to hold it yet; read the key, or retry with the same idempotency key`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Before a write builds on this region's state of a key (its versions are carried forward, and
   * their secrets re-wrapped for added regions), that state must be the stream's: waits, bounded,
   * until the key's current version is confirmed here. KeyUnavailableException when it cannot be
   * shown in time; nothing was written then.
   */
  async settle(keyId: string, timeoutMs: number): Promise<void> {
    try {
      await this.confirmWrite(keyId, timeoutMs);
    } catch (error) {
      if (!(error instanceof LatchkeyError) || error.code !== 'IndeterminateException') throw error;
      throw new LatchkeyError(
        'KeyUnavailableException',
        `key ${keyId} holds versions in this region that the replication stream's quorum has not been seen holding yet; nothing was changed; retry, or use another region`,
      );
    }
  }

  #needsConfirmation(record: KeyRecord): boolean {
    return record.keyState !== 'Destroyed' && holdsKey(record, this.#deps.identity.region, this.#deps.regionNames)
      && this.confirmedVersion(record.keyId) < record.currentVersion;
  }

  #consider(record: KeyRecord): void {
    if (this.#needsConfirmation(record)) {
      if (!this.#waiting.has(record.keyId)) this.#waiting.set(record.keyId, 0);
    } else {
      this.#settled(record.keyId);
    }
  }

  /** Nothing (more) to confirm for this key: its current version is confirmed or not held here. */
  #settled(keyId: string): void {
    this.#waiting.delete(keyId);
    this.#suspects.delete(keyId);
    this.#divergent.delete(keyId);
    this.#failures.delete(keyId);
  }

  #noteApplied(change: AppliedChange, decision: ApplyDecision): void {
    const keyChange = change.envelope.change;
    if (decision.action !== 'apply' || keyChange?.kind !== 'key') return;
    const record = this.#deps.directory.getKey(keyChange.record.keyId);
    if (!record) return;
    this.#waiting.delete(record.keyId); // a new change: check it now, whatever the back-off was
    this.#consider(record);
    if (this.#waiting.has(record.keyId)) this.#kick();
  }

  #kick(): void {
    if (this.#running || this.#closed || (this.#waiting.size === 0 && this.#lookups.size === 0)) return;
    this.#running = true;
    setImmediate(() => {
      void this.#drain().finally(() => {
        this.#running = false;
      });
    });
  }

  /** Checks every key that is due, group by group; stops when none is due or no quorum shows. */
  async #drain(): Promise<void> {
    while (!this.#closed && this.#lookups.size > 0) {
      const group = [...this.#lookups].slice(0, GROUP);
      for (const keyId of group) this.#lookups.delete(keyId);
      if (!(await this.#lookUpPassedOver(group))) break;
    }
    while (!this.#closed) {
      const now = Date.now();
      const due = [...this.#waiting].filter(([, notBefore]) => notBefore <= now).slice(0, GROUP).map(([keyId]) => keyId);
      if (due.length === 0) return;
      if (!(await this.#check(due))) {
        for (const keyId of due) if (this.#waiting.has(keyId)) this.#waiting.set(keyId, Date.now() + NO_QUORUM_WAIT_MS);
        return;
      }
    }
  }

  /** One quorum read for keys the data plane missed; repairs those whose stream change this region passed over. */
  async #lookUpPassedOver(keyIds: readonly string[]): Promise<boolean> {
    const { applier, directory } = this.#deps;
    const before = new Map<string, { subjectSeq: number; appliedSeq: number }>();
    for (const keyId of keyIds) before.set(keyId, { subjectSeq: await applier.subjectSeq(keySubject(keyId)), appliedSeq: applier.appliedSeq });
    const reads = await this.#deps.readLast(keyIds.map(keySubject));
    if (reads === null) return false;
    for (const keyId of keyIds) {
      const message = reads.get(keySubject(keyId));
      const held = before.get(keyId) as { subjectSeq: number; appliedSeq: number };
      // Only a stream change newer than what this region applied on the key, at a sequence its
      // cursor is already past: the consumer will never deliver it. Anything else is not ours to fix.
      if (!message || message.seq <= held.subjectSeq || message.seq > held.appliedSeq) continue;
      const envelope = this.#decoded(message);
      if (envelope === null || !(await this.#repairFrom(message, envelope, 'repaired a key whose stream change this region had passed over'))) continue;
      const record = directory.getKey(keyId);
      if (record) this.#consider(record);
    }
    return true;
  }

  /**
   * One quorum read for these keys and a verdict for each; false when no quorum could be shown.
   * What this region holds is read BEFORE the stream: a region may apply a newer change while the
   * read is under way, and a stream answer older than that change is not a divergence.
   */
  async #check(keyIds: readonly string[]): Promise<boolean> {
    const { applier, directory } = this.#deps;
    const snapshots: Snapshot[] = [];
    for (const keyId of keyIds) {
      const record = directory.getKey(keyId);
      if (!record || !this.#needsConfirmation(record)) {
        this.#settled(keyId);
        continue;
      }
      snapshots.push({ record, subjectSeq: await applier.subjectSeq(keySubject(keyId)), appliedSeq: applier.appliedSeq });
    }
    if (snapshots.length === 0) return true;
    const reads = await this.#deps.readLast(snapshots.map((x) => keySubject(x.record.keyId)));
    if (reads === null) return false;
    const confirmed: Record<string, number> = {};
    for (const snapshot of snapshots) {
      const keyId = snapshot.record.keyId;
      const version = await this.#verdictFor(snapshot, reads.get(keySubject(keyId)) ?? null);
      if (version !== null) confirmed[confirmedName(keyId)] = version;
      // A change applied while the stream was read is checked on its own.
      const now = directory.getKey(keyId);
      if (now && now.revision !== snapshot.record.revision) this.#consider(now);
    }
    if (Object.keys(confirmed).length > 0) await this.#deps.store.commit({ putMeta: confirmed });
    return true;
  }

  /** Acts on the verdict for one key; returns the version it confirmed, if any. */
  async #verdictFor(snapshot: Snapshot, message: StreamMessage | null): Promise<number | null> {
    const { identity } = this.#deps;
    const { record } = snapshot;
    const keyId = record.keyId;
    let envelope: ChangeEnvelope | null = null;
    let carriesVersion = false;
    let sameSecret: boolean | null = null;
    if (message) {
      envelope = this.#decoded(message);
      const change = envelope?.change;
      const wrappedFor = (keyVersion: number): Uint8Array | undefined => {
        const version = change?.kind === 'key' ? change.versions[keyVersion - 1] : undefined;
        return version && Object.hasOwn(version.wrapped, identity.region) ? version.wrapped[identity.region] : undefined;
      };
      const wrapped = wrappedFor(record.currentVersion);
      carriesVersion = wrapped !== undefined;
      if (wrapped) sameSecret = await sameAsHeldSecret(this.#deps, keyId, record.currentVersion, wrapped);
      // Every held version above the confirmed one must be the stream's too, not only the current
      // one: a change applied here only (a rotation the stream never kept) may sit below a real
      // later one, and its secret would be carried on and re-wrapped from here.
      for (let keyVersion = this.confirmedVersion(keyId) + 1; sameSecret === true && keyVersion < record.currentVersion; keyVersion++) {
        const earlier = wrappedFor(keyVersion);
        const same = earlier === undefined ? null : await sameAsHeldSecret(this.#deps, keyId, keyVersion, earlier);
        if (same === false || (earlier === undefined && (await this.#deps.store.getMaterial(keyId, keyVersion)) !== undefined)) sameSecret = false;
      }
    }
    const heldHere = (await this.#deps.store.getMaterial(keyId, record.currentVersion)) !== undefined;
    if (!heldHere && this.#deps.applier.hasStaged(keyId)) {
      // Its material is not durable yet: ask again in a moment (applying it brings the key back too).
      this.#waiting.set(keyId, Date.now() + 50);
      return null;
    }
    const verdict = confirmationVerdict({
      // No material for the version here (a region added to the deployment after the key was
      // made, until a change re-wraps it): it cannot serve output under it, nothing to confirm.
      heldHere, keyVersion: record.currentVersion, subjectSeq: snapshot.subjectSeq, appliedSeq: snapshot.appliedSeq,
      stream: message ? { seq: message.seq, carriesVersion, sameSecret } : null,
    });
    switch (verdict.kind) {
      case 'confirmed':
        this.#confirmed.set(keyId, Math.max(this.confirmedVersion(keyId), verdict.keyVersion));
        this.#settled(keyId);
        return this.confirmedVersion(keyId);
      case 'not-held':
        this.#settled(keyId);
        return null;
      case 'behind':
        // The consumer will deliver the newer change; applying it brings the key back here.
        this.#suspects.delete(keyId);
        this.#waiting.set(keyId, Date.now() + RETRY_MS);
        return null;
      case 'divergent': {
        // Acted on only when two reads at least SETTLE_MS apart saw the same thing with nothing
        // applied here meanwhile: a leader may store a committed change a moment after a follower
        // did, and a repair on a passing state would destroy good material.
        const seen = { subjectSeq: snapshot.subjectSeq, revision: record.revision, streamSeq: message?.seq ?? 0, atMs: Date.now() };
        const earlier = this.#suspects.get(keyId);
        if (!earlier || earlier.subjectSeq !== seen.subjectSeq || earlier.revision !== seen.revision || earlier.streamSeq !== seen.streamSeq) {
          this.#suspects.set(keyId, seen);
          this.#waiting.set(keyId, Date.now() + SETTLE_MS);
          return null;
        }
        if (seen.atMs - earlier.atMs < SETTLE_MS) {
          this.#waiting.set(keyId, earlier.atMs + SETTLE_MS);
          return null;
        }
        this.#suspects.delete(keyId);
        await this.#divergence(record, verdict, message, envelope);
        return null;
      }
    }
  }

  async #divergence(record: KeyRecord, verdict: { reason: string; repairable: boolean }, message: StreamMessage | null, envelope: ChangeEnvelope | null): Promise<void> {
    const { log } = this.#deps;
    const keyId = record.keyId;
    if (this.#divergent.get(keyId) !== verdict.reason) {
      log.error({ keyId, keyVersion: record.currentVersion, reason: verdict.reason }, 'this region\'s state of a key is not the stream\'s; its unconfirmed versions are not used');
    }
    this.#divergent.set(keyId, verdict.reason);
    const failures = (this.#failures.get(keyId) ?? 0) + 1;
    this.#failures.set(keyId, failures);
    if (verdict.repairable && message && envelope && (await this.#repairFrom(message, envelope, 'repaired a key from the stream\'s quorum'))) {
      if (failures === 1) {
        // Check the repaired state at once; a second divergence in a row backs off.
        this.#waiting.set(keyId, 0);
        return;
      }
    }
    this.#waiting.set(keyId, Date.now() + Math.min(RETRY_CAP_MS, RETRY_MS * 2 ** (failures - 1)));
  }
}
