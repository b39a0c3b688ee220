/** What a command needs to run: the client, the outside world, and the output choice. */
import type { LatchkeyClient } from '@latchkey/client';
import type { CliIo } from './cli-io.ts';
import type { Command, CommandKind } from './command.ts';

export interface CommandContext {
  readonly client: LatchkeyClient;
  readonly io: CliIo;
  readonly json: boolean;
}

export type CommandOf<K extends CommandKind> = Extract<Command, { readonly kind: K }>;

/** Runs one command and gives its exit status; service failures are thrown as LatchkeyClientError. */
export type CommandRunner<K extends CommandKind> = (command: CommandOf<K>, context: CommandContext) => Promise<number>;
