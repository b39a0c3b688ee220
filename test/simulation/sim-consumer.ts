/**
 * One incarnation of a region's ordered consumer as the stream's server keeps it: ephemeral, in
 * memory, AckPolicy None. It is created to start at a stream sequence (the region's cursor + 1) and
 * hands out the retained messages from there in stream order, numbering its deliveries 1, 2, 3, ...
 * (the consumer delivery sequence). Nothing is acknowledged and nothing is redelivered: a message
 * handed out is gone from this consumer's point of view, whatever the network does to it. Stream
 * sequences of the deliveries may skip numbers (messages purged by the per-subject limit);
 * delivery sequences never do. Each incarnation has its own name, which its deliveries carry, so
 * the client can tell a late delivery of an abandoned incarnation from a current one.
 */
import type { ChangeEnvelope } from '@latchkey/core';
import type { SimStream } from './sim-stream.ts';

export interface Delivery {
  /** The incarnation that sent it. */
  readonly consumer: string;
  /** Position in that incarnation's deliveries: 1, 2, 3, ... with no holes. */
  readonly deliverySeq: number;
  /** The stream sequence of the message. */
  readonly seq: number;
  readonly subject: string;
  readonly envelope: ChangeEnvelope;
}

export class SimConsumer {
  readonly name: string;
  /** opt_start_seq: the first stream sequence it may deliver. */
  readonly startSeq: number;
  #streamSeq: number;
  #deliverySeq = 0;

  constructor(name: string, startSeq: number) {
    this.name = name;
    this.startSeq = startSeq;
    this.#streamSeq = startSeq - 1;
  }

  /** The stream sequence handed out last (startSeq - 1 before the first delivery). */
  get deliveredUpTo(): number {
    return this.#streamSeq;
  }

  /** The next retained messages, at most `max`, each numbered with the next delivery sequence. */
  next(stream: SimStream, max: number): Delivery[] {
    return stream.messagesAfter(this.#streamSeq, max).map((m) => {
      this.#streamSeq = m.seq;
      this.#deliverySeq += 1;
      return { consumer: this.name, deliverySeq: this.#deliverySeq, seq: m.seq, subject: m.subject, envelope: m.envelope };
    });
  }
}
