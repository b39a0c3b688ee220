/**
 * Confirmed versions: a region issues new output (ciphertexts, data keys, signatures, MACs, the
 * public key it hands out) only under a key version whose secret the stream's quorum holds too.
 *
 * Why: a region applies what its consumer delivers, and in partition drills nats-server 2.9.10 was
 * seen delivering changes the stream did not keep (a cut-off region applied its own writes and
 * encrypted under a version no other region ever got). Applying such a change is harmless while
 * nothing depends on it; output under its version is what would be lost. So applying stays fast
 * and local, and the version becomes usable for output once a quorum read of the stream shows the
 * same secret (the shell compares secrets, never bytes it could be handed differently wrapped).
 *
 * Decrypting and verifying are not gated: they create nothing, and a ciphertext under a version
 * can only exist if some region confirmed that version.
 */
import type { KeyRecord } from '../key-record.ts';

/** What a quorum read of the key's subject showed, against what this region holds. */
export interface ConfirmationInput {
  /** This region may hold the key's material (its region policy includes the region). */
  readonly heldHere: boolean;
  /** The key's current version here, the one to confirm. */
  readonly keyVersion: number;
  /** Stream sequence of the key's change last applied here (its subject sequence). */
  readonly subjectSeq: number;
  /** Everything up to this stream sequence was applied (or skipped) here. */
  readonly appliedSeq: number;
  /** The stream's last change on the key's subject, null when the stream has none. */
  readonly stream: null | {
    readonly seq: number;
    /** The change carries `keyVersion` with a secret wrapped for this region. */
    readonly carriesVersion: boolean;
    /**
     * That secret equals the one held here, and so do those of the held versions between the
     * confirmed one and it (null when not carried, or not comparable).
     */
    readonly sameSecret: boolean | null;
  };
}

export type ConfirmationVerdict =
  /** The stream's quorum holds this version with the secret held here: it may be used for output. */
  | { readonly kind: 'confirmed'; readonly keyVersion: number }
  /** Nothing to confirm here (the key's material does not live in this region). */
  | { readonly kind: 'not-held' }
  /** The stream holds a newer change this region has not applied yet: ask again once it has. */
  | { readonly kind: 'behind' }
  /**
   * This region's state of the key is not the stream's: it applied a change the stream does not
   * keep, or it passed over the stream's change. `repairable` when the stream has a change to
   * repair from (the shell may replace unconfirmed material with the stream's).
   */
  | { readonly kind: 'divergent'; readonly reason: string; readonly repairable: boolean };

export function confirmationVerdict(input: ConfirmationInput): ConfirmationVerdict {
  if (!input.heldHere) return { kind: 'not-held' };
  const { stream } = input;
  if (stream === null) return { kind: 'divergent', reason: 'the stream holds no change for this key', repairable: false };
  if (stream.carriesVersion && stream.sameSecret === true) return { kind: 'confirmed', keyVersion: input.keyVersion };
  if (stream.seq > input.subjectSeq && stream.seq > input.appliedSeq) return { kind: 'behind' };
  if (stream.seq > input.subjectSeq) {
    return { kind: 'divergent', reason: `this region moved past the key's stream change at sequence ${stream.seq} without applying it`, repairable: true };
  }
  if (!stream.carriesVersion) {
    return { kind: 'divergent', reason: `the stream's last change for this key (sequence ${stream.seq}) does not carry version ${input.keyVersion}`, repairable: true };
  }
  return { kind: 'divergent', reason: `the stream holds another secret for version ${input.keyVersion} or an unconfirmed one below it`, repairable: true };
}

/**
 * The version a region uses for new output: the current one once confirmed, else the newest
 * confirmed one that may still be decrypted (a rotation takes effect here once confirmed), else
 * none (null: the key cannot be used for output here yet).
 */
export function servingVersion(record: Pick<KeyRecord, 'currentVersion' | 'minDecryptionVersion'>, confirmedVersion: number): number | null {
  if (confirmedVersion >= record.currentVersion) return record.currentVersion;
  if (confirmedVersion >= 1 && confirmedVersion >= record.minDecryptionVersion) return confirmedVersion;
  return null;
}
