/**
 * Reusable history checkers: each takes plain data and returns the broken rules. The simulation
 * and the chaos drills feed them the same shapes.
 */
export * from './types.ts';
export * from './no-lost-versions.ts';
export * from './monotonic-versions.ts';
export * from './pinning.ts';
export * from './decryptable-everywhere.ts';
export * from './convergence.ts';
export * from './write-outcomes.ts';
export * from './change-chain.ts';

import type { CheckResult } from './types.ts';

/** A readable report of the checks that failed; empty when all passed. */
export function describeFailures(results: readonly CheckResult[], maxPerChecker = 10): string {
  return results
    .filter((r) => r.violations.length > 0)
    .map((r) => {
      const shown = r.violations.slice(0, maxPerChecker).map((v) => `  - ${v}`);
      const more = r.violations.length > maxPerChecker ? [`  ... and ${r.violations.length - maxPerChecker} more`] : [];
      return [`${r.checker}: ${r.violations.length} violation(s)`, ...shown, ...more].join('\n');
    })
    .join('\n');
}
