/**
 * The replicated change log: appends are signed, published to JetStream with compare-and-set on
 * the subject's last sequence and a msg-id, and acknowledged once the local consumer applied them.
 * Incoming changes are verified against the pinned region keys before the applier sees them.
 */
import { createHash } from 'node:crypto';
import { LatchkeyError, keySubject, sameKeyChange, type ChangeEnvelope, type Clock } from '@latchkey/core';
import { JetStreamReplicator, decodeChange, encodeChange, type ReplicatorOptions, type StreamMessage } from '@latchkey/replication';
import type { Logger } from 'pino';
import type { ChangeApplier } from './change-applier.ts';
import type { ChangeLog, ReplicationStatus } from './change-log.ts';
import type { ClusterConfig } from './cluster-config.ts';
import type { KeyDirectory } from './key-directory.ts';
import type { RegionIdentity } from './region-identity.ts';

/** No answer from the stream for this long (it is read once a second): the region is cut off. */
const STREAM_CONTACT_STALE_MS = 3_500;
/** Anti-entropy sweeps run at least this often while the region is current. */
const SWEEP_INTERVAL_MS = 5 * 60_000;

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
  readonly #cluster: ClusterConfig;
  readonly #directory: KeyDirectory;
  #sweeper: NodeJS.Timeout | null = null;
  #rejected = 0;

  constructor(deps: { applier: ChangeApplier; identity: RegionIdentity; cluster: ClusterConfig; directory: KeyDirectory; options: JetStreamLogOptions; wallClock: Clock; log: Logger }) {
    this.#applier = deps.applier;
    this.#directory = deps.directory;
    this.#identity = deps.identity;
    this.#options = deps.options;
    this.#wallClock = deps.wallClock;
    this.#log = deps.log;
    const cluster = deps.cluster;
    this.#cluster = cluster;
    const replicatorOptions: ReplicatorOptions = {
      servers: deps.options.servers, region: deps.identity.region, streamName: deps.options.streamName, replicas: cluster.streamReplicas,
      maxMsgsPerSubject: 64, duplicateWindowMs: 10 * 60_000, publishTimeoutMs: deps.options.publishTimeoutMs, log: deps.log,
      ...(deps.options.user ? { user: deps.options.user, pass: deps.options.pass ?? '' } : {}),
    };
    this.#replicator = new JetStreamReplicator(replicatorOptions, (message) => this.#receive(message, cluster), () => this.#applier.appliedSeq);
  }

  get rejectedChanges(): number {
    return this.#rejected;
  }

  start(): void {
    this.#replicator.start();
    this.#scheduleSweeps();
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
    try {
      await this.#applier.waitFor(ack.seq, this.#options.applyTimeoutMs);
    } catch (cause) {
      throw new LatchkeyError('IndeterminateException', `the change is stored as stream sequence ${ack.seq} but this region has not applied it yet`, { cause });
    }
    return { streamSeq: ack.seq, duplicate: ack.duplicate };
  }

  /**
   * Waits until this region applied the stream's last change on `subject`; then, if its own view of
   * the subject still differs (it applied a change there the stream does not hold, or its cursor
   * passed the stream's change without it: a divergence after a stream failure), applies the
   * stream's change over its own, loudly.
   */
  async catchUp(subject: string): Promise<void> {
    const last = await this.#replicator.lastOnSubject(subject);
    const seq = last?.seq ?? 0;
    await this.#applier.waitFor(seq, this.#options.applyTimeoutMs);
    const local = await this.#applier.subjectSeq(subject);
    if (local === seq && (!last || !subject.startsWith('kms.key.'))) return;
    if (!last) {
      this.#log.error({ subject, localSeq: local }, 'this region applied changes on a subject the replication stream holds nothing for');
      return;
    }
    const envelope = decodeChange(last.data, (region) => this.#cluster.regions.get(region)?.signing);
    if (local === seq) {
      // Same sequence: still the same change? (A stream that lost a change can hold another one,
      // on the same subject, at the sequence this region applied.)
      const change = envelope.change;
      const mine = change.kind === 'key' ? await this.#applier.lastKeyChange(change.record.keyId) : null;
      if (change.kind !== 'key' || (mine !== null && sameKeyChange(mine, change, this.#identity.region))) return;
    }
    this.#log.error({ subject, localSeq: local, streamSeq: seq }, 'this region disagreed with the replication stream about a subject; reconciling it with the stream');
    await this.#applier.reconcile({ seq, subject, envelope, publishedAtMs: last.publishedAtMs });
  }

  /**
   * Anti-entropy: every subject the stream holds is caught up, one after the other, so a subject
   * this region never applied, or applied differently from the stream, is reconciled. Runs once
   * the region is current again after being cut off or behind, and every few minutes; one stream
   * read per subject.
   */
  async sweep(): Promise<number> {
    const before = this.#applier.reconciledSubjects;
    const subjects = await this.#replicator.subjects();
    for (const subject of subjects) await this.catchUp(subject);
    return this.#applier.reconciledSubjects - before + (await this.#republishMissing(new Set(subjects)));
  }

  /**
   * A key this region holds whose subject the stream has nothing on: the stream lost its change (or
   * a write answered "indeterminate" was applied here and never kept by the stream). Key material
   * is never dropped silently: this region publishes the key's last change again, under its own
   * signature, with compare-and-set on an empty subject, so every region gets it back; if another
   * region did so first, the conflict is harmless.
   */
  async #republishMissing(streamSubjects: ReadonlySet<string>): Promise<number> {
    let republished = 0;
    for (const record of [...this.#directory.keys()]) {
      const subject = keySubject(record.keyId);
      if (streamSubjects.has(subject)) continue;
      const change = await this.#applier.lastKeyChange(record.keyId);
      if (!change) continue;
      this.#log.error({ keyId: record.keyId, revision: change.record.revision }, 'this region holds a key the replication stream has no change for; publishing its last change again');
      const envelope: ChangeEnvelope = { formatVersion: 1, change, origin: this.#identity.region, changeId: `republish-${record.keyId}-${change.record.revision}`, createdAtMs: this.#wallClock.nowMs() };
      try {
        await this.append(envelope, subject, 0, createHash('sha256').update(`latchkey/republish/v1\0${record.keyId}\0${change.record.revision}`).digest('hex'));
        republished += 1;
      } catch (error) {
        if (!(error instanceof LatchkeyError) || error.code !== 'ConflictException') throw error;
      }
    }
    return republished;
  }

  #scheduleSweeps(): void {
    let wasCurrent = false;
    let lastSweepMs = Date.now();
    let resetsSeen = 0;
    let running = false;
    this.#sweeper = setInterval(() => {
      const current = this.isCurrent();
      // Also after the consumer had to be re-created: deliveries were interrupted, the stream may have moved.
      const resets = this.#replicator.consumerResets;
      const due = current && (!wasCurrent || resets !== resetsSeen || Date.now() - lastSweepMs > SWEEP_INTERVAL_MS);
      wasCurrent = current;
      if (due) resetsSeen = resets;
      if (!due || running) return;
      running = true;
      lastSweepMs = Date.now();
      this.sweep()
        .then((repaired) => {
          if (repaired > 0) this.#log.error({ repaired }, 'anti-entropy sweep reconciled subjects with the stream');
        })
        .catch((error: unknown) => this.#log.warn({ err: (error as Error).message }, 'anti-entropy sweep failed; retrying later'))
        .finally(() => {
          running = false;
        });
    }, 2000);
    this.#sweeper.unref();
  }

  /** The stream answered within the last few reads (one a second). */
  #streamReachable(): boolean {
    const age = this.#replicator.streamContactAgeMs;
    return age !== null && age < STREAM_CONTACT_STALE_MS;
  }

  isCurrent(): boolean {
    return this.#streamReachable() && this.#applier.appliedSeq >= (this.#replicator.knownStreamLastSeq ?? Number.POSITIVE_INFINITY);
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
      consumerResets: this.#replicator.consumerResets,
    };
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    await this.#replicator.close();
  }
}
