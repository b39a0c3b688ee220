/**
 * An error meant for the operator: the message says what went wrong and what to do, and the
 * command-line entry points print it without a stack trace. Anything else is a bug and keeps its
 * stack. Each tool has its own subclass (`ClusterError` here, `ChaosError` in chaos/lib), so that
 * an entry point can tell its own errors from another tool's.
 */
export class OperatorError extends Error {
  override readonly name: string = 'OperatorError';
  /** Process exit code: 2 for a usage mistake, 1 for everything else. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** An operator error of cluster:up, cluster:status and cluster:down. */
export class ClusterError extends OperatorError {
  override readonly name = 'ClusterError';
}

/** Runs a command's main function and turns its outcome into an exit code and a message on stderr. */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof ClusterError) {
        process.stderr.write(`cluster:${name}: ${error.message}\n`);
        process.exitCode = error.exitCode;
      } else {
        process.stderr.write(`cluster:${name}: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 1;
      }
    },
  );
}
