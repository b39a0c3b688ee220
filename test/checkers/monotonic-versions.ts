/**
 * Versions per key never go backwards in any region (part of design invariant 1 and of reading in
 * stream order): as observed in one region over time, a key's current version and its revision
 * never decrease. A region that does not know a key yet is no observation, not a decrease.
 */
import { violationsResult, type CheckResult, type KeyObservation } from './types.ts';

export interface MonotonicVersionsInput {
  /** Observations in any order; `at` orders them (ties keep input order). */
  readonly observations: readonly KeyObservation[];
}

export function checkMonotonicVersions(input: MonotonicVersionsInput): CheckResult {
  const ordered = input.observations.map((o, i) => ({ o, i })).sort((a, b) => a.o.at - b.o.at || a.i - b.i).map(({ o }) => o);
  const last = new Map<string, KeyObservation>();
  const violations: string[] = [];
  for (const observation of ordered) {
    const where = `${observation.keyId} in ${observation.region}`;
    const before = last.get(`${observation.region}\u0000${observation.keyId}`);
    if (before !== undefined && observation.currentVersion < before.currentVersion) {
      violations.push(`${where}: current version fell from ${before.currentVersion} (at ${before.at}) to ${observation.currentVersion} (at ${observation.at})`);
    }
    if (before !== undefined && observation.revision < before.revision) {
      violations.push(`${where}: revision fell from ${before.revision} (at ${before.at}) to ${observation.revision} (at ${observation.at})`);
    }
    last.set(`${observation.region}\u0000${observation.keyId}`, observation);
  }
  return violationsResult('monotonic-versions', violations);
}
