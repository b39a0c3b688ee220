/**
 * Where control-plane writes go. A change is appended to the log with compare-and-set on its
 * subject and is acknowledged only once this region has applied it (read-your-writes). The
 * standalone log applies directly; the replicated log goes through JetStream (change-log-jetstream.ts).
 */
import { LatchkeyError, type ChangeEnvelope, type Clock, type KeyRecord } from '@latchkey/core';
import type { ChangeApplier } from './change-applier.ts';
import { WriteLock } from './write-lock.ts';

export interface ReplicationStatus {
  readonly mode: 'standalone' | 'replicated';
  /** Connected to a NATS server (which may itself be cut off from the stream's quorum). */
  readonly connected: boolean;
  /** The stream answered in the last few seconds; false means this region is cut off from it. */
  readonly streamReachable: boolean;
  readonly appliedSeq: number;
  readonly streamLastSeq: number | null;
  readonly pending: number | null;
  readonly lagSeconds: number;
  /** Times the replication consumer stalled and was re-created from the cursor (0 when standalone). */
  readonly consumerResets: number;
  /** Keys whose current version the stream's quorum has not been seen holding yet (version-confirmer.ts). */
  readonly unconfirmedKeys: number;
  /** Keys whose state here was found not to be the stream's, not repaired yet. */
  readonly divergentKeys: number;
  /** Keys repaired from the stream's quorum since start. */
  readonly repairs: number;
}

export interface ChangeLog {
  readonly mode: 'standalone' | 'replicated';
  append(envelope: ChangeEnvelope, subject: string, expectedSubjectSeq: number, msgId: string): Promise<{ streamSeq: number; duplicate: boolean }>;
  /** Makes sure this region has applied the latest change on `subject` (after a conflict). */
  catchUp(subject: string): Promise<void>;
  status(): Promise<ReplicationStatus>;
  /** Reached the stream recently and applied everything it held: a key unknown here does not exist. */
  isCurrent(): boolean;
  /** The key version new output uses here (KeyUnavailableException when none may be used yet). */
  servingVersion(record: KeyRecord): number;
  /** A call named a key or key version this region does not hold: look for a change this region passed over. */
  lookUp(keyId: string): void;
  /** Before a write builds on this region's state of a key: that state is the stream's (KeyUnavailableException if not shown in time). */
  settle(keyId: string): Promise<void>;
  close(): Promise<void>;
}

/** One region, no stream: the sequence is the local cursor, and append applies at once. */
export class StandaloneChangeLog implements ChangeLog {
  readonly mode = 'standalone' as const;
  readonly #applier: ChangeApplier;
  readonly #wallClock: Clock;
  readonly #recentIds = new Map<string, number>();
  /** Appends are sequenced one at a time: the sequence is the last one handed out plus one. */
  readonly #lock = new WriteLock();
  #lastSeq = 0;

  constructor(applier: ChangeApplier, wallClock: Clock) {
    this.#applier = applier;
    this.#wallClock = wallClock;
  }

  /** Decides under the lock (sequence and compare-and-set), then waits for durability outside it, so appends pipeline. */
  async append(envelope: ChangeEnvelope, subject: string, expectedSubjectSeq: number, msgId: string): Promise<{ streamSeq: number; duplicate: boolean }> {
    const appended = await this.#lock.run(async () => {
      const earlier = this.#recentIds.get(msgId);
      if (earlier !== undefined) return { streamSeq: earlier, duplicate: true, durable: this.#applier.waitFor(earlier, 60_000) };
      if ((await this.#applier.subjectSeq(subject)) !== expectedSubjectSeq) {
        throw new LatchkeyError('ConflictException', 'the item changed concurrently');
      }
      const streamSeq = Math.max(this.#lastSeq, this.#applier.appliedSeq) + 1;
      this.#lastSeq = streamSeq;
      const staged = await this.#applier.stage({ seq: streamSeq, subject, envelope, publishedAtMs: this.#wallClock.nowMs() });
      this.#recentIds.set(msgId, streamSeq);
      if (this.#recentIds.size > 10_000) this.#recentIds.delete(this.#recentIds.keys().next().value as string);
      return { streamSeq, duplicate: false, durable: staged.durable };
    });
    await appended.durable;
    return { streamSeq: appended.streamSeq, duplicate: appended.duplicate };
  }

  async catchUp(): Promise<void> {
    // Nothing to catch up with: every change is applied when appended.
  }

  async status(): Promise<ReplicationStatus> {
    const seq = this.#applier.appliedSeq;
    return {
      mode: 'standalone', connected: true, streamReachable: true, appliedSeq: seq, streamLastSeq: seq, pending: 0, lagSeconds: 0, consumerResets: 0,
      unconfirmedKeys: 0, divergentKeys: 0, repairs: 0,
    };
  }

  isCurrent(): boolean {
    return true;
  }

  lookUp(): void {
    // One region and no stream: nothing can have been passed over.
  }

  async settle(): Promise<void> {
    // One region and no stream: its state is the only one.
  }

  /** One region and no stream: every applied version is the whole truth. */
  servingVersion(record: KeyRecord): number {
    return record.currentVersion;
  }

  async close(): Promise<void> {}
}
