// Proves capped exponential backoff with full jitter: the ceiling doubles per retry from the base up
// to the cap, the wait is the random draw times the ceiling (so 0 is possible and the ceiling is
// not), and a seeded random source gives the same waits every run.
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.ts';
import { seededRandom } from '../testing/seeded-random.ts';

const SETTINGS = { baseDelayMs: 100, maxDelayMs: 1_000 };

describe('backoffDelayMs', () => {
  it('doubles the ceiling per retry up to the cap', () => {
    const almostOne = () => 0.999_999;
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, SETTINGS, almostOne))).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('scales the ceiling by the draw (full jitter), from 0 up to just under the ceiling', () => {
    expect(backoffDelayMs(3, SETTINGS, () => 0)).toBe(0);
    expect(backoffDelayMs(3, SETTINGS, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, SETTINGS, () => 1)).toBe(399);
  });

  it('never overflows for a huge retry count', () => {
    expect(backoffDelayMs(10_000, SETTINGS, () => 0.5)).toBe(500);
  });

  it('is reproducible with a seeded random source and stays within the ceilings', () => {
    const run = () => {
      const random = seededRandom(42);
      return Array.from({ length: 8 }, (_, i) => backoffDelayMs(i + 1, SETTINGS, random));
    };
    const delays = run();
    expect(run()).toEqual(delays);
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(1_000, 100 * 2 ** i));
    });
  });
});
