/**
 * Per-region circuit breaker, as pure functions of (state, time). A region is marked unhealthy after
 * `failureThreshold` region-level failures in a row (no answer, a time-out, a dependency down), so
 * that later calls stop paying for it first; a background /readyz probe or a trial call after
 * `openMs` closes it again. Each failed trial doubles the wait (up to `maxOpenMs`), so a region that
 * stays down costs one trial now and then rather than one per call.
 */

export interface BreakerSettings {
  readonly failureThreshold: number;
  readonly openMs: number;
  readonly maxOpenMs: number;
}

export type BreakerState =
  | { readonly status: 'closed'; readonly failures: number }
  | { readonly status: 'open'; readonly retryAtMs: number; readonly openMs: number };

export const CLOSED: BreakerState = { status: 'closed', failures: 0 };

export function recordSuccess(_state: BreakerState): BreakerState {
  return CLOSED;
}

export function recordFailure(state: BreakerState, nowMs: number, settings: BreakerSettings): BreakerState {
  if (state.status === 'closed') {
    const failures = state.failures + 1;
    if (failures < settings.failureThreshold) return { status: 'closed', failures };
    return { status: 'open', retryAtMs: nowMs + settings.openMs, openMs: settings.openMs };
  }
  // Calls sent before the circuit opened fail late; only a failed trial (sent after retryAtMs) backs off further.
  if (nowMs < state.retryAtMs) return state;
  const openMs = Math.min(settings.maxOpenMs, state.openMs * 2);
  return { status: 'open', retryAtMs: nowMs + openMs, openMs };
}

/** Closed, or open long enough that a trial call may go there. */
export function isHealthy(state: BreakerState, nowMs: number): boolean {
  return state.status === 'closed' || nowMs >= state.retryAtMs;
}
