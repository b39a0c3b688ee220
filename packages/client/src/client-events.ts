/**
 * Metrics hooks. The client reports what it does as events (`onEvent`) and keeps counters of them
 * (`client.counters.snapshot()`), so that an application can export calls by operation, region and
 * outcome, failovers, retries and data-key cache hits and misses to whatever metrics system it uses.
 * A hook that throws is ignored: metrics must never fail a call.
 */

export type ClientEvent =
  /** One attempt of one call, to one region. */
  | {
    readonly type: 'call'; readonly operation: string; readonly region: string; readonly outcome: 'ok' | 'error';
    readonly code: string | null; readonly durationMs: number; readonly attempt: number;
  }
  /** A call is tried again (after `delayMs`), in `toRegion`, after failing in `fromRegion` with `code`. */
  | {
    readonly type: 'retry'; readonly operation: string; readonly attempt: number; readonly fromRegion: string;
    readonly toRegion: string; readonly code: string; readonly delayMs: number;
  }
  /** A retry that moved to another region. */
  | { readonly type: 'failover'; readonly operation: string; readonly fromRegion: string; readonly toRegion: string; readonly code: string }
  | { readonly type: 'region-unhealthy'; readonly region: string; readonly code: string }
  | { readonly type: 'region-healthy'; readonly region: string; readonly via: 'probe' | 'call' }
  /** Data-key cache: `encrypt` entries are data keys for new messages, `decrypt` entries unwrapped data keys. */
  | {
    readonly type: 'cache'; readonly cache: 'encrypt' | 'decrypt'; readonly outcome: 'hit' | 'miss' | 'evict';
    readonly reason?: 'age' | 'messages' | 'bytes' | 'capacity' | 'cleared';
  };

export type EventSink = (event: ClientEvent) => void;

export interface CountersSnapshot {
  /** `${operation} ${region} ${outcome}` -> attempts. */
  readonly calls: Readonly<Record<string, number>>;
  /** region -> attempts that succeeded there. */
  readonly okByRegion: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly retries: number;
  readonly failovers: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly cacheEvictions: number;
  readonly regionsMarkedUnhealthy: number;
}

export class ClientCounters {
  #calls = new Map<string, number>();
  #okByRegion = new Map<string, number>();
  #errors = 0;
  #retries = 0;
  #failovers = 0;
  #cacheHits = 0;
  #cacheMisses = 0;
  #cacheEvictions = 0;
  #unhealthy = 0;

  record(event: ClientEvent): void {
    switch (event.type) {
      case 'call': {
        const name = `${event.operation} ${event.region} ${event.outcome}`;
        this.#calls.set(name, (this.#calls.get(name) ?? 0) + 1);
        if (event.outcome === 'ok') this.#okByRegion.set(event.region, (this.#okByRegion.get(event.region) ?? 0) + 1);
        else this.#errors += 1;
        break;
      }
      case 'retry': this.#retries += 1; break;
      case 'failover': this.#failovers += 1; break;
      case 'region-unhealthy': this.#unhealthy += 1; break;
      case 'region-healthy': break;
      case 'cache':
        if (event.outcome === 'hit') this.#cacheHits += 1;
        else if (event.outcome === 'miss') this.#cacheMisses += 1;
        else this.#cacheEvictions += 1;
        break;
    }
  }

  /** Attempts of one operation (in one region, if given), whatever their outcome. */
  callsOf(operation: string, region?: string): number {
    let total = 0;
    for (const [name, count] of this.#calls) {
      const [op, at] = name.split(' ');
      if (op === operation && (region === undefined || at === region)) total += count;
    }
    return total;
  }

  snapshot(): CountersSnapshot {
    return {
      calls: Object.fromEntries(this.#calls),
      okByRegion: Object.fromEntries(this.#okByRegion),
      errors: this.#errors,
      retries: this.#retries,
      failovers: this.#failovers,
      cacheHits: this.#cacheHits,
      cacheMisses: this.#cacheMisses,
      cacheEvictions: this.#cacheEvictions,
      regionsMarkedUnhealthy: this.#unhealthy,
    };
  }

  reset(): void {
    this.#calls = new Map();
    this.#okByRegion = new Map();
    this.#errors = this.#retries = this.#failovers = this.#cacheHits = this.#cacheMisses = this.#cacheEvictions = this.#unhealthy = 0;
  }
}

/** One sink that counts and forwards to the application's hook, shielding calls from a hook that throws. */
export function eventSink(counters: ClientCounters, onEvent: EventSink | undefined): EventSink {
  return (event) => {
    counters.record(event);
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch {
      // A metrics hook's failure is the application's to see in its own metrics, not a reason to fail the call.
    }
  };
}
