/** The one error type the testkit throws for environment failures (a server that will not start, no free port). */
export class TestkitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TestkitError';
  }
}
