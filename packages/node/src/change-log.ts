/**
 * Where control-plane writes go. A change is appended to the log with compare-and-set on its
 * subject and is acknowledged only once this region has applied it (read-your-writes). The
 * standalone log applies directly; the replicated log goes through JetStream (change-log-jetstream.ts).
 */
import { LatchkeyError, type ChangeEnvelope, type Clock } from '@latchkey/core';
import type { ChangeApplier } from './change-applier.ts';

export interface ReplicationStatus {
  readonly mode: 'standalone' | 'replicated';
  readonly connected: boolean;
  readonly appliedSeq: number;
  readonly streamLastSeq: number | null;
  readonly pending: number | null;
  readonly lagSeconds: number;
}

export interface ChangeLog {
  readonly mode: 'standalone' | 'replicated';
  append(envelope: ChangeEnvelope, subject: string, expectedSubjectSeq: number, msgId: string): Promise<{ streamSeq: number; duplicate: boolean }>;
  /** Makes sure this region has applied the latest change on `subject` (after a conflict). */
  catchUp(subject: string): Promise<void>;
  status(): Promise<ReplicationStatus>;
  close(): Promise<void>;
}

/** One region, no stream: the sequence is the local cursor, and append applies at once. */
export class StandaloneChangeLog implements ChangeLog {
  readonly mode = 'standalone' as const;
  readonly #applier: ChangeApplier;
  readonly #wallClock: Clock;
  readonly #recentIds = new Map<string, number>();

  constructor(applier: ChangeApplier, wallClock: Clock) {
    this.#applier = applier;
    this.#wallClock = wallClock;
  }

  async append(envelope: ChangeEnvelope, subject: string, expectedSubjectSeq: number, msgId: string): Promise<{ streamSeq: number; duplicate: boolean }> {
    const earlier = this.#recentIds.get(msgId);
    if (earlier !== undefined) return { streamSeq: earlier, duplicate: true };
    if ((await this.#applier.subjectSeq(subject)) !== expectedSubjectSeq) {
      throw new LatchkeyError('ConflictException', 'the item changed concurrently');
    }
    const streamSeq = this.#applier.appliedSeq + 1;
    await this.#applier.apply({ seq: streamSeq, subject, envelope, publishedAtMs: this.#wallClock.nowMs() });
    this.#recentIds.set(msgId, streamSeq);
    if (this.#recentIds.size > 10_000) this.#recentIds.delete(this.#recentIds.keys().next().value as string);
    return { streamSeq, duplicate: false };
  }

  async catchUp(): Promise<void> {
    // Nothing to catch up with: every change is applied when appended.
  }

  async status(): Promise<ReplicationStatus> {
    const seq = this.#applier.appliedSeq;
    return { mode: 'standalone', connected: true, appliedSeq: seq, streamLastSeq: seq, pending: 0, lagSeconds: 0 };
  }

  async close(): Promise<void> {}
}
