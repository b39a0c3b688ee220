/**
 * No silent overwrite (design invariant 5): the changes on one key's subject form a single chain.
 * Each change's revision is above the one before it (exactly one above when the history is
 * complete), and each keeps every earlier version, with the same material, in place. Two writers
 * that both built on the same state and both landed would break the chain.
 */
import { violationsResult, type CheckResult } from './types.ts';

export interface ChainMessage {
  readonly seq: number;
  readonly subject: string;
  readonly revision: number;
  readonly versions: readonly { readonly keyVersion: number; readonly materialId?: string }[];
}

export interface ChangeChainInput {
  readonly messages: readonly ChainMessage[];
  /** True when every message ever stored is given (a simulation); false for a bounded live stream. */
  readonly complete: boolean;
}

function linkProblems(before: ChainMessage, after: ChainMessage, complete: boolean): string[] {
  const where = `${after.subject} seq ${before.seq} -> ${after.seq}`;
  const problems: string[] = [];
  const step = after.revision - before.revision;
  if (step <= 0 || (complete && step !== 1)) problems.push(`${where}: revision ${before.revision} -> ${after.revision}`);
  for (const earlier of before.versions) {
    const kept = after.versions.find((v) => v.keyVersion === earlier.keyVersion);
    if (kept === undefined) problems.push(`${where}: v${earlier.keyVersion} disappeared`);
    else if (earlier.materialId !== undefined && kept.materialId !== undefined && kept.materialId !== earlier.materialId) {
      problems.push(`${where}: v${earlier.keyVersion} material changed from ${earlier.materialId} to ${kept.materialId}`);
    }
  }
  return problems;
}

export function checkChangeChain(input: ChangeChainInput): CheckResult {
  const bySubject = new Map<string, ChainMessage[]>();
  for (const m of [...input.messages].sort((a, b) => a.seq - b.seq)) bySubject.set(m.subject, [...(bySubject.get(m.subject) ?? []), m]);
  const violations: string[] = [];
  for (const chain of bySubject.values()) {
    if (input.complete && chain[0] !== undefined && chain[0].revision !== 1) {
      violations.push(`${chain[0].subject}: the first change has revision ${chain[0].revision}`);
    }
    for (let i = 1; i < chain.length; i++) violations.push(...linkProblems(chain[i - 1]!, chain[i]!, input.complete));
  }
  return violationsResult('change-chain', violations);
}
