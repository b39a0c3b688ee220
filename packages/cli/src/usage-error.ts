/**
 * The CLI's errors module. A UsageError is the operator's to fix (a wrong flag, a missing file, no
 * token): it exits 2, while anything the service answered exits 1.
 */
export class UsageError extends Error {
  readonly code = 'UsageError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

export function isUsageError(value: unknown): value is UsageError {
  return value instanceof UsageError;
}
