/**
 * The client-side history of a run, Jepsen style: every operation a client issued, where, and
 * what it saw (ok, fail or indeterminate, with the error code). Checkers read only this and the
 * regions' and stream's plain state, never the simulation's internals.
 */
import type { Outcome } from '../checkers/types.ts';
import type { WriteResult } from './region-writer.ts';

export type OperationKind = 'create' | 'command' | 'lifecycle' | 'encrypt' | 'decrypt';

export interface HistoryEntry {
  readonly index: number;
  readonly step: number;
  readonly region: string;
  readonly kind: OperationKind;
  readonly description: string;
  readonly keyId: string | null;
  /** The write's change id (its msg-id); null for data-plane calls. */
  readonly changeId: string | null;
  /** The command name for writes ('create', 'rotate', 'destroy', ...). */
  readonly command: string | null;
  readonly outcome: Outcome;
  readonly code: string | null;
  /** For ok writes that changed something: the record they produced. */
  readonly revision: number | null;
  readonly currentVersion: number | null;
  readonly newestMaterialId: string | null;
  readonly ciphertextId: string | null;
  /** Index of the entry this one retries, if it is a client retry. */
  readonly retryOf: number | null;
}

export type EntryFields = Omit<HistoryEntry, 'index' | 'revision' | 'currentVersion' | 'newestMaterialId' | 'ciphertextId' | 'retryOf' | 'outcome' | 'code'> &
  Partial<Pick<HistoryEntry, 'ciphertextId' | 'retryOf'>>;

export function entryFromWrite(index: number, fields: EntryFields, result: WriteResult): HistoryEntry {
  const base = { ciphertextId: null, retryOf: null, ...fields, index };
  if (result.outcome !== 'ok') {
    return { ...base, outcome: result.outcome, code: result.error.code, revision: null, currentVersion: null, newestMaterialId: null };
  }
  const changed = result.seq !== null;
  return {
    ...base,
    // A lifecycle sweep with nothing due did not write anything: no change id to find on the stream.
    changeId: changed ? fields.changeId : null,
    outcome: 'ok',
    code: null,
    revision: changed ? result.record?.revision ?? null : null,
    currentVersion: changed ? result.record?.currentVersion ?? null : null,
    newestMaterialId: changed ? result.newestMaterialId : null,
  };
}

export function entryFromDataPlane(index: number, fields: EntryFields, outcome: 'ok' | 'fail', code: string | null): HistoryEntry {
  return { ciphertextId: null, retryOf: null, ...fields, index, outcome, code, revision: null, currentVersion: null, newestMaterialId: null };
}

/** One line per entry, for a failing run's report. */
export function describeEntry(entry: HistoryEntry): string {
  const result = entry.outcome === 'ok' ? 'ok' : `${entry.outcome} ${entry.code ?? ''}`.trim();
  return `#${entry.index} step ${entry.step} ${entry.region}: ${entry.description} -> ${result}`;
}
