/**
 * The JetStream edge of replication: one stream of state changes (one subject per item), written
 * with compare-and-set on the subject's last sequence and msg-id de-duplication, and read by a
 * named durable consumer per region, in order, from the node's own cursor. Publishing maps NATS
 * outcomes onto the error catalogue: a stale expectation is a conflict, a refusal before anything
 * was stored is unavailable, and a time-out after sending is indeterminate.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, jetstream,
  jetstreamManager, type ConsumerMessages, type JetStreamClient, type JetStreamManager,
} from '@nats-io/jetstream';
import { LatchkeyError } from '@latchkey/core';

export interface ReplicatorOptions {
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly region: string;
  readonly streamName: string;
  readonly replicas: number;
  readonly maxMsgsPerSubject: number;
  readonly duplicateWindowMs: number;
  readonly publishTimeoutMs: number;
  readonly log: { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
}

export interface StreamMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly publishedAtMs: number;
}

/**
 * Handles one message in order. It resolves once the next message may be handled, with a promise
 * that settles when this one is durable; the message is acknowledged only then. This lets the
 * applier commit many messages with one synced write while keeping their order.
 */
export type MessageHandler = (message: StreamMessage) => Promise<{ readonly durable: Promise<void> }>;

const nanos = (ms: number): number => ms * 1_000_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as Error)?.message ?? '';
  return name === 'TimeoutError' || /timeout/i.test(message);
}

export class JetStreamReplicator {
  readonly #options: ReplicatorOptions;
  readonly #handler: MessageHandler;
  readonly #cursor: () => number;
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #jsm: JetStreamManager | null = null;
  #messages: ConsumerMessages | null = null;
  #closed = false;
  #consuming: Promise<void> | null = null;

  constructor(options: ReplicatorOptions, handler: MessageHandler, cursor: () => number) {
    this.#options = options;
    this.#handler = handler;
    this.#cursor = cursor;
  }

  get connected(): boolean {
    return this.#nc !== null && !this.#nc.isClosed();
  }

  get consumerName(): string {
    return `latchkey-${this.#options.region}`;
  }

  /** Connects in the background (forever, with backoff) and then consumes; never throws. */
  start(): void {
    this.#consuming = this.#run();
  }

  async #run(): Promise<void> {
    let delayMs = 200;
    while (!this.#closed) {
      try {
        if (!this.#nc || this.#nc.isClosed()) await this.#connect();
        await this.#ensureStream();
        await this.#consume();
        delayMs = 200;
      } catch (error) {
        if (this.#closed) return;
        this.#options.log.warn({ err: (error as Error).message }, 'replication consumer interrupted; retrying');
      }
      if (!this.#closed) await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 5000);
    }
  }

  async #connect(): Promise<void> {
    const o = this.#options;
    this.#nc = await connect({
      servers: [...o.servers], name: `latchkey-node-${o.region}`, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250,
      pingInterval: 2000, maxPingOut: 3, timeout: 2000,
      ...(o.user ? { user: o.user, pass: o.pass ?? '' } : {}),
    });
    this.#js = jetstream(this.#nc, { timeout: o.publishTimeoutMs });
    this.#jsm = await jetstreamManager(this.#nc, { timeout: 5000 });
    o.log.info({ servers: o.servers }, 'connected to NATS');
  }

  async #ensureStream(): Promise<void> {
    const jsm = this.#manager();
    const o = this.#options;
    try {
      await jsm.streams.info(o.streamName);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error;
      await jsm.streams.add({
        name: o.streamName, subjects: ['kms.>'], num_replicas: o.replicas, storage: StorageType.File, retention: RetentionPolicy.Limits,
        max_msgs_per_subject: o.maxMsgsPerSubject, duplicate_window: nanos(o.duplicateWindowMs), allow_direct: true,
      });
      o.log.info({ stream: o.streamName, replicas: o.replicas }, 'created the replication stream');
    }
  }

  /** A fresh durable consumer from the local cursor: the cursor, not the server, says what was applied. */
  async #consume(): Promise<void> {
    const jsm = this.#manager();
    const o = this.#options;
    try {
      await jsm.consumers.delete(o.streamName, this.consumerName);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.ConsumerNotFound) throw error;
    }
    await jsm.consumers.add(o.streamName, {
      durable_name: this.consumerName, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.#cursor() + 1, filter_subject: 'kms.>', max_ack_pending: 1000,
      // A delivery lost in transit comes back after ack_wait: keep it short so a region repairs fast.
      ack_wait: nanos(5_000),
      // Replicated like the stream (the default): an R1 consumer on a server that dies would leave
      // this region without deliveries until the consume loop notices, which measured far longer
      // than a stream leader election. (R1 in memory costs ~40% less NATS CPU per change.)
    });
    const consumer = await this.#client().consumers.get(o.streamName, this.consumerName);
    this.#messages = await consumer.consume({ max_messages: 256, expires: 5000 });
    if (this.#closed) await this.#messages.close();
    let failure: unknown = null;
    for await (const m of this.#messages) {
      if (this.#closed || failure) break;
      // A message at or below the cursor is usually a duplicate, but it can also be a redelivery of
      // one whose first delivery was lost (in a partition) while later ones got through. It is not
      // dropped here: the applier decides per subject (full-state changes; an older one is skipped,
      // a newer one is applied even out of global order) and the cursor never moves backwards.
      // On failure stop and start over from the cursor, never skip ahead.
      const { durable } = await this.#handler({ seq: m.seq, subject: m.subject, data: m.data, publishedAtMs: m.time.getTime() });
      durable.then(() => m.ack(), (error: unknown) => {
        failure = error;
      });
    }
    if (failure) throw failure;
  }

  #client(): JetStreamClient {
    if (!this.#js) throw new LatchkeyError('DependencyTimeoutException', 'not connected to the replication stream yet');
    return this.#js;
  }

  #manager(): JetStreamManager {
    if (!this.#jsm) throw new LatchkeyError('DependencyTimeoutException', 'not connected to the replication stream yet');
    return this.#jsm;
  }

  /**
   * Publishes if the subject's last sequence is still `expectedSubjectSeq`. Retries within the
   * deadline reuse the msg-id, so the stream stores the change at most once.
   */
  async publish(subject: string, data: Uint8Array, expectedSubjectSeq: number, msgId: string, attempts = 2): Promise<{ seq: number; duplicate: boolean }> {
    let sent = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const js = this.#client();
        sent = true;
        const ack = await js.publish(subject, data, {
          msgID: msgId, expect: { lastSubjectSequence: expectedSubjectSeq }, timeout: this.#options.publishTimeoutMs,
        });
        return { seq: ack.seq, duplicate: ack.duplicate };
      } catch (error) {
        const mapped = this.#publishError(error, sent);
        if (mapped.code === 'ConflictException' || attempt >= attempts) throw mapped;
        await sleep(250 * attempt);
      }
    }
  }

  #publishError(error: unknown, sent: boolean): LatchkeyError {
    if (error instanceof LatchkeyError) return error;
    if (error instanceof JetStreamApiError) {
      if (error.code === JetStreamApiCodes.StreamWrongLastSequence) {
        return new LatchkeyError('ConflictException', 'the item changed concurrently in another region', { cause: error });
      }
      return new LatchkeyError('DependencyTimeoutException', `the replication stream refused the change: ${error.message}`, { cause: error });
    }
    // The client turns 'no responders' (no stream leader) into JetStreamNotEnabled.
    if ((error as Error)?.name === 'JetStreamNotEnabled' || /jetstream is not enabled/i.test((error as Error)?.message ?? '')) {
      return new LatchkeyError('DependencyTimeoutException', 'the replication stream has no leader (no quorum); retry later', { cause: error });
    }
    if (sent && isTimeout(error)) {
      return new LatchkeyError('IndeterminateException', 'the change was sent but not acknowledged in time; it may have been stored', { cause: error });
    }
    return new LatchkeyError('DependencyTimeoutException', `the replication stream is unavailable: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }

  /** Stream sequence of the last change on a subject (0 when none), read from the stream itself. */
  async lastSubjectSeq(subject: string): Promise<number> {
    try {
      const message = await this.#manager().streams.getMessage(this.#options.streamName, { last_by_subj: subject });
      return message?.seq ?? 0;
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound) return 0;
      throw new LatchkeyError('DependencyTimeoutException', 'cannot read the replication stream', { cause: error });
    }
  }

  /** The stream's last sequence, or null when the stream cannot be reached. */
  async streamLastSeq(): Promise<number | null> {
    try {
      const info = await this.#manager().streams.info(this.#options.streamName);
      return info.state.last_seq;
    } catch {
      return null;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    try {
      await this.#messages?.close();
    } catch {
      // already closed
    }
    await this.#nc?.close().catch(() => undefined);
    // The loop notices `closed` at its next step; do not let a stuck NATS call hold up shutdown.
    await Promise.race([this.#consuming?.catch(() => undefined), sleep(2000)]);
  }
}
