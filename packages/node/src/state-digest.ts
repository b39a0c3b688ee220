/**
 * Digests of replicated state. Records are replicated verbatim, so two regions that applied the
 * same changes hold byte-identical canonical forms; a digest mismatch means they diverged.
 */
import { createHash } from 'node:crypto';
import type { KeyDirectory } from './key-directory.ts';
import type { TokenRegistry } from './token-registry.ts';

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Anything with a list of replicated records that carries no secret (AWS credential records). */
interface RecordList {
  list(): readonly { readonly accessKeyId: string }[];
}

export function stateDigest(directory: KeyDirectory, tokens: TokenRegistry, credentials?: RecordList): {
  digest: string; keys: Record<string, string>; keyVersions: Record<string, number>; aliases: number; tokens: number; credentials: number;
} {
  const keys: Record<string, string> = {};
  const keyVersions: Record<string, number> = {};
  for (const record of [...directory.keys()].sort((a, b) => (a.keyId < b.keyId ? -1 : 1))) {
    keys[record.keyId] = sha256(canonicalJson(record));
    keyVersions[record.keyId] = record.currentVersion;
  }
  const aliases = directory.allAliases().sort((a, b) => (a.aliasName < b.aliasName ? -1 : 1));
  const tokenList = tokens.list().sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1));
  const credentialList = [...(credentials?.list() ?? [])].sort((a, b) => (a.accessKeyId < b.accessKeyId ? -1 : 1));
  const digest = sha256(canonicalJson({ keys, aliases, tokens: tokenList, credentials: credentialList }));
  return { digest, keys, keyVersions, aliases: aliases.length, tokens: tokenList.length, credentials: credentialList.length };
}
