/**
 * One region node: its durable store, the ordered-consumer client that feeds its applier, the
 * writer and the data plane. Deliveries may arrive duplicated, late, out of order or not at all;
 * the node applies a delivery only when the client calls it the next one of the current
 * incarnation, and then at once and durably (the store's cursor is the only durable consumer
 * state, and it only moves forward). Anything else is ignored, and a hole abandons the incarnation
 * (the world then creates a new one from the cursor).
 */
import { createHash } from 'node:crypto';
import { allowedRegions } from '@latchkey/core';
import type { KeyView } from '../checkers/types.ts';
import { OrderedConsumerClient } from './ordered-consumer-client.ts';
import type { Delivery } from './sim-consumer.ts';
import { decryptLocally, encryptLocally, type SimCiphertext } from './region-data-plane.ts';
import { RegionStore, applyToStore, type LocalKey, type MessageToApply } from './region-store.ts';
import { writeKey, type WriteIntent, type WriteResult, type WriterHost, type WriterPort } from './region-writer.ts';

/** One delivery applied from the stream: the cursor before it and the sequence it moved to. */
export interface AppliedDelivery {
  readonly after: number;
  readonly seq: number;
}

export class SimRegion implements WriterHost {
  readonly name: string;
  readonly deployment: readonly string[];
  readonly store = new RegionStore();
  readonly anomalies: string[] = [];
  /** How deliveries went: lets tests and coverage show which cases a run met. */
  readonly deliveryStats = { gapResets: 0, stallResets: 0, repeated: 0, oldIncarnation: 0 };
  /** Stream sequences applied from deliveries, in the order applied (across restarts and wipes). */
  readonly appliedSeqs: number[] = [];
  /** Volatile: a restart loses it, and the node follows a new incarnation from its cursor. */
  client = new OrderedConsumerClient();

  constructor(name: string, deployment: readonly string[]) {
    this.name = name;
    this.deployment = deployment;
  }

  applyMessage(message: MessageToApply): void {
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

  /** The watchdog gave up on a stalled incarnation. */
  stallReset(): void {
    this.deliveryStats.stallResets += 1;
    this.client.abandon();
  }

  /** A crash and restart: the store (and its cursor) survives, the consumer client does not. */
  restart(): void {
    this.client = new OrderedConsumerClient();
  }

  /** Loses the disk: the node must rebuild from the stream alone. */
  wipe(): void {
    this.restart();
    this.store.wipe();
  }

  write(port: WriterPort, intent: WriteIntent): WriteResult {
    return writeKey(this, port, intent);
  }

  encrypt(keyId: string, plaintext: string, ciphertextId: string): SimCiphertext {
    return encryptLocally(this.store, this.name, this.deployment, keyId, plaintext, ciphertextId);
  }

  decrypt(ciphertext: SimCiphertext): string {
    return decryptLocally(this.store, this.name, this.deployment, ciphertext);
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
