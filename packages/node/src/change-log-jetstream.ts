/**
 * The replicated change log: appends are signed, published to JetStream with compare-and-set on
 * the subject's last sequence and a msg-id, and acknowledged once the local consumer applied them.
 * Incoming changes are verified against the pinned region keys before the applier sees them.
 */
import { LatchkeyError, type ChangeEnvelope, type Clock, type KeyRecord } from '@latchkey/core';
import type { RootKey } from '@latchkey/crypto';
import { JetStreamReplicator, decodeChange, encodeChange, type ReplicatorOptions, type StreamMessage } from '@latchkey/replication';
import type { KeyStore } from '@latchkey/storage';
import type { Logger } from 'pino';
import type { ChangeApplier } from './change-applier.ts';
import type { ChangeLog, ReplicationStatus } from './change-log.ts';
import type { ClusterConfig } from './cluster-config.ts';
import type { KeyDirectory } from './key-directory.ts';
import type { RegionIdentity } from './region-identity.ts';
import { CutOffAudit } from './cut-off-audit.ts';
import { VersionConfirmer } from './version-confirmer.ts';

/** How long a write waits for this region's state of a key to be confirmed before building on it. */
const SETTLE_BEFORE_WRITE_MS = 2_000;
/** No answer from the stream for this long (it is read once a second): the region is cut off. */
const STREAM_CONTACT_STALE_MS = 3_500;

export interface JetStreamLogOptions {
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly streamName: string;
  readonly publishTimeoutMs: number;
  readonly applyTimeoutMs: number;
}

export class JetStreamChangeLog implements ChangeLog {
  readonly mode = 'replicated' as const;
  readonly #applier: ChangeApplier;
  readonly #identity: RegionIdentity;
  readonly #replicator: JetStreamReplicator;
  readonly #options: JetStreamLogOptions;
  readonly #wallClock: Clock;
  readonly #log: Logger;
  readonly #confirmer: VersionConfirmer;
  readonly #audit: CutOffAudit;
  #auditTimer: NodeJS.Timeout | null = null;
  #rejected = 0;

  constructor(deps: {
    applier: ChangeApplier; identity: RegionIdentity; cluster: ClusterConfig; options: JetStreamLogOptions; wallClock: Clock; log: Logger;
    rootKey: RootKey; store: KeyStore; directory: KeyDirectory;
  }) {
    this.#applier = deps.applier;
    this.#identity = deps.identity;
    this.#options = deps.options;
    this.#wallClock = deps.wallClock;
    this.#log = deps.log;
    const cluster = deps.cluster;
    const replicatorOptions: ReplicatorOptions = {
      servers: deps.options.servers, region: deps.identity.region, streamName: deps.options.streamName, replicas: cluster.streamReplicas,
      maxMsgsPerSubject: 64, duplicateWindowMs: 10 * 60_000, publishTimeoutMs: deps.options.publishTimeoutMs, log: deps.log,
      ...(deps.options.user ? { user: deps.options.user, pass: deps.options.pass ?? '' } : {}),
    };
    this.#replicator = new JetStreamReplicator(replicatorOptions, (message) => this.#receive(message, cluster), () => this.#applier.appliedSeq);
    this.#confirmer = new VersionConfirmer({
      identity: deps.identity, rootKey: deps.rootKey, store: deps.store, directory: deps.directory, applier: deps.applier, regionNames: cluster.regionNames,
      readLast: (subjects) => this.#replicator.readLastWithQuorum(subjects),
      decode: (data) => decodeChange(data, (region) => cluster.regions.get(region)?.signing),
      log: deps.log.child({ part: 'confirmer' }),
    });
    this.#audit = new CutOffAudit({
      takeCutWindows: () => this.#replicator.takeCutWindows(), readSeqs: (seqs) => this.#replicator.readSeqsWithQuorum(seqs),
      repairSubject: (subject) => this.#confirmer.repairSubject(subject), log: deps.log.child({ part: 'audit' }),
      decode: (data) => decodeChange(data, (region) => cluster.regions.get(region)?.signing),
    });
    deps.applier.onApplied((change) => this.#audit.note(change.seq, change.subject, change.envelope.changeId));
  }

  get rejectedChanges(): number {
    return this.#rejected;
  }

  /** Loads what was confirmed before a restart (before the data plane serves), then starts consuming. */
  async start(): Promise<void> {
    await this.#confirmer.load();
    this.#confirmer.start();
    this.#replicator.start();
    this.#auditTimer = setInterval(() => void this.#audit.tick().catch((error: unknown) => {
      this.#log.error({ err: (error as Error).message }, 'the audit of changes applied while cut off failed; it is tried again');
    }), 1_000);
  }

  servingVersion(record: KeyRecord): number {
    return this.#confirmer.servingVersion(record);
  }

  lookUp(keyId: string): void {
    this.#confirmer.lookUp(keyId);
  }

  settle(keyId: string): Promise<void> {
    return this.#confirmer.settle(keyId, SETTLE_BEFORE_WRITE_MS);
  }

  async #receive(message: StreamMessage, cluster: ClusterConfig): Promise<{ durable: Promise<void> }> {
    let envelope: ChangeEnvelope;
    try {
      envelope = decodeChange(message.data, (region) => cluster.regions.get(region)?.signing);
    } catch (error) {
      // An unverifiable change is never applied; the cursor still moves past it so that one bad
      // message cannot stall the region.
      this.#rejected += 1;
      await this.#applier.skip(message.seq, message.publishedAtMs, `${message.subject}: ${(error as Error).message}`);
      return { durable: Promise.resolve() };
    }
    const staged = await this.#applier.stage({ seq: message.seq, subject: message.subject, envelope, publishedAtMs: message.publishedAtMs });
    return { durable: staged.durable };
  }

  async append(envelope: ChangeEnvelope, subject: string, expectedSubjectSeq: number, msgId: string): Promise<{ streamSeq: number; duplicate: boolean }> {
    const data = encodeChange(envelope, this.#identity.signingPrivate);
    const ack = await this.#replicator.publish(subject, data, expectedSubjectSeq, msgId);
    const deadline = Date.now() + this.#options.applyTimeoutMs;
    try {
      await this.#applier.waitFor(ack.seq, this.#options.applyTimeoutMs);
    } catch (cause) {
      throw new LatchkeyError('IndeterminateException', `the change is stored as stream sequence ${ack.seq} but this region has not applied it yet`, { cause });
    }
    // A new key version is answered only once the stream's quorum is seen holding it.
    if (envelope.change.kind === 'key') await this.#confirmer.confirmWrite(envelope.change.record.keyId, Math.max(0, deadline - Date.now()));
    return { streamSeq: ack.seq, duplicate: ack.duplicate };
  }

  /** The stream answered within the last few reads (one a second). */
  #streamReachable(): boolean {
    const age = this.#replicator.streamContactAgeMs;
    return age !== null && age < STREAM_CONTACT_STALE_MS;
  }

  isCurrent(): boolean {
    return this.#streamReachable() && this.#applier.appliedSeq >= (this.#replicator.knownStreamLastSeq ?? Number.POSITIVE_INFINITY);
  }

  /** Waits until this region applied the stream's last change on `subject`. */
  async catchUp(subject: string): Promise<void> {
    const seq = await this.#replicator.lastSubjectSeq(subject);
    await this.#applier.waitFor(seq, this.#options.applyTimeoutMs);
  }

  async status(): Promise<ReplicationStatus> {
    const appliedSeq = this.#applier.appliedSeq;
    const known = this.#replicator.knownStreamLastSeq;
    const last = known === null ? null : Math.max(known, appliedSeq);
    const pending = last === null ? null : last - appliedSeq;
    const published = this.#applier.lastPublishedAtMs;
    // Behind: how old the newest applied change is. Caught up: no lag. Cut off from the stream:
    // at least as long as it has not answered, since nothing newer could have been seen meanwhile.
    let lagSeconds = pending && published !== null ? Math.max(0, (this.#wallClock.nowMs() - published) / 1000) : 0;
    const contactAgeMs = this.#replicator.streamContactAgeMs;
    const streamReachable = this.#streamReachable();
    if (!streamReachable && contactAgeMs !== null) lagSeconds = Math.max(lagSeconds, contactAgeMs / 1000);
    return {
      mode: 'replicated', connected: this.#replicator.connected, streamReachable, appliedSeq, streamLastSeq: last, pending, lagSeconds,
      consumerResets: this.#replicator.consumerResets, ...this.#confirmer.status(),
    };
  }

  async close(): Promise<void> {
    this.#confirmer.close();
    if (this.#auditTimer) clearInterval(this.#auditTimer);
    await this.#replicator.close();
  }
}
