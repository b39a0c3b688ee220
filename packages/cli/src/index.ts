/** The public surface of @latchkey/cli: run it in-process (tools, tests) or parse its arguments. */
export { runCli } from './run-cli.ts';
export { parseInvocation } from './parse-command.ts';
export { UsageError, isUsageError } from './usage-error.ts';
export type { CliIo, Env } from './cli-io.ts';
export type { Command, ConnectionFlags, InputSource, Invocation } from './command.ts';
