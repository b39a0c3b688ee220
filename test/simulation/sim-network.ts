/**
 * The simulated network between each region's node and the stream. Per region: the node's link to
 * the stream can be cut (the node cannot publish, fetch or ack; the data plane is unaffected) and
 * the region can be isolated (its link is cut and its NATS server leaves the cluster, which costs
 * quorum once a majority is gone). Deliveries in flight to a region can be dropped, duplicated,
 * delayed and reordered. A publish can be armed to misbehave once: its request is lost (timeout,
 * nothing stored), or its reply is lost after the stream stored it (timeout, indeterminate), with
 * or without the link dying right after, or it is answered and the stream's leader election starts
 * right after (no quorum until it ends, so the write cannot be confirmed yet). A cut loses everything in flight, as a dead TCP
 * connection does.
 */
import type { Delivery } from './sim-consumer.ts';

export type PublishFault = 'lose-request' | 'lose-reply' | 'lose-reply-then-cut' | 'election-after-ack';

interface InFlight {
  readonly delivery: Delivery;
  readonly notBeforeMs: number;
}

interface Link {
  cut: boolean;
  isolated: boolean;
  inFlight: InFlight[];
  fault: PublishFault | null;
}

export class SimNetwork {
  readonly regions: readonly string[];
  readonly #links = new Map<string, Link>();
  /** A stream leader election in progress: no quorum until it ends, whatever the links. */
  #electing = false;

  constructor(regions: readonly string[]) {
    this.regions = regions;
    for (const region of regions) this.#links.set(region, { cut: false, isolated: false, inFlight: [], fault: null });
  }

  #link(region: string): Link {
    return this.#links.get(region)!;
  }

  reachable(region: string): boolean {
    const link = this.#link(region);
    return !link.cut && !link.isolated;
  }

  /** A majority of the regions' NATS servers can still talk to each other, and no election is running. */
  hasQuorum(): boolean {
    const inCluster = this.regions.filter((r) => !this.#link(r).isolated).length;
    return !this.#electing && inCluster * 2 > this.regions.length;
  }

  setElecting(electing: boolean): void {
    this.#electing = electing;
  }

  cut(region: string): void {
    const link = this.#link(region);
    link.cut = true;
    link.inFlight = [];
  }

  isolate(region: string): void {
    this.cut(region);
    this.#link(region).isolated = true;
  }

  heal(region: string): void {
    const link = this.#link(region);
    link.cut = false;
    link.isolated = false;
  }

  healAll(): void {
    for (const region of this.regions) {
      this.heal(region);
      this.#link(region).fault = null;
    }
    this.#electing = false;
  }

  armPublishFault(region: string, fault: PublishFault): void {
    this.#link(region).fault = fault;
  }

  /** The armed fault, consumed by the publish it hits. */
  takePublishFault(region: string): PublishFault | null {
    const link = this.#link(region);
    const fault = link.fault;
    link.fault = null;
    return fault;
  }

  send(region: string, deliveries: readonly Delivery[], nowMs: number): void {
    if (!this.reachable(region)) return;
    this.#link(region).inFlight.push(...deliveries.map((delivery) => ({ delivery, notBeforeMs: nowMs })));
  }

  inFlightCount(region: string): number {
    return this.#link(region).inFlight.length;
  }

  drop(region: string, index: number): void {
    const queue = this.#link(region).inFlight;
    if (queue.length > 0) queue.splice(index % queue.length, 1);
  }

  duplicate(region: string, index: number): void {
    const queue = this.#link(region).inFlight;
    if (queue.length > 0) queue.push(queue[index % queue.length]!);
  }

  /** Moves one delivery to the front: any permutation is a sequence of these. */
  reorder(region: string, index: number): void {
    const queue = this.#link(region).inFlight;
    if (queue.length > 1) queue.unshift(...queue.splice(index % queue.length, 1));
  }

  delay(region: string, index: number, delayMs: number, nowMs: number): void {
    const queue = this.#link(region).inFlight;
    if (queue.length === 0) return;
    const i = index % queue.length;
    queue[i] = { delivery: queue[i]!.delivery, notBeforeMs: nowMs + delayMs };
  }

  /** Hands the region up to `max` deliveries that are due, in queue order. */
  receive(region: string, max: number, nowMs: number): Delivery[] {
    const link = this.#link(region);
    if (!this.reachable(region)) return [];
    const taken: Delivery[] = [];
    link.inFlight = link.inFlight.filter((item) => {
      if (taken.length >= max || item.notBeforeMs > nowMs) return true;
      taken.push(item.delivery);
      return false;
    });
    return taken;
  }

  /** A node restart drops its connection, and with it everything in flight. */
  resetConnection(region: string): void {
    this.#link(region).inFlight = [];
  }
}
