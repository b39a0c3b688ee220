/**
 * A simulated JetStream stream with the semantics the replication design relies on: one global
 * sequence; per-subject last sequence with compare-and-set (a publish whose expected last subject
 * sequence does not match fails, like API error 10071); msg-id de-duplication within a time window,
 * checked BEFORE the expectation as nats-server does, so a retry of a landed publish gets the
 * original sequence back; a bounded history per subject (max_msgs_per_subject, oldest dropped); and
 * no service at all while the stream has no quorum. It keeps an audit log of every message ever
 * stored, which the checkers read (a real stream forgets purged messages).
 */
import type { ChangeEnvelope } from '@latchkey/core';

export interface StreamOptions {
  readonly maxMsgsPerSubject: number;
  readonly duplicateWindowMs: number;
}

export interface PublishRequest {
  readonly subject: string;
  readonly envelope: ChangeEnvelope;
  readonly msgId: string;
  /** Nats-Expected-Last-Subject-Sequence; 0 means "no message on this subject yet". */
  readonly expectedLastSubjectSeq: number;
}

export type PublishReply =
  | { readonly kind: 'ack'; readonly seq: number; readonly duplicate: boolean }
  | { readonly kind: 'conflict'; readonly lastSubjectSeq: number }
  | { readonly kind: 'unavailable' };

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string;
  readonly envelope: ChangeEnvelope;
  readonly storedAtMs: number;
}

export class SimStream {
  readonly options: StreamOptions;
  #lastSeq = 0;
  #available = true;
  readonly #messages = new Map<number, StoredMessage>();
  readonly #bySubject = new Map<string, number[]>();
  readonly #dedup = new Map<string, { seq: number; atMs: number }>();
  readonly #log: StoredMessage[] = [];

  constructor(options: StreamOptions) {
    this.options = options;
  }

  get available(): boolean {
    return this.#available;
  }

  /** Quorum and leadership come from the cluster around the stream; the world sets them. */
  setAvailable(available: boolean): void {
    this.#available = available;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  publish(request: PublishRequest, nowMs: number): PublishReply {
    if (!this.#available) return { kind: 'unavailable' };
    this.#expireDuplicates(nowMs);
    const earlier = this.#dedup.get(request.msgId);
    if (earlier !== undefined) return { kind: 'ack', seq: earlier.seq, duplicate: true };
    const lastSubjectSeq = this.lastSubjectSeq(request.subject);
    if (request.expectedLastSubjectSeq !== lastSubjectSeq) return { kind: 'conflict', lastSubjectSeq };
    const seq = ++this.#lastSeq;
    const message: StoredMessage = { seq, subject: request.subject, msgId: request.msgId, envelope: request.envelope, storedAtMs: nowMs };
    this.#store(message);
    this.#dedup.set(request.msgId, { seq, atMs: nowMs });
    return { kind: 'ack', seq, duplicate: false };
  }

  lastSubjectSeq(subject: string): number {
    return this.#bySubject.get(subject)?.at(-1) ?? 0;
  }

  /** The retained messages of one subject, oldest first (an ordered consumer filtered on it). */
  subjectMessages(subject: string): StoredMessage[] {
    return (this.#bySubject.get(subject) ?? []).map((seq) => this.#messages.get(seq)!);
  }

  /** A retained message by sequence (a direct get); null when purged or never stored. */
  messageAt(seq: number): StoredMessage | null {
    return this.#messages.get(seq) ?? null;
  }

  /** Retained messages after `seq`, in order, at most `limit` of them. */
  messagesAfter(seq: number, limit: number): StoredMessage[] {
    const found: StoredMessage[] = [];
    for (let s = seq + 1; s <= this.#lastSeq && found.length < limit; s++) {
      const message = this.#messages.get(s);
      if (message !== undefined) found.push(message);
    }
    return found;
  }

  /** The lowest retained sequence (lastSeq + 1 when empty), as stream info's first_seq. */
  get firstSeq(): number {
    for (let s = 1; s <= this.#lastSeq; s++) if (this.#messages.has(s)) return s;
    return this.#lastSeq + 1;
  }

  /** Every message ever stored, purged ones included: the simulation's audit trail for checkers. */
  everStored(): readonly StoredMessage[] {
    return this.#log;
  }

  #store(message: StoredMessage): void {
    this.#messages.set(message.seq, message);
    this.#log.push(message);
    const seqs = [...(this.#bySubject.get(message.subject) ?? []), message.seq];
    while (seqs.length > this.options.maxMsgsPerSubject) this.#messages.delete(seqs.shift()!);
    this.#bySubject.set(message.subject, seqs);
  }

  #expireDuplicates(nowMs: number): void {
    for (const [msgId, entry] of this.#dedup) {
      if (nowMs - entry.atMs >= this.options.duplicateWindowMs) this.#dedup.delete(msgId);
    }
  }
}
