import { OperatorError } from '../../cluster/cluster-error.ts';

/**
 * An error meant for the operator running a chaos scenario or a drill: the message says what went
 * wrong and what to do, and the entry points print it without a stack trace (see `OperatorError`).
 * Anything else is a bug and keeps its stack.
 */
export class ChaosError extends OperatorError {
  override readonly name = 'ChaosError';
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
