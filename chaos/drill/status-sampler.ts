/**
 * Samples every region's `GET /v1/cluster/status` about every 250 ms for the timeline: applied
 * sequence, stream sequence, pending changes, replication lag, or "did not answer". One request per
 * region in flight at a time, with a short time-out, so a paused node only leaves gaps, it never
 * piles up requests. Bounded by a hard deadline as well as stop().
 */
import type { Manifest } from '../../cluster/manifest.ts';
import { sleep } from '../../cluster/processes.ts';
import type { StatusSample } from './drill-types.ts';
import { getJson } from './http-json.ts';

export const SAMPLE_INTERVAL_MS = 250;

interface StatusBody {
  readonly appliedSeq?: number;
  readonly streamLastSeq?: number | null;
  readonly pending?: number | null;
  readonly lagSeconds?: number;
  readonly connected?: boolean;
  readonly streamReachable?: boolean;
  readonly unconfirmedKeys?: number;
  readonly repairs?: number;
}

export class StatusSampler {
  readonly samples: StatusSample[] = [];
  #stopped = false;
  #loops: Promise<void>[] = [];

  readonly #manifest: Manifest;
  readonly #t0: number;
  readonly #hardStopAt: number;

  constructor(manifest: Manifest, t0: number, hardStopAt: number) {
    this.#manifest = manifest;
    this.#t0 = t0;
    this.#hardStopAt = hardStopAt;
  }

  start(): void {
    this.#loops = this.#manifest.regions.map((region) => this.#loop(region.name, region.url));
  }

  async #loop(region: string, url: string): Promise<void> {
    while (!this.#stopped && Date.now() < this.#hardStopAt) {
      const started = Date.now();
      const answer = await getJson(`${url}/v1/cluster/status`, this.#manifest.adminToken, 1000);
      // An answer describes the moment it was given (a paused node answers late, once resumed); a
      // missing answer is placed when it was asked for.
      const atMs = (answer.status === 200 ? Date.now() : started) - this.#t0;
      const body = (answer.body ?? {}) as StatusBody;
      this.samples.push(answer.status === 200
        ? { atMs, region, answered: true, appliedSeq: body.appliedSeq ?? 0, streamLastSeq: body.streamLastSeq ?? null, pending: body.pending ?? null, lagMs: Math.round((body.lagSeconds ?? 0) * 1000), connected: body.connected === true, streamReachable: body.streamReachable === true,
          unconfirmedKeys: body.unconfirmedKeys ?? 0, repairs: body.repairs ?? 0 }
        : { atMs, region, answered: false });
      const wait = SAMPLE_INTERVAL_MS - (Date.now() - started);
      if (wait > 0) await sleep(wait);
    }
  }

  async stop(): Promise<StatusSample[]> {
    this.#stopped = true;
    await Promise.all(this.#loops);
    return this.samples;
  }
}
