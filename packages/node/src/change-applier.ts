/**
 * Applies state changes to this region, in stream order: the one path by which keys, aliases,
 * tokens and AWS credentials enter the local store, whether the change was made here (standalone)
 * or came from the stream. The pure core decides (decideApply); this shell unwraps material
 * addressed to this region and re-wraps it under the root key.
 *
 * Applying is staged, then committed in groups: each change is decided in order against the
 * in-memory state left by the change before it, and its store batch joins the group being
 * written; one synced commit makes a whole group durable (record, material, per-subject sequence
 * and cursor together). Only then does the cursor advance, are waiting writers woken and the
 * stream acknowledged. The data plane may see a change a moment before it is durable here; that is
 * safe because the stream already holds it durably and re-delivers it after a crash.
 */
import {
  LatchkeyError, decideApply, materialAad, type ApplyDecision, type ChangeEnvelope, type Clock, type CredentialChange, type KeyChange,
  type LocalItemState, type VersionMaterial,
} from '@latchkey/core';
import { loadKey, transportAad, unwrapForRegion, type LoadedKey, type RootKey } from '@latchkey/crypto';
import type { KeyStore, StoreBatch } from '@latchkey/storage';
import type { Logger } from 'pino';
import type { ClusterConfig } from './cluster-config.ts';
import type { AwsCredentialRegistry } from './http/aws/credential-registry.ts';
import type { KeyDirectory } from './key-directory.ts';
import type { MaterialCache } from './material-cache.ts';
import type { RegionIdentity } from './region-identity.ts';
import type { TokenRegistry } from './token-registry.ts';
import { mergeBatches } from './batch-merge.ts';
import { sameAsHeldSecret } from './held-secret.ts';
import { WriteLock } from './write-lock.ts';

export interface AppliedChange {
  readonly seq: number;
  readonly subject: string;
  readonly envelope: ChangeEnvelope;
  readonly publishedAtMs: number;
}

export interface ApplierDeps {
  readonly identity: RegionIdentity;
  readonly cluster: ClusterConfig;
  readonly rootKey: RootKey;
  readonly store: KeyStore;
  readonly directory: KeyDirectory;
  readonly cache: MaterialCache;
  readonly tokens: TokenRegistry;
  /** AWS credentials (their secrets are unwrapped here, like key material); absent in tests that need none. */
  readonly credentials?: AwsCredentialRegistry;
  /** Real time, for lag: publish times come from the stream's clock, not from a test clock. */
  readonly wallClock: Clock;
  readonly log: Logger;
  /** Called if a group cannot be made durable: memory is then ahead of the store and the node must restart. */
  readonly onFatal?: (error: unknown) => void;
}

/** A decided change whose batch waits in the commit group. */
interface Staged {
  readonly change: AppliedChange;
  readonly decision: ApplyDecision;
  readonly batch: StoreBatch;
  readonly durable: { resolve: () => void; reject: (error: unknown) => void };
  /** A repair (see `repair`): made durable like a change, but moves neither cursor nor lag. */
  readonly repair: boolean;
}

export type AppliedListener = (change: AppliedChange, decision: ApplyDecision, applyDelayMs: number) => void;

const CURSOR = 'replication/appliedSeq';
const subjectSeqName = (subject: string): string => `seq/${subject}`;
const keyChangeName = (keyId: string): string => `change/${keyId}`;
/** How many keys' last durable change stay in memory (each carries every version's wrapped bytes). */
const DURABLE_KEY_CHANGES_KEPT = 10_000;

type MutableBatch = { -readonly [K in keyof StoreBatch]: StoreBatch[K] };

export class ChangeApplier {
  readonly #deps: ApplierDeps;
  readonly #subjectSeqs = new Map<string, number>();
  readonly #waiters: { seq: number; resolve: () => void }[] = [];
  readonly #listeners: AppliedListener[] = [];
  readonly #stagedListeners: ((keyId: string) => void)[] = [];
  #appliedSeq: number;
  #lastPublishedAtMs: number | null = null;
  /** Staging is strictly sequential: each change is decided on the state the one before left. */
  readonly #stageLock = new WriteLock();
  readonly #held = new Map<string, Set<number>>();
  readonly #stagedKeyChanges = new Map<string, KeyChange>();
  /**
   * The last DURABLE change of recently used keys (least recently used first), so that writers and
   * the applier do not read and decode it from the store for every change. Only a committed group
   * or a store read made while no change was staged meanwhile puts an entry here; the store stays
   * the truth and a miss reads it.
   */
  readonly #durableKeyChanges = new Map<string, KeyChange | null>();
  /** Counts staged key changes: a store read that saw this move may be older than memory. */
  #keyChangesStaged = 0;
  #group: Staged[] = [];
  #stagedSeq = 0;
  #committing = false;
  #failed: unknown = null;
  #divergentVersions = 0;

  private constructor(deps: ApplierDeps, appliedSeq: number) {
    this.#deps = deps;
    this.#appliedSeq = appliedSeq;
  }

  static async load(deps: ApplierDeps): Promise<ChangeApplier> {
    return new ChangeApplier(deps, (await deps.store.getMeta<number>(CURSOR)) ?? 0);
  }

  get appliedSeq(): number {
    return this.#appliedSeq;
  }

  /** Held versions found different from, or missing in, a replicated change; material kept (should stay 0). */
  get divergentVersions(): number {
    return this.#divergentVersions;
  }

  get lastPublishedAtMs(): number | null {
    return this.#lastPublishedAtMs;
  }

  /** Called when a key change is staged: the data plane sees its record from now on, before it is durable. */
  onKeyStaged(listener: (keyId: string) => void): void {
    this.#stagedListeners.push(listener);
  }

  /** A change of this key is staged and not yet durable. */
  hasStaged(keyId: string): boolean {
    return this.#stagedKeyChanges.has(keyId);
  }

  onApplied(listener: AppliedListener): void {
    this.#listeners.push(listener);
  }

  async subjectSeq(subject: string): Promise<number> {
    const cached = this.#subjectSeqs.get(subject);
    if (cached !== undefined) return cached;
    const stored = (await this.#deps.store.getMeta<number>(subjectSeqName(subject))) ?? 0;
    this.#subjectSeqs.set(subject, stored);
    return stored;
  }

  /** The last applied change of a key: the wrapped envelopes a writer carries forward. */
  async lastKeyChange(keyId: string): Promise<KeyChange | null> {
    const staged = this.#stagedKeyChanges.get(keyId);
    if (staged) return staged;
    const kept = this.#durableKeyChanges.get(keyId);
    if (kept !== undefined) {
      this.#keepDurable(keyId, kept);
      return kept;
    }
    const stagedBefore = this.#keyChangesStaged;
    const stored = (await this.#deps.store.getMeta<KeyChange>(keyChangeName(keyId))) ?? null;
    // A change staged (and maybe committed) while the store was read is newer than what was read.
    if (this.#keyChangesStaged !== stagedBefore) return this.#stagedKeyChanges.get(keyId) ?? this.#durableKeyChanges.get(keyId) ?? stored;
    this.#keepDurable(keyId, stored);
    return stored;
  }

  #keepDurable(keyId: string, change: KeyChange | null): void {
    this.#durableKeyChanges.delete(keyId);
    this.#durableKeyChanges.set(keyId, change);
    if (this.#durableKeyChanges.size > DURABLE_KEY_CHANGES_KEPT) {
      this.#durableKeyChanges.delete(this.#durableKeyChanges.keys().next().value as string);
    }
  }

  /** Resolves once everything up to `seq` is applied here; rejects after `timeoutMs`. */
  waitFor(seq: number, timeoutMs: number): Promise<void> {
    if (this.#appliedSeq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { seq, resolve: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new LatchkeyError('DependencyTimeoutException', `stream sequence ${seq} is committed but not yet applied in this region`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Moves the cursor past a message that could not even be decoded or verified. */
  async skip(seq: number, publishedAtMs: number, reason: string): Promise<void> {
    this.#deps.log.error({ seq, reason }, 'skipped an unverifiable replicated change');
    const envelope = { formatVersion: 1, change: { kind: 'token', tokenId: '', token: null }, origin: '', changeId: '', createdAtMs: 0 } as const;
    const durable = await this.#stageLock.run(async () => {
      this.#stagedSeq = Math.max(this.#stagedSeq, this.#appliedSeq, seq);
      return { durable: this.#enqueue({ seq, subject: '', envelope, publishedAtMs }, { action: 'reject', reason }, { putMeta: { [CURSOR]: this.#stagedSeq } }) };
    });
    await durable.durable;
  }

  /** Applies one change and resolves once it is durable here. */
  async apply(change: AppliedChange): Promise<ApplyDecision> {
    const staged = await this.stage(change);
    await staged.durable;
    return staged.decision;
  }

  /**
   * Decides one change and queues its batch; resolves when the NEXT change may be staged, with a
   * promise that settles when this one is durable. The stream consumer pipelines with it.
   */
  stage(change: AppliedChange): Promise<{ decision: ApplyDecision; durable: Promise<void> }> {
    return this.#stageLock.run(async () => {
      if (this.#failed) throw this.#failed;
      const { envelope, subject, seq } = change;
      const local = await this.#localState(envelope, subject);
      const decision = decideApply(envelope, subject, seq, local, this.#deps.identity.region, this.#deps.cluster.regionNames);
      if (decision.action === 'apply' && envelope.change.kind === 'key') await this.#reportDivergence(envelope.change, decision, seq);
      // The cursor only moves forward: a late redelivery of an older message must not pull it back.
      this.#stagedSeq = Math.max(this.#stagedSeq, this.#appliedSeq, seq);
      const batch: MutableBatch = { putMeta: { [CURSOR]: this.#stagedSeq } };
      const adopted: { keyVersion: number; loaded: LoadedKey }[] = [];
      if (decision.action === 'apply') {
        const inMemory = this.#plan(envelope, decision, batch, adopted);
        batch.putMeta = { ...batch.putMeta, [subjectSeqName(subject)]: seq };
        this.#subjectSeqs.set(subject, seq);
        this.#remember(envelope, decision, adopted);
        inMemory?.();
        if (envelope.change.kind === 'key') for (const listener of this.#stagedListeners) listener(envelope.change.record.keyId);
      } else if (decision.action === 'reject') {
        this.#deps.log.warn({ seq, subject, reason: decision.reason }, 'rejected a replicated change');
      }
      return { decision, durable: this.#enqueue(change, decision, batch) };
    });
  }

  /**
   * Makes this region's state of one item the stream's, from a change read from a stream leader
   * with a quorum (version-confirmer.ts): applied whatever the subject's sequence here, without
   * moving the cursor; the material of `replaceable` versions is replaced where the change holds
   * another secret, and erased where the change does not carry them. Other versions (confirmed:
   * output may exist under them) keep their material, whatever the change says. Resolves once
   * durable, with the versions replaced and erased (`applied` false when the change is not valid).
   * Aliases, tokens and credentials simply become the change's state.
   */
  async repair(change: AppliedChange, replaceable: (keyVersion: number) => boolean): Promise<{ applied: boolean; replaced: number[]; erased: number[] }> {
    const staged = await this.#stageLock.run(async () => {
      if (this.#failed) throw this.#failed;
      const { envelope, subject, seq } = change;
      const local = await this.#localState(envelope, subject);
      // Decided as a change newer than anything here, whatever `seq` is (a synthetic deletion has 0).
      const decision = decideApply(envelope, subject, Number.MAX_SAFE_INTEGER, { ...local, subjectSeq: 0 }, this.#deps.identity.region, this.#deps.cluster.regionNames);
      if (decision.action !== 'apply') return null;
      if (envelope.change.kind !== 'key') {
        // An alias, token or credential: the stream's state of it, as applying would make it.
        const batch: MutableBatch = {};
        const inMemory = this.#plan(envelope, decision, batch, []);
        batch.putMeta = { ...batch.putMeta, [subjectSeqName(subject)]: seq };
        this.#subjectSeqs.set(subject, seq);
        this.#remember(envelope, decision, []);
        inMemory?.();
        return { replaced: [], erased: [], durable: this.#enqueue(change, decision, batch, true) };
      }
      // Every held replaceable version is compared, not only those whose wrapped bytes changed: the
      // last change applied here may carry the stream's bytes for a version whose material here
      // came from an earlier change the stream never kept.
      const replaced = await this.#differentSecrets(envelope.change, local.heldVersions.filter(replaceable));
      const erased = decision.unknownToStream.filter(replaceable);
      const repaired = { ...decision, adoptVersions: [...decision.adoptVersions, ...replaced], eraseVersions: [...decision.eraseVersions, ...erased] };
      const batch: MutableBatch = {};
      const adopted: { keyVersion: number; loaded: LoadedKey }[] = [];
      this.#plan(envelope, repaired, batch, adopted);
      batch.putMeta = { ...batch.putMeta, [subjectSeqName(subject)]: seq };
      this.#subjectSeqs.set(subject, seq);
      this.#deps.cache.forget(envelope.change.record.keyId);
      this.#remember(envelope, repaired, adopted);
      return { replaced, erased, durable: this.#enqueue(change, repaired, batch, true) };
    });
    if (staged === null) return { applied: false, replaced: [], erased: [] };
    await staged.durable;
    return { applied: true, replaced: staged.replaced, erased: staged.erased };
  }

  #enqueue(change: AppliedChange, decision: ApplyDecision, batch: StoreBatch, repair = false): Promise<void> {
    const durable = new Promise<void>((resolve, reject) => {
      this.#group.push({ change, decision, batch, durable: { resolve, reject }, repair });
    });
    if (!this.#committing) {
      // Start the commit once the current turn of the event loop is done: every change delivered
      // in the same socket read is staged by then (staging waits on nothing but memory), so they
      // share one synced commit instead of the first paying for its own.
      this.#committing = true;
      setImmediate(() => void this.#commitGroups());
    }
    return durable;
  }

  /** Writes every queued batch with one synced commit, then advances; repeats while more queued up meanwhile. */
  async #commitGroups(): Promise<void> {
    this.#committing = true;
    try {
      while (this.#group.length > 0) {
        const group = this.#group;
        this.#group = [];
        try {
          await this.#deps.store.commit(mergeBatches(group.map((g) => g.batch)));
        } catch (error) {
          this.#failed = error;
          for (const g of [...group, ...this.#group]) g.durable.reject(error);
          this.#group = [];
          this.#deps.log.fatal({ err: (error as Error).message }, 'could not make applied changes durable; the node must restart');
          this.#deps.onFatal?.(error);
          return;
        }
        for (const g of group) {
          const change = g.change.envelope.change;
          if (change?.kind === 'key' && g.decision.action === 'apply') {
            const keyId = change.record.keyId;
            this.#keepDurable(keyId, change);
            if (this.#stagedKeyChanges.get(keyId) === change) this.#stagedKeyChanges.delete(keyId);
          }
          if (!g.repair) this.#advance(g.change, g.decision);
          g.durable.resolve();
        }
      }
    } finally {
      this.#committing = false;
    }
  }

  async #localState(envelope: ChangeEnvelope, subject: string): Promise<LocalItemState> {
    const subjectSeq = await this.subjectSeq(subject);
    if (envelope.change?.kind !== 'key') return { subjectSeq, record: null, heldVersions: [] };
    const keyId = envelope.change.record?.keyId;
    const record = typeof keyId === 'string' ? this.#deps.directory.getKey(keyId) ?? null : null;
    if (!record) return { subjectSeq, record, heldVersions: [] };
    const heldVersions = [...(await this.#heldVersions(record.keyId))];
    const region = this.#deps.identity.region;
    const wrappedHere = new Map<number, Uint8Array>();
    for (const version of (await this.lastKeyChange(record.keyId))?.versions ?? []) {
      if (Object.hasOwn(version.wrapped, region)) wrappedHere.set(version.keyVersion, version.wrapped[region] as Uint8Array);
    }
    return { subjectSeq, record, heldVersions, wrappedHere };
  }

  /**
   * Reports a divergence between this region and a replicated change: held versions the change
   * does not carry, and held versions whose bytes for this region changed with another secret
   * inside (the same secret re-wrapped is fine). Material is never replaced or erased here: a
   * delivered change may not be the stream's (seen right after a heal), and replacing material on
   * such a change made acknowledged ciphertexts undecryptable in a drill. Only `repair`, with a
   * change read from a leader with a quorum, replaces material, and only of unconfirmed versions.
   */
  async #reportDivergence(change: KeyChange, decision: Extract<ApplyDecision, { action: 'apply' }>, seq: number): Promise<void> {
    const { log } = this.#deps;
    const keyId = change.record.keyId;
    if (decision.unknownToStream.length > 0) {
      log.error({ keyId, keyVersions: decision.unknownToStream, seq }, 'this region holds key versions the replicated change does not carry; keeping their material');
      this.#divergentVersions += decision.unknownToStream.length;
    }
    const divergent = await this.#differentSecrets(change, decision.recheckVersions);
    if (divergent.length === 0) return;
    log.error({ keyId, keyVersions: divergent, seq }, 'this region holds key versions whose secret differs from the replicated change; keeping its own');
    this.#divergentVersions += divergent.length;
  }

  /** Of `versions`, those whose secret in `change` differs from the one held here. */
  async #differentSecrets(change: KeyChange, versions: readonly number[]): Promise<number[]> {
    const { identity, log } = this.#deps;
    const keyId = change.record.keyId;
    const different: number[] = [];
    for (const keyVersion of versions) {
      const wrapped = change.versions[keyVersion - 1]?.wrapped[identity.region];
      if (!wrapped) continue;
      const same = await sameAsHeldSecret(this.#deps, keyId, keyVersion, wrapped);
      if (same === false) different.push(keyVersion);
      if (same === null) log.error({ keyId, keyVersion }, 'could not recheck a held version against the replicated change');
    }
    return different;
  }

  async #heldVersions(keyId: string): Promise<Set<number>> {
    let held = this.#held.get(keyId);
    if (!held) {
      held = new Set((await this.#deps.store.listMaterial(keyId)).map((m) => m.keyVersion));
      this.#held.set(keyId, held);
    }
    return held;
  }

  /** Fills the batch; returns what to do in memory once it is durable when #remember does not cover it. */
  #plan(envelope: ChangeEnvelope, decision: Extract<ApplyDecision, { action: 'apply' }>, batch: MutableBatch, adopted: { keyVersion: number; loaded: LoadedKey }[]): (() => void) | null {
    const change = envelope.change;
    if (change.kind === 'alias') {
      if (change.alias) batch.putAliases = [change.alias];
      else batch.deleteAliases = [change.aliasName];
      return null;
    }
    if (change.kind === 'token') {
      if (change.token) batch.putTokens = [change.token];
      else batch.deleteTokens = [change.tokenId];
      return null;
    }
    if (change.kind === 'credential') return this.#planCredential(change, decision, batch);
    const { record } = change;
    batch.putKeys = [record];
    batch.putMeta = { ...batch.putMeta, [keyChangeName(record.keyId)]: change };
    this.#stagedKeyChanges.set(record.keyId, change);
    this.#keyChangesStaged += 1;
    const held = this.#held.get(record.keyId) ?? new Set<number>();
    this.#held.set(record.keyId, held);
    for (const keyVersion of decision.eraseVersions) held.delete(keyVersion);
    const material: VersionMaterial[] = [];
    for (const keyVersion of decision.adoptVersions) {
      const version = change.versions[keyVersion - 1];
      const wrapped = version?.wrapped[this.#deps.identity.region];
      if (!version || !wrapped) continue;
      let secret: Uint8Array;
      try {
        secret = unwrapForRegion(this.#deps.identity.transportPrivate, wrapped, transportAad(record.keyId, keyVersion, this.#deps.identity.region));
      } catch {
        // A verified change whose material this region cannot unwrap means a mis-pinned identity:
        // report it and go on, rather than stall the whole region on one message.
        this.#deps.log.error({ keyId: record.keyId, keyVersion }, 'material wrapped for this region does not unwrap with its transport key');
        continue;
      }
      material.push({ keyId: record.keyId, keyVersion, wrapped: this.#deps.rootKey.wrap(secret, materialAad(record.keyId, keyVersion)), publicKey: version.publicKey });
      adopted.push({ keyVersion, loaded: loadKey(record.keySpec, secret) });
      held.add(keyVersion);
      secret.fill(0);
    }
    if (material.length > 0) batch.putMaterial = material;
    if (decision.eraseVersions.length > 0) batch.deleteMaterial = decision.eraseVersions.map((keyVersion) => ({ keyId: record.keyId, keyVersion }));
    if (decision.missingVersions.length > 0) {
      this.#deps.log.error({ keyId: record.keyId, versions: decision.missingVersions }, 'a change carries no material for this region although the key is allowed here');
    }
    return null;
  }

  #planCredential(change: CredentialChange, decision: Extract<ApplyDecision, { action: 'apply' }>, batch: MutableBatch): (() => void) | null {
    const { credentials, identity, rootKey, log } = this.#deps;
    if (!credentials) return null;
    if (decision.missingVersions.length > 0) log.error({ accessKeyId: change.accessKeyId }, 'an AWS credential change carries no secret wrapped for this region');
    const staged = credentials.stage(change, decision.adoptVersions.length > 0, identity, rootKey);
    batch.putMeta = { ...batch.putMeta, ...staged.putMeta };
    return staged.commit;
  }

  #remember(envelope: ChangeEnvelope, decision: Extract<ApplyDecision, { action: 'apply' }>, adopted: { keyVersion: number; loaded: LoadedKey }[]): void {
    const change = envelope.change;
    const { directory, tokens, cache } = this.#deps;
    if (change.kind === 'alias') {
      if (change.alias) directory.putAlias(change.alias);
      else directory.deleteAlias(change.aliasName);
    } else if (change.kind === 'token') {
      if (change.token) tokens.put(change.token);
      else tokens.remove(change.tokenId);
    } else if (change.kind === 'key') {
      if (decision.eraseVersions.length > 0) cache.forget(change.record.keyId);
      for (const { keyVersion, loaded } of adopted) cache.remember(change.record.keyId, keyVersion, loaded);
      directory.putKey(change.record);
    }
  }

  #advance(change: AppliedChange, decision: ApplyDecision): void {
    this.#appliedSeq = Math.max(this.#appliedSeq, change.seq);
    this.#lastPublishedAtMs = change.publishedAtMs;
    const delayMs = Math.max(0, this.#deps.wallClock.nowMs() - change.publishedAtMs);
    for (const listener of this.#listeners) listener(change, decision, delayMs);
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const waiter = this.#waiters[i];
      if (waiter && waiter.seq <= this.#appliedSeq) {
        this.#waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}

