/**
 * The plain records a drill collects while it runs: every SDK call the load made, every status
 * sample, every acknowledged write and ciphertext. They feed the metrics, the shared checkers and
 * the report, and are written into report.json as they are, so a report can be re-analysed later.
 */

export type Plane = 'data' | 'control';

/** One SDK call as the application saw it (retries and failovers inside the SDK included). */
export interface CallRecord {
  readonly op: 'encrypt' | 'decrypt' | 'sign' | 'createKey' | 'rotateKey';
  readonly plane: Plane;
  /** The client's home region. */
  readonly home: string;
  /** Drill-relative milliseconds. */
  readonly startMs: number;
  readonly endMs: number;
  readonly ok: boolean;
  /** The error code the application got, for failed calls. */
  readonly code?: string;
  /** The SDK said the write may have been applied. */
  readonly indeterminate?: boolean;
  /** The region that answered (or the last one tried). */
  readonly region?: string;
  readonly attempts: number;
}

/** One `GET /v1/cluster/status` sample of one region; `answered: false` when it did not answer in time. */
export interface StatusSample {
  readonly atMs: number;
  readonly region: string;
  readonly answered: boolean;
  readonly appliedSeq?: number;
  readonly streamLastSeq?: number | null;
  readonly pending?: number | null;
  readonly lagMs?: number;
  readonly connected?: boolean;
  /** The stream answered the region recently; false while it is cut off from the stream. */
  readonly streamReachable?: boolean;
  /** Keys whose current version the region has not confirmed with the stream's quorum yet. */
  readonly unconfirmedKeys?: number;
  /** Keys the region repaired from a quorum read since it started (it had applied a change the stream did not keep). */
  readonly repairs?: number;
}

export interface AckedVersion {
  readonly keyId: string;
  readonly keyVersion: number;
  readonly home: string;
  readonly atMs: number;
}

export interface AckedCiphertext {
  readonly ciphertextId: string;
  readonly keyId: string;
  readonly keyVersion: number;
  /** SHA-256 of the plaintext, hex: the report never holds plaintext. */
  readonly plaintextDigest: string;
  /** Base64, to decrypt it again after heal. */
  readonly ciphertext: string;
}

export interface LoadResult {
  readonly calls: readonly CallRecord[];
  readonly acked: readonly AckedVersion[];
  readonly ciphertexts: readonly AckedCiphertext[];
  /** Every key the load created or used, with its region policy (null: every region). */
  readonly keys: readonly { readonly keyId: string; readonly regions: readonly string[] | null }[];
  /** Failed attempts inside the SDK (retried or failed over), failovers, from its events. */
  readonly sdk: { readonly attemptErrors: number; readonly retries: number; readonly failovers: number };
}

export interface FaultWindow {
  readonly scenario: string;
  readonly target: string | null;
  readonly method: string | null;
  /** Drill-relative ms; appliedMs is null when the fault could not be applied. */
  readonly startMs: number;
  readonly appliedMs: number | null;
  readonly healStartMs: number;
  readonly healedMs: number;
  readonly applied: boolean;
  readonly undone: boolean;
  readonly errors: readonly string[];
}
