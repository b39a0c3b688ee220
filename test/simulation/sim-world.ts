/**
 * The simulated deployment: one stream, one node per region with its current ordered consumer,
 * the network between them and one clock. Everything is driven by explicit calls (a schedule), so
 * a run is a pure function of its schedule: no timers, no Math.random, no real time.
 */
import type { KeyObservation } from '../checkers/types.ts';
import type { HistoryEntry } from './history.ts';
import type { SimCiphertext } from './region-data-plane.ts';
import type { PublishAttemptReply, WriterPort } from './region-writer.ts';
import { ROGUE_MATERIAL_PREFIX, carriesRogueSecret, rogueRotation } from './rogue-delivery.ts';
import { LOOKUP_EVERY_MS, needsConfirmation } from './sim-confirmer.ts';
import { SimConsumer } from './sim-consumer.ts';
import { skippedMessages } from './skipped-messages.ts';
import { SimNetwork } from './sim-network.ts';
import { SimRegion } from './sim-region.ts';
import { SimStream, type PublishRequest, type StoredMessage } from './sim-stream.ts';

export interface WorldConfig {
  readonly regions: readonly string[];
  readonly maxMsgsPerSubject: number;
  readonly duplicateWindowMs: number;
  /** The watchdog re-creates a consumer that delivered nothing for this long while the stream was ahead. */
  readonly stallMs: number;
  readonly fetchBatch: number;
  readonly startMs: number;
}

export const REGION_NAMES = ['us-east', 'eu-west', 'ap-south', 'sa-east', 'af-south'] as const;

export function worldConfig(regionCount: number, overrides: Partial<WorldConfig> = {}): WorldConfig {
  return {
    regions: REGION_NAMES.slice(0, regionCount),
    maxMsgsPerSubject: 3,
    duplicateWindowMs: 120_000,
    stallMs: 5_000,
    fetchBatch: 8,
    startMs: Date.UTC(2026, 0, 1),
    ...overrides,
  };
}

/** A retry budget for a client: an indeterminate write may be retried with its change id while this holds. */
export interface RetryableWrite {
  readonly entry: HistoryEntry;
  readonly retry: (world: SimWorld, region: string) => void;
}

export class SimWorld {
  readonly config: WorldConfig;
  readonly stream: SimStream;
  readonly network: SimNetwork;
  /** Each region's current consumer incarnation; absent until the node creates one. */
  readonly consumers = new Map<string, SimConsumer>();
  readonly regions = new Map<string, SimRegion>();
  readonly history: HistoryEntry[] = [];
  readonly ciphertexts: SimCiphertext[] = [];
  readonly observations: KeyObservation[] = [];
  /** Observations of a key state that came from a rogue delivery (not the stream's state). */
  readonly rogueObservations = new Set<KeyObservation>();
  readonly retryable: RetryableWrite[] = [];
  /** Look-ups the read-back after heal made regions ask for, as `region/keyId` (rogue-gaps.ts). */
  readonly readBackLookUps = new Set<string>();
  /** Every publish attempt and what the writer saw, for scenarios that assert on the wire. */
  readonly publishLog: { readonly region: string; readonly msgId: string; readonly reply: string }[] = [];
  /** Key ids clients know of: created ok or indeterminate (a client may guess the rest). */
  readonly knownKeys: string[] = [];
  nowMs: number;
  step = 0;
  #counter = 0;
  #incarnations = 0;
  readonly #lastObserved = new Map<string, string>();
  /** Per region, the stream's last sequence when it last saw the region in contact: what the region's own server holds. */
  readonly #serverSeq = new Map<string, number>();

  constructor(config: WorldConfig) {
    this.config = config;
    this.nowMs = config.startMs;
    this.stream = new SimStream({ maxMsgsPerSubject: config.maxMsgsPerSubject, duplicateWindowMs: config.duplicateWindowMs });
    this.network = new SimNetwork(config.regions);
    for (const name of config.regions) this.regions.set(name, new SimRegion(name, config.regions));
  }

  region(name: string): SimRegion {
    return this.regions.get(name)!;
  }

  /** A fresh, deterministic name for ids, material and plaintexts. */
  nextId(prefix: string): string {
    this.#counter += 1;
    return `${prefix}-${this.#counter}`;
  }

  advance(ms: number): void {
    this.nowMs += ms;
  }

  /** The stream serves only with a quorum of the cluster; recomputed after every network change. */
  refreshQuorum(): void {
    this.stream.setAvailable(this.network.hasQuorum());
    this.#noteContact();
  }

  /** Regions in contact with the stream's quorum have everything it stored on their own server. */
  #noteContact(): void {
    if (!this.stream.available) return;
    for (const region of this.config.regions) if (this.network.reachable(region)) this.#serverSeq.set(region, this.stream.lastSeq);
  }

  publish(region: string, request: PublishRequest): PublishAttemptReply {
    const reply = this.#publishThroughLink(region, request);
    const seen = reply.kind === 'ack' && reply.duplicate ? 'duplicate' : reply.kind;
    if (seen !== 'duplicate' && this.stream.everStored().at(-1)?.msgId === request.msgId && carriesRogueSecret(request.envelope)) {
      // A write built on a rogue state must never land (a key command settles first).
      this.region(region).reportAnomaly(`${region}: wrote ${request.msgId} on top of a rogue state and it landed, carrying a rogue secret`);
    }
    this.publishLog.push({ region, msgId: request.msgId, reply: seen });
    return reply;
  }

  #publishThroughLink(region: string, request: PublishRequest): PublishAttemptReply {
    // A node that knows its connection is down does not send: a definite failure, not a timeout.
    if (!this.network.reachable(region)) return { kind: 'unavailable' };
    const fault = this.network.takePublishFault(region);
    if (fault === 'lose-request') return { kind: 'timeout' };
    const reply = this.stream.publish(request, this.nowMs);
    this.#noteContact();
    if (fault === 'lose-reply-then-cut') this.network.cut(region);
    if (fault === 'election-after-ack') {
      // The reply arrives, then the stream loses its leader: the write cannot be confirmed yet.
      this.network.setElecting(true);
      this.refreshQuorum();
      return reply;
    }
    return fault === null ? reply : { kind: 'timeout' };
  }

  /** Reads of the stream (ordered consumer on one subject) need the link and a stream leader. */
  subjectMessages(region: string, subject: string): readonly StoredMessage[] | null {
    if (!this.network.reachable(region) || !this.stream.available) return null;
    return this.stream.subjectMessages(subject);
  }

  port(region: string): WriterPort {
    return {
      nowMs: () => this.nowMs,
      newMaterialId: () => this.nextId(`mat.${region}`),
      publish: (request) => this.publish(region, request),
      subjectMessages: (subject) => this.subjectMessages(region, subject),
    };
  }

  /**
   * The node's client creates a consumer when it follows none (at start, after a gap, a stall or a
   * restart), starting right after its durable cursor. Creating one needs the link and the stream.
   */
  #ensureConsumer(region: string): SimConsumer | null {
    const node = this.region(region);
    if (node.client.consumer !== null) return this.consumers.get(region)!;
    if (!this.network.reachable(region) || !this.stream.available) return null;
    this.#incarnations += 1;
    const consumer = new SimConsumer(`${region}#${this.#incarnations}`, node.store.cursor + 1);
    this.consumers.set(region, consumer);
    node.client.follow(consumer.name, this.nowMs);
    return consumer;
  }

  /** The consumer hands its next messages to the network (a pull request answered). */
  pull(region: string, max = this.config.fetchBatch): void {
    if (!this.network.reachable(region) || !this.stream.available) return;
    const consumer = this.#ensureConsumer(region);
    if (consumer !== null) this.network.send(region, consumer.next(this.stream, max), this.nowMs);
  }

  /** The region takes what arrived and applies what comes next; after a gap its client starts a new consumer. */
  deliver(region: string, max: number): void {
    const node = this.region(region);
    const applied = node.receive(this.network.receive(region, max, this.nowMs), this.nowMs);
    for (const anomaly of skippedMessages(this.stream, applied)) node.reportAnomaly(`${region}: ${anomaly}`);
    this.#ensureConsumer(region);
  }

  /**
   * The node's watchdog (and the client's missed-heartbeat check): when the stream is ahead of the
   * cursor and the current consumer delivered nothing for `stallMs`, it is re-created from the
   * cursor. Reading the stream's last sequence needs the link and the stream.
   */
  watchdog(region: string): void {
    if (!this.network.reachable(region) || !this.stream.available) return;
    const node = this.region(region);
    if (!node.client.stalled(node.store.cursor, this.stream.lastSeq, this.nowMs, this.config.stallMs)) return;
    node.stallReset();
    this.#ensureConsumer(region);
  }

  /** The region's confirmer checks its waiting keys with quorum reads (nothing happens without a quorum). */
  confirm(region: string): void {
    this.region(region).confirm((subject) => this.subjectMessages(region, subject), this.nowMs);
  }

  /**
   * Fault: the region's own server, leading the stream while cut off from its quorum, hands it what
   * it holds and then a rotation the stream never keeps (rogue-delivery.ts), at the sequence after
   * the last it holds, which the stream's quorum gives (or gave) to another message. Only a region
   * cut off from the stream's quorum can be handed one. The guard still checks every move: a rogue
   * change takes the place of the stream's message at its own sequence, and skips none below it.
   */
  rogueDelivery(region: string, keyIndex: number): void {
    if (this.network.reachable(region) && this.stream.available) return;
    const node = this.region(region);
    const serverSeq = this.#serverSeq.get(region) ?? 0;
    const held = this.stream.everStored().filter((m) => m.seq > node.store.cursor && m.seq <= serverSeq);
    const ids = { materialId: this.nextId(`${ROGUE_MATERIAL_PREFIX}${region}`), changeId: this.nextId('rogue') };
    const applied = node.applyFromOwnServer(held, (store) => rogueRotation(store, region, this.config.regions, keyIndex, this.nowMs, ids));
    for (const anomaly of skippedMessages(this.stream, applied)) node.reportAnomaly(`${region}: ${anomaly}`);
  }

  /** A healthy round for one region: fetch a batch, take in everything that is due, confirm. */
  replicate(region: string): void {
    this.pull(region);
    this.deliver(region, Number.MAX_SAFE_INTEGER);
    this.confirm(region);
  }

  /** Restart of a node: its connection and consumer client are gone; its store and cursor stay. */
  restart(region: string): void {
    this.region(region).restart();
    this.network.resetConnection(region);
  }

  /** A node that lost its disk starts over from an empty store and cursor 0. */
  wipe(region: string): void {
    this.region(region).wipe();
    this.network.resetConnection(region);
  }

  /** Every region applied the whole stream (a region that took a rogue sequence may be past its end). */
  caughtUp(): boolean {
    const last = this.stream.lastSeq;
    return this.config.regions.every((r) => this.region(r).store.cursor >= last);
  }

  /** Keys whose current version a region has not confirmed yet, as `region/keyId`. */
  unconfirmed(): string[] {
    return [...this.regions.values()].flatMap((r) => [...r.store.keys.keys()].filter((k) => needsConfirmation(r, k)).map((k) => `${r.name}/${k}`));
  }

  /** Look-ups the data plane asked for and the confirmer has not made yet, as `region/keyId`. */
  lookUpsWaiting(): string[] {
    return [...this.regions.values()].flatMap((r) => [...r.lookUps.waiting].map((k) => `${r.name}/${k}`));
  }

  /**
   * Heals every fault and replicates until every region has applied the whole stream and
   * confirmed (or repaired) every key it holds, and made every look-up asked for. Each round is a
   * second of simulated time; a consumer whose deliveries were lost is repaired by the next gap or,
   * with nothing after the loss, by the watchdog once `stallMs` has passed; a divergence is
   * repaired once seen twice.
   */
  healAndQuiesce(maxRounds = 500): void {
    this.network.healAll();
    this.refreshQuorum();
    const quiet = (): boolean => this.caughtUp() && this.unconfirmed().length === 0 && this.lookUpsWaiting().length === 0;
    for (let round = 0; round < maxRounds && !quiet(); round++) {
      this.advance(1_000);
      for (const region of this.config.regions) {
        this.watchdog(region);
        this.pull(region, 64);
        this.deliver(region, Number.MAX_SAFE_INTEGER);
        this.confirm(region);
      }
    }
    if (!quiet()) {
      const waiting = `unconfirmed: ${this.unconfirmed().join(', ') || 'none'}; look-ups waiting: ${this.lookUpsWaiting().join(', ') || 'none'}`;
      throw new Error(`replication did not quiesce within ${maxRounds} rounds; ${waiting}`);
    }
  }

  /**
   * After heal, clients read back: a while later (past the look-ups' rate limit), every ciphertext
   * is decrypted once in every region, and replication quiesces again. A region that answers
   * KeyUnavailable (a key, or a version, it does not hold) looks the key up meanwhile, as the node
   * does, so a client's retry can succeed; the checkers then judge fresh attempts.
   */
  readBack(): void {
    this.advance(LOOKUP_EVERY_MS);
    for (const ciphertext of this.ciphertexts) {
      for (const region of this.regions.values()) {
        try {
          region.decrypt(ciphertext, this.nowMs);
        } catch {
          // Judged afterwards, on the retry.
        }
      }
    }
    for (const region of this.regions.values()) for (const keyId of region.lookUps.waiting) this.readBackLookUps.add(`${region.name}/${keyId}`);
    this.healAndQuiesce();
  }

  /** Records each region's view of each key when it changed since the last observation. */
  observe(): void {
    for (const region of this.regions.values()) {
      for (const view of region.views()) {
        const id = `${region.name}/${view.keyId}`;
        const signature = `${view.revision}|${view.keyState}|${view.heldVersions.join(',')}`;
        if (this.#lastObserved.get(id) === signature) continue;
        this.#lastObserved.set(id, signature);
        const observation = { ...view, region: region.name, at: this.step };
        this.observations.push(observation);
        if (region.store.keys.get(view.keyId)?.rogue === true) this.rogueObservations.add(observation);
      }
    }
  }
}
