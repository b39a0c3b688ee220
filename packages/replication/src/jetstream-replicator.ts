/**
 * The JetStream edge of replication: one stream of state changes (one subject per item), written
 * with compare-and-set on the subject's last sequence and msg-id de-duplication, and read in
 * order by an ordered consumer that starts after the node's own durable cursor. Publishing maps NATS
 * outcomes onto the error catalogue: a stale expectation is a conflict, a refusal before anything
 * was stored is unavailable, and a time-out after sending is indeterminate.
 */
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DeliverPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, jetstream,
  jetstreamManager, type JetStreamClient, type StreamInfo, type JetStreamManager,
} from '@nats-io/jetstream';
import { LatchkeyError } from '@latchkey/core';
import { leaderHasQuorum } from './stream-quorum.ts';

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
  /** No delivery for this long while the stream holds more than the cursor: re-create the consumer (default 3 s). */
  readonly stallMs?: number;
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
/** No answer with a quorum for longer than this (it is asked once a second) counts as a cut. */
const CUT_AFTER_MS = 3_500;
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
  #consumerJs: JetStreamClient | null = null;
  #jsm: JetStreamManager | null = null;
  /** Ends the current consume loop at once and closes its consumer (no-op between loops). */
  #abandon: () => void = () => undefined;
  /** A consume loop is running (between loops, #run is creating the next consumer itself). */
  #live = false;
  #closed = false;
  #consuming: Promise<void> | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #lastDeliveryMs = 0;
  /** A handler call is running: slow applying is not a stalled consumer. */
  #handling = false;
  #knownLastSeq: number | null = null;
  /** When the stream last answered (Date.now()), 0 before it ever did. */
  #lastContactMs = 0;
  /** Periods without an answer from a leader with a quorum, ended since `takeCutWindows` last ran. */
  #cutWindows: { fromMs: number; toMs: number }[] = [];
  #consumerResets = 0;
  #legacyChecked = false;

  constructor(options: ReplicatorOptions, handler: MessageHandler, cursor: () => number) {
    this.#options = options;
    this.#handler = handler;
    this.#cursor = cursor;
  }

  get connected(): boolean {
    return this.#nc !== null && !this.#nc.isClosed();
  }

  get #stallMs(): number {
    return this.#options.stallMs ?? 3_000;
  }

  /** The stream's last sequence as last read (once a second), or null before the first read. */
  get knownStreamLastSeq(): number | null {
    return this.#knownLastSeq;
  }

  /** How long ago the stream last answered a read (it is read once a second), or null if it never did. */
  get streamContactAgeMs(): number | null {
    return this.#lastContactMs === 0 ? null : Date.now() - this.#lastContactMs;
  }

  /** How often the watchdog had to re-create a stalled consumer. */
  get consumerResets(): number {
    return this.#consumerResets;
  }

  /** Connects in the background (forever, with backoff) and then consumes; never throws. */
  start(): void {
    this.#consuming = this.#run();
    this.#watchdog = setInterval(() => void this.#watch().catch(() => undefined), 1000);
    this.#watchdog.unref();
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
      // Short: re-creating a consumer is cheap, and after a heal the region catches up as soon as
      // the servers have re-elected their leaders.
      delayMs = Math.min(delayMs * 2, 1000);
    }
  }

  async #connect(): Promise<void> {
    const o = this.#options;
    this.#nc = await connect({
      // In the order given: the region's own server first, the others for failover. A cut-off
      // region on its own server may be handed changes the stream does not keep (nats-server
      // 2.9.10); such changes are applied but never used for output until the stream's quorum is
      // seen holding them (version-confirmer.ts in the node).
      servers: [...o.servers], noRandomize: true, name: `latchkey-node-${o.region}`, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250,
      pingInterval: 2000, maxPingOut: 3, timeout: 2000,
      ...(o.user ? { user: o.user, pass: o.pass ?? '' } : {}),
    });
    this.#js = jetstream(this.#nc, { timeout: o.publishTimeoutMs });
    // Consumer set-up answers fast or not at all (no meta leader yet): give up early and retry.
    this.#consumerJs = jetstream(this.#nc, { timeout: 2000 });
    this.#jsm = await jetstreamManager(this.#nc, { timeout: 5000 });
    o.log.info({ servers: o.servers }, 'connected to NATS');
  }

  async #ensureStream(): Promise<void> {
    const jsm = this.#manager();
    const o = this.#options;
    try {
      this.#notePosition(await jsm.streams.info(o.streamName));
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.StreamNotFound) throw error;
      await jsm.streams.add({
        name: o.streamName, subjects: ['kms.>'], num_replicas: o.replicas, storage: StorageType.File, retention: RetentionPolicy.Limits,
        max_msgs_per_subject: o.maxMsgsPerSubject, duplicate_window: nanos(o.duplicateWindowMs), allow_direct: true,
      });
      o.log.info({ stream: o.streamName, replicas: o.replicas }, 'created the replication stream');
    }
  }

  /**
   * An ordered consumer from the local cursor: the cursor (advanced only after a synced commit),
   * not the server, says what was applied, so the server-side consumer is disposable. It is an
   * ephemeral R1 in-memory consumer without acknowledgements; nats.js checks that delivery
   * sequences follow each other and re-creates it after the last message handed over on any gap
   * (a delivery lost in transit) or when heartbeats stop (its server died or was cut off), so no
   * message is ever skipped. The watchdog (#watch) re-creates it from the cursor if deliveries
   * stop while the stream has more.
   */
  async #consume(): Promise<void> {
    const o = this.#options;
    await this.#removeLegacyDurable();
    if (!this.#consumerJs) throw new LatchkeyError('DependencyTimeoutException', 'not connected to the replication stream yet');
    const consumer = await this.#consumerJs.consumers.get(o.streamName, {
      name_prefix: `latchkey-${o.region}-${randomUUID().slice(0, 8)}`, deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: this.#cursor() + 1, inactive_threshold: 30_000,
    });
    const messages = await consumer.consume({ max_messages: 256, expires: 5000 });
    // The watchdog (or a failed commit) ends this loop through `abandon`, whatever state the
    // iterator is in: a stop that nats.js never turns into the end of the iteration must not leave
    // the region without a consumer.
    let abandon = (): void => undefined;
    const abandoned = new Promise<null>((resolve) => {
      abandon = () => resolve(null);
    });
    this.#abandon = () => {
      abandon();
      void messages.close().catch(() => undefined);
    };
    this.#live = true;
    this.#lastDeliveryMs = Date.now();
    if (this.#closed) this.#abandon();
    let failure: unknown = null;
    let handled = this.#cursor();
    const iterator = messages[Symbol.asyncIterator]();
    try {
      for (;;) {
        const pending = iterator.next();
        // Left behind when the loop is abandoned: it may still reject as the iterator closes.
        pending.catch(() => undefined);
        const next = await Promise.race([pending, abandoned]);
        if (next === null || next.done || this.#closed || failure) break;
        const m = next.value;
        this.#lastDeliveryMs = Date.now();
        // In order and once per consumer; a restart of the consume loop starts after the cursor, so
        // anything at or below what this loop already handed over is a repeat.
        if (m.seq <= handled) continue;
        handled = m.seq;
        this.#handling = true;
        const { durable } = await this.#handler({ seq: m.seq, subject: m.subject, data: m.data, publishedAtMs: m.time.getTime() }).finally(() => {
          this.#handling = false;
          this.#lastDeliveryMs = Date.now();
        });
        durable.catch((error: unknown) => {
          failure = error;
          this.#abandon();
        });
      }
    } finally {
      this.#live = false;
      this.#abandon();
    }
    if (failure) throw failure;
  }

  /** Earlier versions kept a replicated durable consumer per region; it only costs the servers work now. */
  async #removeLegacyDurable(): Promise<void> {
    if (this.#legacyChecked) return;
    try {
      await this.#manager().consumers.delete(this.#options.streamName, `latchkey-${this.#options.region}`);
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.ConsumerNotFound) throw error;
    }
    this.#legacyChecked = true;
  }

  /**
   * Once a second: the stream's last sequence (for pending and lag), and a stall check. If the
   * stream holds more than the cursor and nothing was delivered for `stallMs`, the consumer is
   * thrown away and the loop re-creates it from the cursor.
   */
  async #watch(): Promise<void> {
    const last = await this.streamLastSeq();
    if (last === null || this.#closed) return;
    const cursor = this.#cursor();
    const idleMs = Date.now() - this.#lastDeliveryMs;
    if (last <= cursor || !this.#live || this.#handling || idleMs < this.#stallMs) return;
    this.#consumerResets += 1;
    this.#options.log.warn({ cursor, streamLastSeq: last, idleMs }, 'replication consumer stalled; re-creating it from the cursor');
    this.#lastDeliveryMs = Date.now();
    this.#abandon();
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

  /**
   * Reads from the stream leader only while it shows a quorum: one stream-info answer before and
   * one after the reads must both name the same leader with a quorum (stream-quorum.ts). What
   * such a leader applied is committed and will be on every later leader; a cut-off leader, or a
   * replica that never got a change, cannot pass. Null when the stream cannot show that now (retry
   * later). `lastSeq` is the stream's last sequence when the reads began.
   */
  async #readWithQuorum<T>(read: (jsm: JetStreamManager) => Promise<T>): Promise<{ value: T; lastSeq: number } | null> {
    const jsm = this.#jsm;
    if (!jsm) return null;
    const o = this.#options;
    try {
      const before = await jsm.streams.info(o.streamName);
      if (!leaderHasQuorum(before.cluster, o.replicas)) return null;
      const value = await read(jsm);
      const after = await jsm.streams.info(o.streamName);
      if (!leaderHasQuorum(after.cluster, o.replicas) || after.cluster?.leader !== before.cluster?.leader) return null;
      return { value, lastSeq: before.state.last_seq };
    } catch {
      return null;
    }
  }

  #stored(m: { seq: number; subject: string; data: Uint8Array; time: Date } | null): StreamMessage | null {
    return m ? { seq: m.seq, subject: m.subject, data: m.data, publishedAtMs: m.time.getTime() } : null;
  }

  /** The stream's last change on each subject (null: none), read with a quorum (#readWithQuorum). */
  async readLastWithQuorum(subjects: readonly string[]): Promise<Map<string, StreamMessage | null> | null> {
    const read = await this.#readWithQuorum(async (jsm) => new Map(await Promise.all(subjects.map(async (subject) =>
      [subject, this.#stored(await jsm.streams.getMessage(this.#options.streamName, { last_by_subj: subject }))] as const))));
    return read?.value ?? null;
  }

  /** The stream's messages at these sequences (null: none there, purged or not written yet), read with a quorum. */
  async readSeqsWithQuorum(seqs: readonly number[]): Promise<{ messages: Map<number, StreamMessage | null>; lastSeq: number } | null> {
    const read = await this.#readWithQuorum(async (jsm) => new Map(await Promise.all(seqs.map(async (seq) =>
      [seq, this.#stored(await jsm.streams.getMessage(this.#options.streamName, { seq }))] as const))));
    return read ? { messages: read.value, lastSeq: read.lastSeq } : null;
  }

  /** The stream's last sequence, or null when the stream cannot be reached. */
  async streamLastSeq(): Promise<number | null> {
    try {
      return this.#notePosition(await this.#manager().streams.info(this.#options.streamName));
    } catch {
      return null;
    }
  }

  /**
   * Records the stream's last sequence and the moment it answered, and returns that sequence; null
   * unless the answer comes from a leader with a quorum (stream-quorum.ts): a stream being elected,
   * or a leader cut off from its followers (it keeps answering for up to ~20 s), may answer from
   * an out-of-date or never-committed store, and that is not the stream's position.
   */
  #notePosition(info: StreamInfo): number | null {
    if (!leaderHasQuorum(info.cluster, this.#options.replicas)) return null;
    this.#knownLastSeq = info.state.last_seq;
    const now = Date.now();
    // A gap between two answers with a quorum longer than the stale limit: the region was cut off.
    if (this.#lastContactMs !== 0 && now - this.#lastContactMs > CUT_AFTER_MS) this.#cutWindows.push({ fromMs: this.#lastContactMs, toMs: now });
    this.#lastContactMs = now;
    return info.state.last_seq;
  }

  /** The periods this region was cut off from the stream's quorum that ended since the last call (for the audit). */
  takeCutWindows(): { fromMs: number; toMs: number }[] {
    const windows = this.#cutWindows;
    this.#cutWindows = [];
    return windows;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#abandon();
    await this.#nc?.close().catch(() => undefined);
    // The loop notices `closed` at its next step; do not let a stuck NATS call hold up shutdown.
    await Promise.race([this.#consuming?.catch(() => undefined), sleep(2000)]);
  }
}
