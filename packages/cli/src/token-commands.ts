/** tokens create | list | revoke (admin principals only; the node enforces it). */
import { printJson } from './output.ts';
import type { CommandRunner } from './command-context.ts';

/** Prints the new token once, as the node shows it only once. */
export const createToken: CommandRunner<'tokens-create'> = async (command, { client, io }) => {
  printJson(io, await client.createToken({ principal: command.principal, admin: command.admin }));
  return 0;
};

export const listTokens: CommandRunner<'tokens-list'> = async (_command, { client, io }) => {
  printJson(io, (await client.listTokens()).tokens);
  return 0;
};

export const revokeToken: CommandRunner<'tokens-revoke'> = async (command, { client }) => {
  await client.revokeToken(command.tokenId);
  return 0;
};
