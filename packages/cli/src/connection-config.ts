/**
 * Where the node is and which token to present. Flags beat the environment, which beats the
 * default token file that a local node writes (./.data/admin.token). Settled once, before any request.
 */
import { UsageError } from './usage-error.ts';
import type { CliIo, Env } from './cli-io.ts';
import type { ConnectionFlags } from './command.ts';

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TOKEN_FILE = './.data/admin.token';

export interface Connection {
  readonly url: string;
  readonly token: string;
}

/** An empty variable (LATCHKEY_TOKEN= in a script) means unset, not an empty token. */
function variable(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

function checkUrl(url: string, from: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${from} is not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`${from} must be an http or https URL`);
  return url;
}

async function readTokenFile(io: CliIo, path: string, from: string): Promise<string> {
  let content: Uint8Array;
  try {
    content = await io.readFile(path);
  } catch (error) {
    const reason = (error as { code?: unknown }).code ?? (error instanceof Error ? error.message : 'unreadable');
    throw new UsageError(`cannot read the token file ${path} (${from}): ${String(reason)}`, { cause: error });
  }
  const token = new TextDecoder().decode(content).trim();
  if (token.length === 0) throw new UsageError(`the token file ${path} (${from}) is empty`);
  return token;
}

async function resolveToken(flags: ConnectionFlags, env: Env, io: CliIo): Promise<string> {
  if (flags.token !== undefined && flags.tokenFile !== undefined) throw new UsageError('give --token or --token-file, not both');
  if (flags.token !== undefined) return flags.token;
  if (flags.tokenFile !== undefined) return readTokenFile(io, flags.tokenFile, '--token-file');
  const envToken = variable(env, 'LATCHKEY_TOKEN');
  if (envToken !== undefined) return envToken;
  const envFile = variable(env, 'LATCHKEY_TOKEN_FILE');
  if (envFile !== undefined) return readTokenFile(io, envFile, 'LATCHKEY_TOKEN_FILE');
  if (await io.fileExists(DEFAULT_TOKEN_FILE)) return readTokenFile(io, DEFAULT_TOKEN_FILE, 'default');
  throw new UsageError(`no token: give --token or --token-file, set LATCHKEY_TOKEN or LATCHKEY_TOKEN_FILE, or run where ${DEFAULT_TOKEN_FILE} exists`);
}

export async function resolveConnection(flags: ConnectionFlags, env: Env, io: CliIo): Promise<Connection> {
  const url = flags.url !== undefined
    ? checkUrl(flags.url, '--url')
    : checkUrl(variable(env, 'LATCHKEY_URL') ?? DEFAULT_URL, 'LATCHKEY_URL');
  return { url, token: await resolveToken(flags, env, io) };
}
