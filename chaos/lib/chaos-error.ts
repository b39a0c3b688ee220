/**
 * An error meant for the operator running a chaos scenario or a drill: the message says what went
 * wrong and what to do, and the entry points print it without a stack trace. Anything else is a
 * bug and keeps its stack.
 */
export class ChaosError extends Error {
  override readonly name = 'ChaosError';
  /** Process exit code: 2 for a usage mistake, 1 for everything else. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
