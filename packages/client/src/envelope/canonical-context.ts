/**
 * The canonical bytes of an encryption context (core's encoding, the one the service binds), with a
 * small memo: an application encrypts under a handful of contexts over and over, and encoding one
 * (sorting, UTF-8, well-formedness checks) costs as much as encrypting a small frame. The memo is
 * keyed by the context's content, never by object identity, so a context object changed after use
 * cannot be encrypted under its old bytes.
 */
import { encodeEncryptionContext, type EncryptionContext } from '@latchkey/core';
import { invalidInput } from '../client-error.ts';

export interface CanonicalContext {
  readonly bytes: Buffer;
  /** The same bytes as a latin1 string, one character per byte: a cheap, exact map key. */
  readonly id: string;
}

const MEMO_MAX = 256;
const memo = new Map<string, CanonicalContext>();
const EMPTY = canonical({});

function canonical(context: EncryptionContext): CanonicalContext {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(encodeEncryptionContext(context));
  } catch (error) {
    throw invalidInput(`encryptionContext: ${(error as Error).message}`);
  }
  return { bytes, id: bytes.toString('latin1') };
}

/** A key that names the context's pairs in their order, or null when a value is not a string (the encoder then says why). */
function contentKey(context: EncryptionContext): string | null {
  let key = '';
  for (const [name, value] of Object.entries(context)) {
    if (typeof value !== 'string') return null;
    key += `${name.length}:${name}${value.length}:${value}`;
  }
  return key;
}

export function canonicalContext(context: EncryptionContext | undefined): CanonicalContext {
  if (context === undefined) return EMPTY;
  if (typeof context !== 'object' || context === null || Array.isArray(context)) throw invalidInput('encryptionContext must be an object of string values');
  const key = contentKey(context);
  const known = key === null ? undefined : memo.get(key);
  if (known !== undefined) return known;
  const made = canonical(context);
  if (key !== null) {
    if (memo.size >= MEMO_MAX) memo.delete(memo.keys().next().value as string);
    memo.set(key, made);
  }
  return made;
}
