/**
 * Every ciphertext decrypts everywhere it may (design invariant 1, second half): after heal and
 * catch-up, each ciphertext the service returned decrypts to its plaintext in every region its key
 * is allowed in, unless the key's state forbids decryption, in which case the answer is that
 * state's error and never a sign of missing material. No region outside the policy decrypts it.
 */
import { violationsResult, type CheckResult, type KeyView } from './types.ts';

export interface CiphertextRecord {
  readonly ciphertextId: string;
  readonly keyId: string;
  readonly keyVersion: number;
  /** A digest of the plaintext (never the plaintext itself in a drill's report). */
  readonly plaintextDigest: string;
}

export interface DecryptAttempt {
  readonly region: string;
  readonly ciphertextId: string;
  readonly outcome: 'ok' | 'error';
  readonly plaintextDigest?: string;
  /** The error code for outcome error. */
  readonly code?: string;
}

export interface DecryptableEverywhereInput {
  /** Ciphertexts returned by Encrypt calls whose outcome was ok. */
  readonly ciphertexts: readonly CiphertextRecord[];
  /** The key's state after heal, as the latest change says. */
  readonly keys: readonly Pick<KeyView, 'keyId' | 'keyState' | 'allowedRegions' | 'minDecryptionVersion'>[];
  /** Decrypt calls made after heal, ideally one per ciphertext and region. */
  readonly attempts: readonly DecryptAttempt[];
}

type KeyFacts = DecryptableEverywhereInput['keys'][number];

/** The answer a region must give: 'ok' or the error code the key's state calls for; null: anything goes. */
export function expectedDecryptAnswer(key: KeyFacts, keyVersion: number): string | null {
  switch (key.keyState) {
    case 'Destroyed': return null;
    case 'Disabled': return 'DisabledException';
    case 'PendingDeletion': return 'KMSInvalidStateException';
    case 'Enabled': return keyVersion < key.minDecryptionVersion ? 'KeyVersionRetiredException' : 'ok';
  }
}

function attemptProblem(ciphertext: CiphertextRecord, expected: string, attempt: DecryptAttempt | undefined, region: string): string[] {
  const what = `${ciphertext.ciphertextId} (${ciphertext.keyId} v${ciphertext.keyVersion}) in ${region}`;
  if (attempt === undefined) return [`${what}: never tried after heal`];
  const answer = attempt.outcome === 'ok' ? 'ok' : attempt.code ?? 'an error without a code';
  if (answer !== expected) return [`${what}: answered ${answer}, expected ${expected}`];
  return [];
}

function ciphertextProblems(ciphertext: CiphertextRecord, input: DecryptableEverywhereInput, regions: readonly string[]): string[] {
  const key = input.keys.find((k) => k.keyId === ciphertext.keyId);
  if (key === undefined) return [`${ciphertext.ciphertextId}: key ${ciphertext.keyId} is unknown after heal`];
  const attempts = input.attempts.filter((a) => a.ciphertextId === ciphertext.ciphertextId);
  const wrongPlaintext = attempts.filter((a) => a.outcome === 'ok' && a.plaintextDigest !== ciphertext.plaintextDigest)
    .map((a) => `${ciphertext.ciphertextId} in ${a.region}: decrypted to a different plaintext`);
  const outside = attempts.filter((a) => a.outcome === 'ok' && !key.allowedRegions.includes(a.region))
    .map((a) => `${ciphertext.ciphertextId} in ${a.region}: decrypted outside the policy [${key.allowedRegions.join(', ')}]`);
  const expected = expectedDecryptAnswer(key, ciphertext.keyVersion);
  const allowed = expected === null ? [] : regions.filter((r) => key.allowedRegions.includes(r))
    .flatMap((r) => attemptProblem(ciphertext, expected, attempts.find((a) => a.region === r), r));
  return [...wrongPlaintext, ...outside, ...allowed];
}

/** `regions`: the regions that took part after heal; allowed regions missing here are not judged. */
export function checkDecryptableEverywhere(input: DecryptableEverywhereInput, regions: readonly string[]): CheckResult {
  return violationsResult('decryptable-everywhere', input.ciphertexts.flatMap((c) => ciphertextProblems(c, input, regions)));
}
