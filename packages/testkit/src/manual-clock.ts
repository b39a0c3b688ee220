/**
 * A clock that moves only when a test says so. It implements core's `Clock` port, so that the same
 * code that runs on real time in production runs on chosen time in tests and simulations.
 */
import type { Clock } from '@latchkey/core';

/** 2026-01-01T00:00:00Z: a fixed, readable default, so dates in test output do not drift. */
export const MANUAL_CLOCK_DEFAULT_START_MS = Date.UTC(2026, 0, 1);

function requireFinite(name: string, ms: number): number {
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a finite number of milliseconds, got ${ms}`);
  return ms;
}

export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs: number = MANUAL_CLOCK_DEFAULT_START_MS) {
    this.#nowMs = requireFinite('startMs', startMs);
  }

  nowMs(): number {
    return this.#nowMs;
  }

  /** Moves forward; refuses to go back, since a negative advance is nearly always a test bug (use `set`). */
  advance(ms: number): number {
    if (requireFinite('ms', ms) < 0) throw new RangeError(`advance takes a duration of at least 0 ms, got ${ms}; use set() to go back`);
    this.#nowMs += ms;
    return this.#nowMs;
  }

  /** Jumps to any time, backwards included: that is how a test skews one region's clock. */
  set(ms: number): void {
    this.#nowMs = requireFinite('ms', ms);
  }
}
