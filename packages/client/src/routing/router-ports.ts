/**
 * The router's nondeterminism, passed in: time, randomness (backoff jitter), waiting, and timers for
 * background probes. Production uses the real ones below; tests pass a fake clock, a seeded random
 * source and an instant sleep, so that routing and backoff decisions are exact and fast.
 */

export interface RouterPorts {
  /** Milliseconds on a monotonic clock. */
  readonly nowMs: () => number;
  /** A number in [0, 1): only for backoff jitter, never for anything secret. */
  readonly random: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Runs `task` after `ms` without keeping the process alive; returns a function that cancels it. */
  readonly schedule: (task: () => void, ms: number) => () => void;
}

export const systemPorts: RouterPorts = {
  nowMs: () => performance.now(),
  random: Math.random,
  // A retry's wait keeps the process alive on purpose: the caller is waiting for the answer.
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  schedule(task, ms) {
    const timer = setTimeout(task, ms);
    // Background health probes must never be the reason a process does not exit.
    timer.unref();
    return () => clearTimeout(timer);
  },
};
