/** aliases list | create | update | delete. */
import { printJson } from './output.ts';
import type { CommandRunner } from './command-context.ts';

export const listAliases: CommandRunner<'aliases-list'> = async (command, { client, io }) => {
  const aliases = [];
  for await (const alias of client.aliases({ keyId: command.keyId })) aliases.push(alias);
  printJson(io, aliases);
  return 0;
};

export const createAlias: CommandRunner<'aliases-create'> = async (command, { client, io }) => {
  printJson(io, (await client.createAlias({ aliasName: command.aliasName, targetKeyId: command.keyId })).alias);
  return 0;
};

export const updateAlias: CommandRunner<'aliases-update'> = async (command, { client, io }) => {
  printJson(io, (await client.updateAlias({ aliasName: command.aliasName, targetKeyId: command.keyId })).alias);
  return 0;
};

/** Prints nothing on success, like rm: the exit status says it. */
export const deleteAlias: CommandRunner<'aliases-delete'> = async (command, { client }) => {
  await client.deleteAlias(command.aliasName);
  return 0;
};
