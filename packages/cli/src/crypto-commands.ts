/**
 * encrypt, decrypt, sign, verify: they print a plain value (base64, or the raw plaintext) so that
 * they compose in shell pipelines; --json prints the whole answer instead.
 */
import { fromBase64, isLatchkeyClientError, toBase64, type SignInput } from '@latchkey/client';
import { printJson, printLine } from './output.ts';
import { readInput } from './read-input.ts';
import { digestOf } from './signing-digest.ts';
import { UsageError } from './usage-error.ts';
import type { CliIo } from './cli-io.ts';
import type { CommandContext, CommandOf, CommandRunner } from './command-context.ts';

export const encrypt: CommandRunner<'encrypt'> = async (command, { client, io, json }) => {
  const plaintext = await readInput(io, command.input);
  const answer = await client.encrypt({ keyId: command.keyId, plaintext, encryptionContext: command.encryptionContext });
  if (json) printJson(io, answer);
  else printLine(io, toBase64(answer.ciphertext));
  return 0;
};

/** Ciphertext input is base64 text, as encrypt prints it; surrounding whitespace (a newline) is ignored. */
async function readCiphertext(io: CliIo, command: CommandOf<'decrypt'>): Promise<Uint8Array> {
  const text = new TextDecoder().decode(await readInput(io, command.input)).trim();
  const ciphertext = fromBase64(text);
  if (ciphertext === null || ciphertext.length === 0) throw new UsageError('the ciphertext must be standard base64, as encrypt prints it');
  return ciphertext;
}

export const decrypt: CommandRunner<'decrypt'> = async (command, { client, io, json }) => {
  const ciphertext = await readCiphertext(io, command);
  const answer = await client.decrypt({ ciphertext, encryptionContext: command.encryptionContext });
  // The plaintext may be binary: written as is, with no newline added.
  if (json) printJson(io, answer);
  else io.writeOut(answer.plaintext);
  return 0;
};

async function signInput(command: CommandOf<'sign'> | CommandOf<'verify'>, io: CliIo): Promise<SignInput> {
  const message = await readInput(io, command.input);
  return {
    keyId: command.keyId,
    signingAlgorithm: command.signingAlgorithm as SignInput['signingAlgorithm'],
    ...(command.digest === null ? { message, messageType: 'RAW' } : { message: digestOf(command.digest, message), messageType: 'DIGEST' }),
  };
}

export const sign: CommandRunner<'sign'> = async (command, { client, io, json }) => {
  const answer = await client.sign(await signInput(command, io));
  if (json) printJson(io, answer);
  else printLine(io, toBase64(answer.signature));
  return 0;
};

function printVerdict(context: CommandContext, command: CommandOf<'verify'>, signatureValid: boolean): number {
  if (context.json) printJson(context.io, { signatureValid, keyId: command.keyId, signingAlgorithm: command.signingAlgorithm });
  else printLine(context.io, signatureValid ? 'valid' : 'invalid');
  return signatureValid ? 0 : 1;
}

export const verify: CommandRunner<'verify'> = async (command, context) => {
  const input = await signInput(command, context.io);
  try {
    await context.client.verify({ ...input, signature: command.signature });
  } catch (error) {
    // The node answers an invalid signature with an error; for this command it is a verdict.
    if (isLatchkeyClientError(error) && error.code === 'KMSInvalidSignatureException') return printVerdict(context, command, false);
    throw error;
  }
  return printVerdict(context, command, true);
};
