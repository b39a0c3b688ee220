/**
 * Capped exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and
 * Jitter"): the n-th wait is uniform in [0, min(cap, base * 2^(n-1))). Full jitter spreads the
 * retries of many clients that failed together, so that they do not hit a recovering region in step.
 * The random source is a parameter so that tests choose it.
 */

export interface BackoffSettings {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** The wait before the `retry`-th retry (1 for the first). `random` returns a number in [0, 1). */
export function backoffDelayMs(retry: number, settings: BackoffSettings, random: () => number): number {
  const exponent = Math.min(Math.max(retry - 1, 0), 30);
  const ceilingMs = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** exponent);
  const draw = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(draw * ceilingMs);
}
