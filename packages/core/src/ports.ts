/**
 * Nondeterminism enters the system through these ports. Production passes the system clock and
 * crypto.randomUUID; tests pass the testkit's manual clock and seeded ids.
 */
export interface Clock {
  nowMs(): number;
}

export interface IdSource {
  /** A new key id (UUID v4 form). */
  newKeyId(): string;
}
