/**
 * One region node: its durable store, the ordered-consumer client that feeds its applier, the
 * writer and the data plane. Deliveries may arrive duplicated, late, out of order or not at all;
 * the node applies a delivery only when the client calls it the next one of the current
 * incarnation, and then at once and durably (the store's cursor is the only durable consumer
 * state, and it only moves forward). Anything else is ignored, and a hole abandons the incarnation
 * (the world then creates a new one from the cursor). New output uses confirmed versions only, a
 * key command builds only on a confirmed state of the key, a write is answered ok only once its
 * version is confirmed, and a call naming a key or version the region lacks makes it look the key
 * up (sim-confirmer.ts).
 */
import { createHash } from 'node:crypto';
import { LatchkeyError, allowedRegions, keySubject } from '@latchkey/core';
import type { KeyView } from '../checkers/types.ts';
import { OrderedConsumerClient } from './ordered-consumer-client.ts';
import type { Delivery } from './sim-consumer.ts';
import { decryptLocally, encryptLocally, type SimCiphertext } from './region-data-plane.ts';
import { RegionStore, applyToStore, type LocalKey, type MessageToApply } from './region-store.ts';
import { overtakesRogue, rogueVersions } from './rogue-delivery.ts';
import { LookUps, confirmRound, confirmedNow, type ConfirmerHost, type QuorumRead, type Suspect } from './sim-confirmer.ts';
import { writeKey, type WriteIntent, type WriteResult, type WriterHost, type WriterPort } from './region-writer.ts';

/** One delivery applied from the stream: the cursor before it and the sequence it moved to. */
export interface AppliedDelivery {
  readonly after: number;
  readonly seq: number;
}

export class SimRegion implements WriterHost, ConfirmerHost {
  readonly name: string;
  readonly deployment: readonly string[];
  readonly store = new RegionStore();
  readonly anomalies: string[] = [];
  /** How deliveries went: lets tests and coverage show which cases a run met. */
  readonly deliveryStats = { gapResets: 0, stallResets: 0, repeated: 0, oldIncarnation: 0 };
  /** Stream sequences applied from deliveries, in the order applied (across restarts and wipes). */
  readonly appliedSeqs: number[] = [];
  /** The rogue changes this region applied (changes the stream does not keep): their sequence and key. */
  readonly rogueChanges: { readonly seq: number; readonly keyId: string }[] = [];
  /** Stream changes that moved a key's current version while a rogue secret was held under another number. */
  readonly overtakenRogue: string[] = [];
  /** Divergences seen once, waiting to be seen again (volatile, like the confirmer's memory). */
  readonly suspects = new Map<string, Suspect>();
  readonly confirmStats = {
    repairs: 0, divergences: 0, lookUpRepairs: 0, unconfirmedWrites: 0, writesRefusedUnconfirmed: 0, rogueWritesStopped: 0, olderVersionServed: 0, unavailable: 0,
  };
  /** Volatile, like the node's: look-ups asked for by the data plane, and when each key was last asked for. */
  lookUps = new LookUps();
  /** Volatile: a restart loses it, and the node follows a new incarnation from its cursor. */
  client = new OrderedConsumerClient();

  constructor(name: string, deployment: readonly string[]) {
    this.name = name;
    this.deployment = deployment;
  }

  /** Applies a change from the stream (delivered, or read by the writer). */
  applyMessage(message: MessageToApply): void {
    const overtaken = overtakesRogue(this.store, this.name, message);
    if (overtaken !== null) this.overtakenRogue.push(overtaken);
    this.anomalies.push(...applyToStore(this.store, this.name, this.deployment, message));
  }

  reportAnomaly(anomaly: string): void {
    this.anomalies.push(anomaly);
  }

  /** Takes deliveries in, in arrival order; applies the ones that come next and returns them. */
  receive(deliveries: readonly Delivery[], nowMs: number): AppliedDelivery[] {
    const applied: AppliedDelivery[] = [];
    for (const delivery of deliveries) {
      const arrival = this.client.arrive(delivery, nowMs);
      if (arrival === 'gap') this.deliveryStats.gapResets += 1;
      if (arrival === 'repeated') this.deliveryStats.repeated += 1;
      if (arrival === 'old-incarnation') this.deliveryStats.oldIncarnation += 1;
      if (arrival !== 'next') continue;
      const after = this.store.cursor;
      if (delivery.seq <= after) {
        // An incarnation starts after the cursor, so this would be a fault of the simulated consumer.
        this.anomalies.push(`${this.name}: ${delivery.consumer} delivered seq ${delivery.seq} at or below cursor ${after}`);
        continue;
      }
      this.applyMessage(delivery);
      this.store.cursor = delivery.seq;
      this.appliedSeqs.push(delivery.seq);
      applied.push({ after, seq: delivery.seq });
    }
    return applied;
  }

  /**
   * What the region's own server hands it while cut off from the stream's quorum: first the rest of
   * what that server holds (the stream's messages up to the moment the region lost the quorum), in
   * order, then a change the stream does not keep. Each is applied like a delivery and the cursor
   * moves to its sequence. The consumer that server served is gone after the heal: the client
   * follows none.
   */
  applyFromOwnServer(held: readonly MessageToApply[], rogue: (store: RegionStore) => MessageToApply | null): AppliedDelivery[] {
    const applied: AppliedDelivery[] = [];
    for (const message of held) {
      const after = this.store.cursor;
      this.applyMessage(message);
      this.store.cursor = message.seq;
      this.appliedSeqs.push(message.seq);
      applied.push({ after, seq: message.seq });
    }
    this.client.abandon();
    const message = rogue(this.store);
    if (message === null) return applied;
    const after = this.store.cursor;
    this.anomalies.push(...applyToStore(this.store, this.name, this.deployment, message));
    const keyId = message.subject.slice(keySubject('').length);
    const local = this.store.keys.get(keyId);
    if (local !== undefined) this.store.keys.set(keyId, { ...local, rogue: true });
    this.store.cursor = message.seq;
    this.rogueChanges.push({ seq: message.seq, keyId });
    return [...applied, { after, seq: message.seq }];
  }

  /** The watchdog gave up on a stalled incarnation. */
  stallReset(): void {
    this.deliveryStats.stallResets += 1;
    this.client.abandon();
  }

  /** A crash and restart: the store (and its cursor) survives, the consumer client does not. */
  restart(): void {
    this.client = new OrderedConsumerClient();
    this.suspects.clear();
    this.lookUps = new LookUps();
  }

  /** Loses the disk: the node must rebuild from the stream alone. */
  wipe(): void {
    this.restart();
    this.store.wipe();
  }

  /**
   * A write is answered ok only once the key's current version is confirmed here (the node's
   * `confirmWrite`); otherwise it stays indeterminate, as the node answers at its deadline.
   */
  write(port: WriterPort, intent: WriteIntent): WriteResult {
    const result = writeKey(this, port, intent);
    if (result.outcome === 'fail' && result.error.code === 'KeyUnavailableException') this.#refused(port, intent.keyId);
    if (result.outcome !== 'ok' || confirmedNow(this, intent.keyId, port.subjectMessages, port.nowMs())) return result;
    this.confirmStats.unconfirmedWrites += 1;
    const error = new LatchkeyError('IndeterminateException', `the change to ${intent.keyId} is on the stream but its quorum could not be shown to hold it yet`);
    return { outcome: 'indeterminate', error };
  }

  /** A key command refused until the key is confirmed; noted apart when it would have passed compare-and-set on a rogue state. */
  #refused(port: WriterPort, keyId: string): void {
    this.confirmStats.writesRefusedUnconfirmed += 1;
    const local = this.store.keys.get(keyId);
    if (local === undefined || rogueVersions(local).length === 0) return;
    if (port.subjectMessages(keySubject(keyId))?.at(-1)?.seq === local.subjectSeq) this.confirmStats.rogueWritesStopped += 1;
  }

  /** Before a key command builds on this region's state of the key (the node's `settle`). */
  settle(keyId: string, port: WriterPort): boolean {
    return confirmedNow(this, keyId, port.subjectMessages, port.nowMs());
  }

  /** The confirmer's timer: looks up what the data plane missed, then checks every key waiting here against a quorum read. */
  confirm(read: QuorumRead, nowMs: number): void {
    confirmRound(this, read, nowMs);
  }

  encrypt(keyId: string, plaintext: string, ciphertextId: string, nowMs: number): SimCiphertext {
    try {
      const ciphertext = encryptLocally(this.store, this.name, this.deployment, keyId, plaintext, ciphertextId, (missing) => this.lookUps.ask(missing, nowMs));
      if (ciphertext.keyVersion < this.store.keys.get(keyId)!.record.currentVersion) this.confirmStats.olderVersionServed += 1;
      return ciphertext;
    } catch (thrown) {
      if ((thrown as LatchkeyError).code === 'KeyUnavailableException') this.confirmStats.unavailable += 1;
      throw thrown;
    }
  }

  decrypt(ciphertext: SimCiphertext, nowMs: number): string {
    return decryptLocally(this.store, this.name, this.deployment, ciphertext, (missing) => this.lookUps.ask(missing, nowMs));
  }

  views(): KeyView[] {
    return [...this.store.keys.values()].map((local) => viewOf(local, this.deployment));
  }

  /** Per-key state digests, as a node's digest endpoint would expose them. */
  digests(): Record<string, string> {
    return Object.fromEntries([...this.store.keys.entries()].map(([keyId, local]) => [keyId, digestOf(local)]));
  }
}

export function viewOf(local: LocalKey, deployment: readonly string[]): KeyView {
  const held = [...local.material.values()].sort((a, b) => a.keyVersion - b.keyVersion);
  const { record } = local;
  return {
    keyId: record.keyId,
    keyState: record.keyState,
    allowedRegions: [...allowedRegions(record, deployment)],
    currentVersion: record.currentVersion,
    minDecryptionVersion: record.minDecryptionVersion,
    revision: record.revision,
    heldVersions: held.map((m) => m.keyVersion),
    materialIds: Object.fromEntries(held.map((m) => [m.keyVersion, m.materialId])),
  };
}

/** JSON with sorted object keys, so equal states give equal digests whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function digestOf(local: LocalKey): string {
  const material = [...local.material.values()].sort((a, b) => a.keyVersion - b.keyVersion).map((m) => [m.keyVersion, m.materialId]);
  return createHash('sha256').update(canonical({ record: local.record, material })).digest('hex');
}
