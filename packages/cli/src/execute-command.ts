/** Dispatches a parsed command to its runner; a switch, so the compiler checks every kind is handled. */
import * as aliases from './alias-commands.ts';
import * as crypto from './crypto-commands.ts';
import * as keys from './key-commands.ts';
import * as tokens from './token-commands.ts';
import type { Command } from './command.ts';
import type { CommandContext } from './command-context.ts';

/** Every command but help, which needs no node. */
export type ServiceCommand = Exclude<Command, { readonly kind: 'help' }>;

export async function executeCommand(command: ServiceCommand, context: CommandContext): Promise<number> {
  switch (command.kind) {
    case 'keys-create': return keys.createKey(command, context);
    case 'keys-list': return keys.listKeys(command, context);
    case 'keys-describe': return keys.describeKey(command, context);
    case 'rotate': return keys.rotateKey(command, context);
    case 'encrypt': return crypto.encrypt(command, context);
    case 'decrypt': return crypto.decrypt(command, context);
    case 'sign': return crypto.sign(command, context);
    case 'verify': return crypto.verify(command, context);
    case 'aliases-list': return aliases.listAliases(command, context);
    case 'aliases-create': return aliases.createAlias(command, context);
    case 'aliases-update': return aliases.updateAlias(command, context);
    case 'aliases-delete': return aliases.deleteAlias(command, context);
    case 'tokens-create': return tokens.createToken(command, context);
    case 'tokens-list': return tokens.listTokens(command, context);
    case 'tokens-revoke': return tokens.revokeToken(command, context);
  }
}
