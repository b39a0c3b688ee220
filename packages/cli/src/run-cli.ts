/**
 * One run of the CLI: parse, settle the connection, execute, report. Everything outside comes in
 * as arguments (argv, env, io), so a test runs the whole CLI in memory against a fake node.
 */
import { LatchkeyClient } from '@latchkey/client';
import { resolveConnection } from './connection-config.ts';
import { executeCommand } from './execute-command.ts';
import { HELP_TEXT } from './help-text.ts';
import { parseInvocation } from './parse-command.ts';
import { reportError } from './report-error.ts';
import { UsageError } from './usage-error.ts';
import type { CliIo, Env } from './cli-io.ts';
import type { Invocation } from './command.ts';

async function connect(invocation: Invocation, env: Env, io: CliIo): Promise<LatchkeyClient> {
  const { url, token } = await resolveConnection(invocation.connection, env, io);
  try {
    return new LatchkeyClient({ url, token });
  } catch (error) {
    // The client refuses a malformed token (whitespace in it, say): the operator's to fix.
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

export async function runCli(argv: readonly string[], env: Env, io: CliIo): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    const { command } = invocation;
    // Help needs no node and no token.
    if (command.kind === 'help') {
      io.writeOut(HELP_TEXT);
      return 0;
    }
    const client = await connect(invocation, env, io);
    return await executeCommand(command, { client, io, json: invocation.json });
  } catch (error) {
    return reportError(io, error);
  }
}
