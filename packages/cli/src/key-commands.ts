/** keys create | list | describe, and rotate: control-plane commands that print JSON. */
import { printJson } from './output.ts';
import type { CreateKeyInput } from '@latchkey/client';
import type { CommandRunner } from './command-context.ts';

export const createKey: CommandRunner<'keys-create'> = async (command, { client, io }) => {
  const { keyMetadata } = await client.createKey({
    // The node owns the list of specs and usages and names a wrong one precisely; the CLI passes what was typed.
    keySpec: command.keySpec as CreateKeyInput['keySpec'],
    keyUsage: command.keyUsage as CreateKeyInput['keyUsage'],
    description: command.description,
    tags: command.tags,
    regions: command.regions,
  });
  printJson(io, keyMetadata);
  return 0;
};

export const listKeys: CommandRunner<'keys-list'> = async (_command, { client, io }) => {
  const keys = [];
  for await (const key of client.keys()) keys.push(key);
  printJson(io, keys);
  return 0;
};

export const describeKey: CommandRunner<'keys-describe'> = async (command, { client, io }) => {
  printJson(io, (await client.describeKey(command.keyId)).keyMetadata);
  return 0;
};

export const rotateKey: CommandRunner<'rotate'> = async (command, { client, io }) => {
  printJson(io, (await client.rotateKey(command.keyId)).keyMetadata);
  return 0;
};
