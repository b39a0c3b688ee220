/**
 * Turns argv into an Invocation, or throws UsageError. Pure: no environment, files or network, so
 * every rule of the command line is testable on its own. Global options may stand anywhere.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { fromBase64 } from '@latchkey/client';
import { parsePairs } from './key-value.ts';
import { digestHashOf } from './signing-digest.ts';
import { UsageError } from './usage-error.ts';
import type { Command, InputSource, Invocation } from './command.ts';

type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

interface Syntax {
  /** Positional argument names, in order; `...` accepts any. */
  readonly args: readonly string[] | '...';
  readonly options: ParseArgsOptionsConfig;
  readonly build: (args: readonly string[], values: Values) => Command;
}

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  url: { type: 'string' },
  token: { type: 'string' },
  'token-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const CONTEXT = { context: { type: 'string', multiple: true } } as const;
const SIGNING = { algorithm: { type: 'string' }, message: { type: 'string' }, in: { type: 'string' }, digest: { type: 'boolean' } } as const;

function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function texts(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function required(values: Values, name: string): string {
  const value = text(values, name);
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}

/** --TEXT, --in FILE (`-` for stdin), or stdin when neither is given and stdin is allowed. */
function inputSource(values: Values, textFlag: string, stdinAllowed: boolean): InputSource {
  const inline = text(values, textFlag);
  const path = text(values, 'in');
  if (inline !== undefined && path !== undefined) throw new UsageError(`give --${textFlag} or --in, not both`);
  if (inline !== undefined) return { kind: 'text', text: inline };
  if (path === '-' || (path === undefined && stdinAllowed)) return { kind: 'stdin' };
  if (path === undefined) throw new UsageError(`give --${textFlag} or --in`);
  return { kind: 'file', path };
}

function signingParts(values: Values): { signingAlgorithm: string; input: InputSource; digest: ReturnType<typeof digestHashOf> } {
  const signingAlgorithm = required(values, 'algorithm');
  const input = inputSource(values, 'message', false);
  if (values.digest !== true) return { signingAlgorithm, input, digest: null };
  const digest = digestHashOf(signingAlgorithm);
  if (digest === null) throw new UsageError(`--digest needs an RSA or ECDSA algorithm; ${signingAlgorithm} signs the message itself`);
  return { signingAlgorithm, input, digest };
}

function signature(values: Values): Uint8Array {
  const bytes = fromBase64(required(values, 'signature'));
  if (bytes === null) throw new UsageError('--signature must be standard base64');
  return bytes;
}

const SYNTAX: Readonly<Record<string, Syntax>> = {
  help: { args: '...', options: {}, build: () => ({ kind: 'help' }) },
  'keys create': {
    args: [],
    options: {
      spec: { type: 'string' }, usage: { type: 'string' }, description: { type: 'string' },
      tag: { type: 'string', multiple: true }, region: { type: 'string', multiple: true },
    },
    build: (_, values) => {
      const regions = texts(values, 'region');
      return {
        kind: 'keys-create', keySpec: text(values, 'spec'), keyUsage: text(values, 'usage'), description: text(values, 'description'),
        tags: parsePairs('tag', texts(values, 'tag')), regions: regions.length === 0 ? undefined : regions,
      };
    },
  },
  'keys list': { args: [], options: {}, build: () => ({ kind: 'keys-list' }) },
  'keys describe': { args: ['keyId'], options: {}, build: ([keyId]) => ({ kind: 'keys-describe', keyId: keyId! }) },
  encrypt: {
    args: ['keyId'],
    options: { plaintext: { type: 'string' }, in: { type: 'string' }, ...CONTEXT },
    build: ([keyId], values) => ({
      kind: 'encrypt', keyId: keyId!, input: inputSource(values, 'plaintext', true), encryptionContext: parsePairs('context', texts(values, 'context')),
    }),
  },
  decrypt: {
    args: [],
    options: { ciphertext: { type: 'string' }, in: { type: 'string' }, ...CONTEXT },
    build: (_, values) => ({
      kind: 'decrypt', input: inputSource(values, 'ciphertext', true), encryptionContext: parsePairs('context', texts(values, 'context')),
    }),
  },
  sign: { args: ['keyId'], options: SIGNING, build: ([keyId], values) => ({ kind: 'sign', keyId: keyId!, ...signingParts(values) }) },
  verify: {
    args: ['keyId'],
    options: { ...SIGNING, signature: { type: 'string' } },
    build: ([keyId], values) => ({ kind: 'verify', keyId: keyId!, ...signingParts(values), signature: signature(values) }),
  },
  rotate: { args: ['keyId'], options: {}, build: ([keyId]) => ({ kind: 'rotate', keyId: keyId! }) },
  'aliases list': { args: [], options: { 'key-id': { type: 'string' } }, build: (_, values) => ({ kind: 'aliases-list', keyId: text(values, 'key-id') }) },
  'aliases create': { args: ['aliasName', 'keyId'], options: {}, build: ([aliasName, keyId]) => ({ kind: 'aliases-create', aliasName: aliasName!, keyId: keyId! }) },
  'aliases update': { args: ['aliasName', 'keyId'], options: {}, build: ([aliasName, keyId]) => ({ kind: 'aliases-update', aliasName: aliasName!, keyId: keyId! }) },
  'aliases delete': { args: ['aliasName'], options: {}, build: ([aliasName]) => ({ kind: 'aliases-delete', aliasName: aliasName! }) },
  'tokens create': {
    args: ['principal'], options: { admin: { type: 'boolean' } },
    build: ([principal], values) => ({ kind: 'tokens-create', principal: principal!, admin: values.admin === true }),
  },
  'tokens list': { args: [], options: {}, build: () => ({ kind: 'tokens-list' }) },
  'tokens revoke': { args: ['tokenId'], options: {}, build: ([tokenId]) => ({ kind: 'tokens-revoke', tokenId: tokenId! }) },
};

const GROUPS = new Set(['keys', 'aliases', 'tokens']);

// Every option of every command, so that a first, lenient pass consumes option values correctly
// and leaves only the command words and arguments as positionals.
const ALL_OPTIONS: ParseArgsOptionsConfig = Object.assign({}, GLOBAL_OPTIONS, ...Object.values(SYNTAX).map((syntax) => syntax.options));

function strictParse(argv: readonly string[], options: ParseArgsOptionsConfig): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs reports unknown options and missing values as TypeError with a readable message.
    throw new UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

function commandWords(positionals: readonly string[]): string[] {
  const [first, second] = positionals;
  if (first === undefined) throw new UsageError('no command given');
  if (!GROUPS.has(first)) return [first];
  if (second === undefined) throw new UsageError(`${first} needs a subcommand`);
  return [first, second];
}

function checkArgs(name: string, syntax: Syntax, args: readonly string[]): void {
  if (syntax.args === '...' || args.length === syntax.args.length) return;
  const wanted = syntax.args.map((arg) => `<${arg}>`).join(' ');
  throw new UsageError(`usage: latchkey ${name}${wanted ? ` ${wanted}` : ''} (got ${args.length} argument${args.length === 1 ? '' : 's'})`);
}

export function parseInvocation(argv: readonly string[]): Invocation {
  const lenient = parseArgs({ args: [...argv], options: ALL_OPTIONS, strict: false, allowPositionals: true });
  if (lenient.values.help === true) return { command: { kind: 'help' }, connection: {}, json: false };
  const words = commandWords(lenient.positionals);
  const name = words.join(' ');
  const syntax = SYNTAX[name];
  if (syntax === undefined) throw new UsageError(`unknown command: ${name}`);

  const { values, positionals } = strictParse(argv, { ...GLOBAL_OPTIONS, ...syntax.options });
  const args = positionals.slice(words.length);
  checkArgs(name, syntax, args);
  return {
    command: syntax.build(args, values),
    connection: { url: text(values, 'url'), token: text(values, 'token'), tokenFile: text(values, 'token-file') },
    json: values.json === true,
  };
}
