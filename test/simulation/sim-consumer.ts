/**
 * A durable pull consumer as the stream's server keeps it for one region: an ack floor (AckAll: a
 * region acknowledges everything up to the sequence it has applied), where delivery got to, and
 * redelivery from the ack floor once the ack wait has passed without progress. Messages are handed
 * out in stream order; each delivery names the sequence delivered just before it in the same fetch
 * (`prevSeq`), which is what in-order arrival of a fetch tells a real client. The network may still
 * drop, duplicate, delay or reorder deliveries in flight; the region's cursor puts them back in
 * order (see sim-region.ts).
 */
import type { ChangeEnvelope } from '@latchkey/core';
import type { SimStream } from './sim-stream.ts';

export interface Delivery {
  readonly seq: number;
  /** The sequence delivered before this one in the same fetch (the ack floor for the first). */
  readonly prevSeq: number;
  readonly subject: string;
  readonly envelope: ChangeEnvelope;
}

export class SimConsumer {
  readonly ackWaitMs: number;
  #ackFloor = 0;
  #deliveredUpTo = 0;
  #lastActivityMs = Number.NEGATIVE_INFINITY;

  constructor(ackWaitMs: number) {
    this.ackWaitMs = ackWaitMs;
  }

  get ackFloor(): number {
    return this.#ackFloor;
  }

  /** Next messages for the region; after the ack wait, starts again from the ack floor (redelivery). */
  fetch(stream: SimStream, max: number, nowMs: number): Delivery[] {
    const waiting = this.#deliveredUpTo > this.#ackFloor && nowMs - this.#lastActivityMs < this.ackWaitMs;
    const from = waiting ? this.#deliveredUpTo : this.#ackFloor;
    const messages = stream.messagesAfter(from, max);
    if (messages.length === 0) return [];
    this.#deliveredUpTo = messages.at(-1)!.seq;
    this.#lastActivityMs = nowMs;
    return messages.map((m, i) => ({ seq: m.seq, prevSeq: i === 0 ? from : messages[i - 1]!.seq, subject: m.subject, envelope: m.envelope }));
  }

  /** AckAll: everything up to `seq` is done. Late or repeated acks are harmless. */
  ack(seq: number, nowMs: number): void {
    if (seq <= this.#ackFloor) return;
    this.#ackFloor = seq;
    this.#deliveredUpTo = Math.max(this.#deliveredUpTo, seq);
    this.#lastActivityMs = nowMs;
  }

  /** Recreates the consumer to start after `seq` (a node that lost its store starts again from 0). */
  reset(seq: number): void {
    this.#ackFloor = seq;
    this.#deliveredUpTo = seq;
    this.#lastActivityMs = Number.NEGATIVE_INFINITY;
  }
}
