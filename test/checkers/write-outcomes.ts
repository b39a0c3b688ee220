/**
 * Outcomes tell the truth (design invariant 5): a write reported ok is on the stream exactly once,
 * a write reported failed is not on it at all, and an indeterminate one is there at most once.
 * Writes are matched to stream messages by their change id (the msg-id used for de-duplication).
 * Several attempts may share an id (a client retry of an indeterminate write; the same due
 * lifecycle action tried by several regions), so the rules apply per id: an id on the stream must
 * have been landed by an attempt that said ok or indeterminate, not only by attempts that said fail.
 */
import { violationsResult, type CheckResult, type Outcome } from './types.ts';

export interface WriteRecord {
  readonly changeId: string;
  readonly outcome: Outcome;
  /** For the report only: what the client asked, where. */
  readonly description?: string;
}

export interface StreamWrite {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string;
}

export interface WriteOutcomesInput {
  readonly writes: readonly WriteRecord[];
  /** Every message the stream ever stored (a drill with bounded history should pass `complete: false`). */
  readonly stream: readonly StreamWrite[];
  readonly complete: boolean;
}

function idProblems(changeId: string, records: readonly WriteRecord[], landed: number, complete: boolean): string[] {
  const about = records.map((r) => r.description ?? r.outcome).join(' / ');
  if (landed > 1) return [`change ${changeId} (${about}) is on the stream ${landed} times`];
  const outcomes = new Set(records.map((r) => r.outcome));
  if (outcomes.has('ok') && landed === 0 && complete) return [`change ${changeId} (${about}) was acknowledged but never reached the stream`];
  if (landed === 1 && !outcomes.has('ok') && !outcomes.has('indeterminate')) return [`change ${changeId} (${about}) was reported failed but is on the stream`];
  return [];
}

export function checkWriteOutcomes(input: WriteOutcomesInput): CheckResult {
  const landed = new Map<string, number>();
  for (const message of input.stream) landed.set(message.msgId, (landed.get(message.msgId) ?? 0) + 1);
  const byId = new Map<string, WriteRecord[]>();
  for (const write of input.writes) byId.set(write.changeId, [...(byId.get(write.changeId) ?? []), write]);
  const violations = [...byId.entries()].flatMap(([id, records]) => idProblems(id, records, landed.get(id) ?? 0, input.complete));
  const strays = [...landed.entries()].filter(([id, n]) => n > 1 && !byId.has(id)).map(([id, n]) => `change ${id} is on the stream ${n} times`);
  return violationsResult('write-outcomes', [...violations, ...strays]);
}
