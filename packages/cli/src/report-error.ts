/**
 * Failures to stderr as `error <code>: <message>` and to an exit status: 2 for the operator's own
 * mistakes, 1 for what the service (or the way to it) said. An indeterminate failure says so, since
 * "failed" would invite a blind retry of a change that may have happened.
 */
import { isLatchkeyClientError } from '@latchkey/client';
import { isUsageError } from './usage-error.ts';
import type { CliIo } from './cli-io.ts';

export const EXIT_SERVICE_ERROR = 1;
export const EXIT_USAGE_ERROR = 2;

export function reportError(io: CliIo, error: unknown): number {
  if (isUsageError(error)) {
    io.writeErr(`error ${error.code}: ${error.message}\nrun 'latchkey help' for usage\n`);
    return EXIT_USAGE_ERROR;
  }
  if (isLatchkeyClientError(error)) {
    io.writeErr(`error ${error.code}: ${error.message}\n`);
    if (error.indeterminate) io.writeErr('note: the outcome is unknown; the change may have been applied. Read the state back before retrying.\n');
    if (error.requestId !== null) io.writeErr(`request id: ${error.requestId}\n`);
    return EXIT_SERVICE_ERROR;
  }
  // Not ours to explain: a bug. Say what it was without pretending it is a service answer.
  io.writeErr(`error InternalError: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_SERVICE_ERROR;
}
