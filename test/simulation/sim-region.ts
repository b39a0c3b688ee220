/**
 * One region node: its durable store, the applier that consumes the stream in order, the writer
 * and the data plane. Deliveries may arrive duplicated, late or out of order; the region keeps a
 * cursor (the last sequence applied in order) and a volatile buffer, applies a delivery only when
 * it links to the cursor (`prevSeq <= cursor < seq`), and acknowledges the cursor after applying,
 * which is what a durable pull consumer with AckAll and a persisted local cursor does.
 */
import { createHash } from 'node:crypto';
import { allowedRegions } from '@latchkey/core';
import type { KeyView } from '../checkers/types.ts';
import type { Delivery } from './sim-consumer.ts';
import { decryptLocally, encryptLocally, type SimCiphertext } from './region-data-plane.ts';
import { RegionStore, applyToStore, type LocalKey, type MessageToApply } from './region-store.ts';
import { writeKey, type WriteIntent, type WriteResult, type WriterHost, type WriterPort } from './region-writer.ts';

export class SimRegion implements WriterHost {
  readonly name: string;
  readonly deployment: readonly string[];
  readonly store = new RegionStore();
  readonly anomalies: string[] = [];
  /** How often delivery was out of order or repeated: lets a property show that it met those cases. */
  readonly deliveryStats = { outOfOrder: 0, repeated: 0 };
  /** Received but not yet applicable deliveries, by sequence: volatile, lost on restart. */
  #buffer = new Map<number, Delivery>();

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

  /** Takes deliveries in; returns the cursor to acknowledge, or null when nothing arrived. */
  receive(deliveries: readonly Delivery[]): number | null {
    if (deliveries.length === 0) return null;
    for (const delivery of deliveries) {
      if (delivery.seq <= this.store.cursor) {
        this.deliveryStats.repeated += 1;
        continue;
      }
      const buffered = this.#buffer.get(delivery.seq);
      if (buffered === undefined || delivery.prevSeq < buffered.prevSeq) this.#buffer.set(delivery.seq, delivery);
    }
    this.#drain();
    // Whatever is still buffered arrived ahead of a gap.
    this.deliveryStats.outOfOrder += deliveries.filter((d) => this.#buffer.get(d.seq) === d).length;
    return this.store.cursor;
  }

  /** Applies buffered deliveries while one links to the cursor, lowest sequence first. */
  #drain(): void {
    for (;;) {
      const cursor = this.store.cursor;
      const next = [...this.#buffer.values()].filter((d) => d.prevSeq <= cursor && d.seq > cursor).sort((a, b) => a.seq - b.seq)[0];
      if (next === undefined) break;
      this.applyMessage(next);
      this.store.cursor = next.seq;
      for (const seq of this.#buffer.keys()) if (seq <= next.seq) this.#buffer.delete(seq);
    }
  }

  /** A crash and restart: the store survives (it is durable), the buffer does not. */
  restart(): void {
    this.#buffer.clear();
  }

  /** Loses the disk: the node must rebuild from the stream alone. */
  wipe(): void {
    this.#buffer.clear();
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
