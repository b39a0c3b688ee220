/**
 * Plain-data shapes the checkers read. They hold no functions and no classes, so that the same
 * checkers judge a deterministic simulation and a chaos drill against a real cluster (which fills
 * them from client logs, node digests and the stream's contents).
 */

/** Jepsen's three outcomes: ok (it happened), fail (it did not), indeterminate (it may have). */
export type Outcome = 'ok' | 'fail' | 'indeterminate';

export interface CheckResult {
  readonly checker: string;
  /** One sentence per broken rule; empty when the history passes. */
  readonly violations: readonly string[];
}

/** One region's view of one key at one moment, as a digest endpoint or a store dump gives it. */
export interface KeyView {
  readonly keyId: string;
  readonly keyState: 'Enabled' | 'Disabled' | 'PendingDeletion' | 'Destroyed';
  /** The pinning policy resolved against the deployment: the regions that may hold the key. */
  readonly allowedRegions: readonly string[];
  readonly currentVersion: number;
  readonly minDecryptionVersion: number;
  readonly revision: number;
  /** Versions this region holds material for. */
  readonly heldVersions: readonly number[];
  /** Optional material identity per held version (a key check value); simulations know it exactly. */
  readonly materialIds?: Readonly<Record<number, string>>;
}

export interface RegionSnapshot {
  readonly region: string;
  readonly keys: readonly KeyView[];
}

/** A key view observed at a point in time (step number, or milliseconds in a drill). */
export interface KeyObservation extends KeyView {
  readonly region: string;
  readonly at: number;
}

export function violationsResult(checker: string, violations: readonly string[]): CheckResult {
  return { checker, violations };
}
