// Proves the breaker's decisions as a function of time: it opens after the threshold of failures in
// a row (a success in between resets the count), lets a trial through once open long enough, backs
// off further only for a failed trial (not for stragglers sent before it opened), and closes on success.
import { describe, expect, it } from 'vitest';
import { CLOSED, isHealthy, recordFailure, recordSuccess, type BreakerState } from './circuit-breaker.ts';

const SETTINGS = { failureThreshold: 2, openMs: 1_000, maxOpenMs: 3_000 };

describe('circuit breaker', () => {
  it('opens after failureThreshold failures in a row, not before', () => {
    const once = recordFailure(CLOSED, 0, SETTINGS);
    expect(once).toEqual({ status: 'closed', failures: 1 });
    expect(isHealthy(once, 0)).toBe(true);
    const twice = recordFailure(once, 10, SETTINGS);
    expect(twice).toEqual({ status: 'open', retryAtMs: 1_010, openMs: 1_000 });
    expect(isHealthy(twice, 500)).toBe(false);
  });

  it('forgets earlier failures after a success', () => {
    const state = recordSuccess(recordFailure(CLOSED, 0, SETTINGS));
    expect(recordFailure(state, 1, SETTINGS)).toEqual({ status: 'closed', failures: 1 });
  });

  it('allows a trial after openMs and doubles the wait when the trial fails, up to maxOpenMs', () => {
    let state: BreakerState = recordFailure(recordFailure(CLOSED, 0, SETTINGS), 0, SETTINGS);
    expect(isHealthy(state, 999)).toBe(false);
    expect(isHealthy(state, 1_000)).toBe(true);
    state = recordFailure(state, 1_000, SETTINGS);
    expect(state).toEqual({ status: 'open', retryAtMs: 3_000, openMs: 2_000 });
    state = recordFailure(state, 3_000, SETTINGS);
    expect(state).toEqual({ status: 'open', retryAtMs: 6_000, openMs: 3_000 });
    state = recordFailure(state, 6_000, SETTINGS);
    expect(state).toMatchObject({ openMs: 3_000 });
  });

  it('does not extend the wait for failures of calls sent before it opened', () => {
    const open = recordFailure(recordFailure(CLOSED, 0, SETTINGS), 0, SETTINGS);
    expect(recordFailure(open, 200, SETTINGS)).toBe(open);
  });

  it('closes on a success, from any state', () => {
    const open = recordFailure(recordFailure(CLOSED, 0, SETTINGS), 0, SETTINGS);
    expect(recordSuccess(open)).toEqual(CLOSED);
    expect(isHealthy(recordSuccess(open), 1)).toBe(true);
  });
});
