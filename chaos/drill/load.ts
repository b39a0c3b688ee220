/**
 * The drill's steady mixed load, through the SDK, from every region: per region two data-plane
 * workers (encrypt, decrypt of earlier ciphertexts, sign) and one control-plane worker (create keys,
 * half of them pinned to two regions, and rotate them, always with idempotency keys so the SDK may
 * retry and fail over safely). Data and control plane have their own workers, so a control-plane
 * call waiting out a leader election never starves the data-plane measurement.
 *
 * Every loop is paced (no catch-up bursts after a slow call) and bounded by a stop flag, a hard
 * deadline and a maximum number of operations, so it always ends by itself.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { LatchkeyClient, type ClientEvent } from '@latchkey/client';
import { LIMITS } from '@latchkey/core';
import type { Manifest } from '../../cluster/manifest.ts';
import { sleep } from '../../cluster/processes.ts';
import { createSeedKeys, type RegionKeys } from './seed-keys.ts';
import type { AckedCiphertext, AckedVersion, CallRecord, LoadResult, Plane } from './drill-types.ts';

export interface LoadOptions {
  readonly manifest: Manifest;
  /** Date.now() at the drill's start: records are relative to it. */
  readonly t0: number;
  /** Absolute Date.now() after which no worker starts another call. */
  readonly hardStopAt: number;
  readonly dataOpsPerSecond: number;
  readonly controlOpsPerSecond: number;
  readonly maxOpsPerWorker: number;
  readonly runId: string;
  readonly log: (line: string) => void;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const pick = <T>(items: readonly T[]): T => items[randomInt(items.length)]!;

/** SDK settings of a latency-sensitive application: give up on a region after 1 s and go elsewhere. */
const DATA_CLIENT = { timeoutMs: 1000, deadlineMs: 10_000, health: { probeIntervalMs: 250 } };
/** Control-plane calls wait out the node's own 5 s publish time-out, so its answer stays determinate. */
const CONTROL_CLIENT = { timeoutMs: 6000, deadlineMs: 20_000, health: { probeIntervalMs: 250 } };

export class DrillLoad {
  readonly calls: CallRecord[] = [];
  readonly acked: AckedVersion[] = [];
  readonly ciphertexts: AckedCiphertext[] = [];
  readonly #keys = new Map<string, readonly string[] | null>();
  /** Rotations sent per key (counted when sent: an indeterminate one may have used up a rotation too). */
  readonly #rotations = new Map<string, number>();
  readonly #sdk = { attemptErrors: 0, retries: 0, failovers: 0 };
  readonly #options: LoadOptions;
  readonly #clients: LatchkeyClient[] = [];
  #stopped = false;
  #workers: Promise<void>[] = [];

  constructor(options: LoadOptions) {
    this.#options = options;
  }

  #client(home: string, settings: typeof DATA_CLIENT): LatchkeyClient {
    const { manifest } = this.#options;
    const onEvent = (event: ClientEvent): void => {
      if (event.type === 'call' && event.outcome === 'error') this.#sdk.attemptErrors++;
      else if (event.type === 'retry') this.#sdk.retries++;
      else if (event.type === 'failover') this.#sdk.failovers++;
    };
    const client = new LatchkeyClient({ regions: manifest.regions.map((r) => ({ name: r.name, url: r.url })), homeRegion: home, token: manifest.adminToken, onEvent, ...settings });
    this.#clients.push(client);
    return client;
  }

  async #timed<T>(op: CallRecord['op'], plane: Plane, home: string, call: () => Promise<T>): Promise<T | null> {
    const startMs = Date.now() - this.#options.t0;
    try {
      const result = await call();
      this.calls.push({ op, plane, home, startMs, endMs: Date.now() - this.#options.t0, ok: true, attempts: 1 });
      return result;
    } catch (error) {
      const e = error as { code?: string; indeterminate?: boolean; region?: string | null; attempts?: number };
      this.calls.push({
        op, plane, home, startMs, endMs: Date.now() - this.#options.t0, ok: false, code: e.code ?? (error as Error).name,
        indeterminate: e.indeterminate === true, ...(e.region ? { region: e.region } : {}), attempts: e.attempts ?? 1,
      });
      return null;
    }
  }

  async #paced(ratePerSecond: number, step: (n: number) => Promise<void>): Promise<void> {
    const intervalMs = 1000 / ratePerSecond;
    let due = Date.now();
    for (let n = 0; n < this.#options.maxOpsPerWorker && !this.#stopped && Date.now() < this.#options.hardStopAt; n++) {
      // After a slow call, start again from now instead of bursting to catch up.
      due = Math.max(due + intervalMs, Date.now());
      await step(n);
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
  }

  async #dataWorker(home: string, worker: number, client: LatchkeyClient, keys: RegionKeys): Promise<void> {
    const mine: AckedCiphertext[] = [];
    await this.#paced(this.#options.dataOpsPerSecond / 2, async (n) => {
      const roll = randomInt(100);
      if (roll < 15) {
        const message = randomBytes(32);
        await this.#timed('sign', 'data', home, () => client.sign({ keyId: keys.signingKeyId, message, signingAlgorithm: 'ECDSA_SHA_256' }));
      } else if (roll < 55 || mine.length === 0) {
        const keyId = pick(keys.symmetric());
        const plaintext = randomBytes(32);
        const out = await this.#timed('encrypt', 'data', home, () => client.encrypt({ keyId, plaintext }));
        if (out === null) return;
        const record = { ciphertextId: `${home}-${worker}-${n}`, keyId: out.keyId, keyVersion: out.keyVersion, plaintextDigest: sha256(plaintext), ciphertext: Buffer.from(out.ciphertext).toString('base64') };
        mine.push(record);
        this.ciphertexts.push(record);
      } else {
        const target = pick(mine);
        const out = await this.#timed('decrypt', 'data', home, () => client.decrypt({ ciphertext: Buffer.from(target.ciphertext, 'base64') }));
        if (out !== null && sha256(out.plaintext) !== target.plaintextDigest) {
          const last = this.calls.pop()!;
          this.calls.push({ ...last, ok: false, code: 'WrongPlaintext' });
        }
      }
    });
  }

  async #controlWorker(home: string, client: LatchkeyClient, keys: RegionKeys): Promise<void> {
    const { runId, manifest, t0 } = this.#options;
    const names = manifest.regions.map((r) => r.name);
    await this.#paced(this.#options.controlOpsPerSecond, async (n) => {
      const idempotencyKey = `drill-${runId}-${home}-${n}`;
      if (randomInt(100) < 40) {
        // Half pinned to the home region and the next one, so pinning is exercised under faults too.
        const regions = randomInt(2) === 0 ? [home, names[(names.indexOf(home) + 1) % names.length]!] : undefined;
        const out = await this.#timed('createKey', 'control', home, () => client.createKey({ idempotencyKey, description: `drill ${runId}`, ...(regions ? { regions } : {}) }));
        if (out === null) return;
        this.#keys.set(out.keyMetadata.keyId, out.keyMetadata.regions);
        keys.add(out.keyMetadata.keyId);
        this.acked.push({ keyId: out.keyMetadata.keyId, keyVersion: out.keyMetadata.currentVersion, home, atMs: Date.now() - t0 });
      } else {
        // A key allows only LIMITS.onDemandRotationsMax on-demand rotations; hitting it would be a drill bug, not a finding.
        const rotatable = keys.symmetric().filter((k) => (this.#rotations.get(k) ?? 0) < LIMITS.onDemandRotationsMax);
        if (rotatable.length === 0) return;
        const keyId = pick(rotatable);
        this.#rotations.set(keyId, (this.#rotations.get(keyId) ?? 0) + 1);
        const out = await this.#timed('rotateKey', 'control', home, () => client.rotateKey(keyId, { idempotencyKey }));
        if (out !== null) this.acked.push({ keyId, keyVersion: out.keyMetadata.currentVersion, home, atMs: Date.now() - t0 });
      }
    });
  }

  /** Creates each region's seed keys (through the SDK) and starts the workers. */
  async start(): Promise<void> {
    const { manifest, runId, t0, log } = this.#options;
    const seeds = await createSeedKeys(manifest, runId, (home) => this.#client(home, CONTROL_CLIENT));
    for (const seed of seeds) {
      for (const [keyId, regions] of seed.policies) this.#keys.set(keyId, regions);
      // Seed keys are acknowledged writes like any other: their version 1 must survive too.
      for (const keyId of seed.keys.symmetric()) this.acked.push({ keyId, keyVersion: 1, home: seed.home, atMs: Date.now() - t0 });
    }
    log(`seed keys ready in ${seeds.length} regions; load starts`);
    this.#workers = seeds.flatMap((seed) => {
      const data = this.#client(seed.home, DATA_CLIENT);
      const control = this.#client(seed.home, CONTROL_CLIENT);
      return [this.#dataWorker(seed.home, 0, data, seed.keys), this.#dataWorker(seed.home, 1, data, seed.keys), this.#controlWorker(seed.home, control, seed.keys)];
    });
  }

  /** Asks every worker to stop after its current call and waits for them. */
  async stop(): Promise<LoadResult> {
    this.#stopped = true;
    await Promise.all(this.#workers);
    for (const client of this.#clients) client.close();
    return {
      calls: this.calls, acked: this.acked, ciphertexts: this.ciphertexts,
      keys: [...this.#keys].map(([keyId, regions]) => ({ keyId, regions })), sdk: { ...this.#sdk },
    };
  }
}
