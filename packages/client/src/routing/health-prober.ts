/**
 * Background readiness probes of regions whose circuit is open: every `intervalMs` it asks the
 * region's /readyz (open, no token) and, on a 2xx, tells the router the region is back, which sends
 * calls home again. Probes run only while a region is marked unhealthy, on unref'd timers, so an
 * idle client costs nothing and never holds a process open.
 */

export interface HealthProberOptions {
  readonly intervalMs: number;
  /** True when the region answered ready. Must not throw. */
  readonly probe: (region: string) => Promise<boolean>;
  /** Whether the region still needs watching (its circuit may have closed through a trial call). */
  readonly stillUnhealthy: (region: string) => boolean;
  readonly onReady: (region: string) => void;
  readonly schedule: (task: () => void, ms: number) => () => void;
}

export class HealthProber {
  readonly #options: HealthProberOptions;
  readonly #watched = new Map<string, () => void>();
  #stopped = false;

  constructor(options: HealthProberOptions) {
    this.#options = options;
  }

  /** Starts probing `region`, unless it is already being probed. */
  watch(region: string): void {
    if (this.#stopped || this.#watched.has(region)) return;
    this.#next(region);
  }

  isWatching(region: string): boolean {
    return this.#watched.has(region);
  }

  stop(): void {
    this.#stopped = true;
    for (const cancel of this.#watched.values()) cancel();
    this.#watched.clear();
  }

  #next(region: string): void {
    this.#watched.set(region, this.#options.schedule(() => void this.#tick(region), this.#options.intervalMs));
  }

  async #tick(region: string): Promise<void> {
    if (this.#stopped) return;
    if (!this.#options.stillUnhealthy(region)) {
      this.#watched.delete(region);
      return;
    }
    const ready = await this.#options.probe(region);
    if (this.#stopped) return;
    if (ready) {
      this.#watched.delete(region);
      this.#options.onReady(region);
    } else {
      this.#next(region);
    }
  }
}
