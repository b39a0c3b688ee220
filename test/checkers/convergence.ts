/**
 * Convergence (design invariant 6): after faults heal and replication quiesces, every region that
 * may hold a key reports the same state digest for it. The digest is whatever the nodes expose;
 * the checker only compares.
 */
import { violationsResult, type CheckResult } from './types.ts';

export interface ConvergenceInput {
  /** For each key, the regions that must agree on it (its allowed regions; every region for a tombstone). */
  readonly expected: readonly { readonly keyId: string; readonly regions: readonly string[] }[];
  /** region -> keyId -> digest. */
  readonly digests: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

function keyProblems(keyId: string, regions: readonly string[], input: ConvergenceInput): string[] {
  const missing = regions.filter((r) => input.digests[r]?.[keyId] === undefined);
  const present = regions.filter((r) => input.digests[r]?.[keyId] !== undefined);
  const groups = new Map<string, string[]>();
  for (const region of present) {
    const digest = input.digests[region]![keyId]!;
    groups.set(digest, [...(groups.get(digest) ?? []), region]);
  }
  const problems = missing.map((r) => `${keyId}: region ${r} has no state for it`);
  if (groups.size > 1) {
    const described = [...groups.entries()].map(([digest, rs]) => `[${rs.join(', ')}] -> ${digest.slice(0, 16)}`);
    problems.push(`${keyId}: regions disagree: ${described.join('; ')}`);
  }
  return problems;
}

export function checkConvergence(input: ConvergenceInput): CheckResult {
  return violationsResult('convergence', input.expected.flatMap((e) => keyProblems(e.keyId, e.regions, input)));
}
