/**
 * The region's side of the ordered consumer (what nats.js keeps in the node process): which
 * incarnation it follows, the delivery sequence it expects next and when a delivery last arrived.
 * It sorts each arriving delivery: the next one of the current incarnation is handed to the node;
 * one of an abandoned incarnation, or a repeat, is ignored; one past a hole (a delivery lost,
 * delayed or overtaken in transit) abandons the incarnation, so that nothing after the hole is
 * ever handed over. Whoever owns the client then creates a new incarnation from the cursor.
 */
import type { Delivery } from './sim-consumer.ts';

export type Arrival = 'next' | 'old-incarnation' | 'repeated' | 'gap';

export class OrderedConsumerClient {
  #consumer: string | null = null;
  #lastDeliverySeq = 0;
  #lastDeliveryMs = Number.NEGATIVE_INFINITY;

  /** The incarnation followed, or null when there is none (never created, abandoned, or lost in a restart). */
  get consumer(): string | null {
    return this.#consumer;
  }

  /** Follows a freshly created incarnation; its creation counts as activity for the stall check. */
  follow(name: string, nowMs: number): void {
    this.#consumer = name;
    this.#lastDeliverySeq = 0;
    this.#lastDeliveryMs = nowMs;
  }

  /** Throws the current incarnation away; its deliveries still in flight will be ignored. */
  abandon(): void {
    this.#consumer = null;
  }

  arrive(delivery: Delivery, nowMs: number): Arrival {
    if (delivery.consumer !== this.#consumer) return 'old-incarnation';
    if (delivery.deliverySeq <= this.#lastDeliverySeq) return 'repeated';
    if (delivery.deliverySeq !== this.#lastDeliverySeq + 1) {
      this.abandon();
      return 'gap';
    }
    this.#lastDeliverySeq = delivery.deliverySeq;
    this.#lastDeliveryMs = nowMs;
    return 'next';
  }

  /** The watchdog's condition: following an incarnation, the stream is ahead, and nothing arrived for `stallMs`. */
  stalled(cursor: number, streamLastSeq: number, nowMs: number, stallMs: number): boolean {
    return this.#consumer !== null && streamLastSeq > cursor && nowMs - this.#lastDeliveryMs >= stallMs;
  }
}
